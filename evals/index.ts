// Evals: cases in, scored rows and a report out. Pure metrics and scoring, the runner
// (over any answer service), run comparison and gates, and report rendering.
export {
  abstentionPrecisionRecall,
  accuracyCoverageCurve,
  calibrationBins,
  expectedCalibrationError,
  answerTokens,
  checkNuggets,
  distinctTopK,
  firstGoldRank,
  hitAtK,
  meanOf,
  ndcgAtK,
  nuggetText,
  percentile,
  recallAtK,
  reciprocalRankAtK,
  tokenF1,
  tokenRecall,
} from './metrics.ts';
export type { AbstentionCase, AbstentionScores, ConfidencePoint, CoveragePoint, NuggetNeeds } from './metrics.ts';
export { evalCaseLimits, evalCaseSchema, parseEvalCases, referenceText, validateEvalCases } from './cases.ts';
export {
  citationValidity,
  classifyFailure,
  scoreAnsweredCase,
  supportedSentenceShare,
  unscoredMetrics,
  wrongAnswerThreshold,
} from './scoring.ts';
export type { AnsweredCase, JudgeScores } from './scoring.ts';
export { answerOutcome, countRows, summarizeRows } from './summary.ts';
export {
  binomialCdf,
  clopperPearsonUpper,
  defaultThresholdGrid,
  fitThreshold,
  selectiveOutcome,
  shuffle,
  splitForCalibration,
} from './calibration/risk-control.ts';
export type { BoundedOutcome, CaseOutcome, RiskBudget, ScoredCase, SelectiveOutcome, ThresholdFit } from './calibration/risk-control.ts';
export { answerRemovedTag, filtersHoldingOut, withAnswersRemoved } from './calibration/answer-removed.ts';
export type { AnswerRemovedCases } from './calibration/answer-removed.ts';
export { defaultEvalOptions, runEval } from './runner.ts';
export type { EvalRunOptions } from './runner.ts';
export { checkGates, compareReports, parseGate, regressionTolerance } from './compare.ts';
export type { Gate } from './compare.ts';
export { failureKinds, latencyMetrics, lowerIsBetter, metricNames } from './types.ts';
export type * from './types.ts';
export { renderHtmlReport, renderMarkdownReport } from './report/index.ts';
export { createLlmJudge, defaultJudgeTimeoutMs } from './judge.ts';
export type { LlmJudgeOptions } from './judge.ts';
export { evalGenerationDefaults, formatJsonl, generateEvalCases } from './generate.ts';
export type { DraftPassage, GenerateEvalCasesInput } from './generate.ts';
export { defaultEvalWorkerOptions, evalJobPayloadSchema, startEvalWorker } from './eval-worker.ts';
export type { EvalJobPayload, EvalWorkerDependencies, EvalWorkerOptions } from './eval-worker.ts';
export { createEvalService } from './eval-service.ts';
export type { EvalServiceDependencies } from './eval-service.ts';
