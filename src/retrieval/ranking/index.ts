// Reranking of first-stage chunk candidates: pure functions over the candidates and the
// query's terms; a technique that needs another search takes it as a parameter.
export { byScoreDescending } from './ranking-candidate.ts';
export type { CandidateSearch, RankingCandidate } from './ranking-candidate.ts';
export { aggregateDocumentScores, rerankByDocumentScore } from './aggregate-document-scores.ts';
export type { DocumentAggregation, DocumentScore } from './aggregate-document-scores.ts';
export { fuseDocumentLeg } from './document-leg-fusion.ts';
export type { DocumentLegFusion, DocumentMatch } from './document-leg-fusion.ts';
export { boostHeadingMatches } from './heading-match-boost.ts';
export { adjacentTermPairs, boostProximity } from './proximity-boost.ts';
export type { ProximitySettings } from './proximity-boost.ts';
export { feedbackTerms, searchWithFeedback } from './pseudo-relevance-feedback.ts';
export type { FeedbackSettings } from './pseudo-relevance-feedback.ts';
export { rerankCandidates, rerankingDefaults } from './rerank-candidates.ts';
export type { RerankingSettings } from './rerank-candidates.ts';
