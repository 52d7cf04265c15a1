/**
 * How a verifier's answerability score joins `confidence` (verification.ts):
 * confidence' = σ(intercept + confidenceWeight·logit(confidence) + verifierWeight·logit(score)).
 * Written by bench/fit-confidence.ts (`--verifier-blend --write`) from cases with verifier
 * scores; refit with it rather than editing by hand. Until then, a prior: the evidence model's
 * log-odds unchanged (a verifier score of 0.5 leaves confidence as it was), and the verifier's
 * added at half weight, since its evidence overlaps the lexical features and it is not
 * calibrated on the KB's documents.
 */
export const verifierBlend = {
  intercept: 0,
  confidenceWeight: 1,
  verifierWeight: 0.5,
  fittedOn: 'not fitted: a prior (no verifier model could be downloaded to measure one)',
};
