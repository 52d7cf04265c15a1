import type { EmbedderOptions } from '../embedders/index.ts';

/**
 * What `createReranker` needs from outside: the embedder's model settings
 * (ORIOLE_MODELS_DIR, ORIOLE_CACHE_DIR, fetch, progress, threads), so one models
 * directory and one cache serve both.
 */
export type RerankerOptions = Pick<EmbedderOptions, 'modelsDir' | 'cacheDir' | 'fetch' | 'onProgress' | 'threads'>;
