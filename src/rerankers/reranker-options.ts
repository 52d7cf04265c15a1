import type { ModelLoadOptions } from '../models/index.ts';

/**
 * What `createReranker` needs from outside: the same model settings as the embedder
 * (ORIOLE_MODELS_DIR, ORIOLE_CACHE_DIR, fetch, progress, threads), so one models
 * directory and one cache serve both.
 */
export type RerankerOptions = ModelLoadOptions;
