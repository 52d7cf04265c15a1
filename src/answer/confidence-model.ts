/**
 * The coefficients of `confidence` (confidence.ts). Written by bench/fit-confidence.ts from
 * labelled cases; refit with it rather than editing by hand. Plain data: confidence.ts checks
 * its shape where it uses it (a type import from there would make an import cycle).
 */
export const confidenceModel = {
  intercept: -6.409,
  weights: {
    citedPassageCoverage: 0.936,
    citedSentenceCoverage: 2.463,
    topPassageCoverage: 0.554,
    answerTypeFound: 0.949,
    supportMean: 0.044,
    supportMin: 0,
    numberConsistency: 0,
    legAgreement: 0,
    topDocumentAgreement: 0,
    scoreGap: 0.897,
    matchedTermShare: 1.482,
  },
  fittedOn: "rhdh-docs-ragas,domainrag-ruc (bench/answer-eval.ts cases, 728 with features, 202 correct)",
};
