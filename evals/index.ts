// Evals: pure metrics now; datasets, the runner and reports (`oriole eval`) build on them.
export {
  abstentionPrecisionRecall,
  answerTokens,
  distinctTopK,
  firstGoldRank,
  hitAtK,
  meanOf,
  ndcgAtK,
  percentile,
  recallAtK,
  reciprocalRankAtK,
  tokenF1,
} from './metrics.ts';
export type { AbstentionCase, AbstentionScores } from './metrics.ts';
