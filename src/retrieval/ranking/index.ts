// Reranking of first-stage chunk candidates: pure functions over the candidates and the
// query's terms. Only what the product runs lives here; techniques measured and not
// chosen (document-level legs, RM3 feedback) live with the bench in bench/ranking-experiments.
export { byScoreDescending } from './ranking-candidate.ts';
export type { RankingCandidate } from './ranking-candidate.ts';
export { aggregateDocumentScores, rerankByDocumentScore } from './aggregate-document-scores.ts';
export type { DocumentAggregation, DocumentScore } from './aggregate-document-scores.ts';
export { boostHeadingMatches } from './heading-match-boost.ts';
export { adjacentTermPairs, boostProximity } from './proximity-boost.ts';
export type { ProximitySettings } from './proximity-boost.ts';
export { rerankCandidates, rerankingDefaults } from './rerank-candidates.ts';
export type { RerankingSettings } from './rerank-candidates.ts';
