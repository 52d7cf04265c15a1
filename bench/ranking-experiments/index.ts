// Ranking techniques measured by bench/quality-eval.ts and not chosen for the product
// (docs/lexical-retrieval.md, "Ranking beyond BM25"): kept so the numbers can be re-run.
// Nothing under src/ imports them.
export { fuseDocumentLeg } from './document-leg-fusion.ts';
export type { DocumentLegFusion, DocumentMatch } from './document-leg-fusion.ts';
export { feedbackTerms, searchWithFeedback } from './pseudo-relevance-feedback.ts';
export type { CandidateSearch, FeedbackSettings } from './pseudo-relevance-feedback.ts';
