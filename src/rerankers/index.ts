// Rerankers: cross-encoders that reorder retrieval's best candidates (src/core/reranker.ts).
export { createReranker, parseRerankerSpec } from './create-reranker.ts';
export type { RerankerSpec } from './create-reranker.ts';
export { loadReranker } from './load-reranker.ts';
export type { RerankerStatus } from './load-reranker.ts';
export type { RerankerOptions } from './reranker-options.ts';
