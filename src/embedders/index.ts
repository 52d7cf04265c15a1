export { createEmbedder, parseEmbedderSpec } from './create-embedder.ts';
export type { EmbedderSpec } from './create-embedder.ts';
export { loadEmbedder } from './load-embedder.ts';
export type { EmbedderStatus } from './load-embedder.ts';
export type { EmbedderOptions, ModelLoadProgress } from './embedder-options.ts';
export { modelProfile } from './model-profile.ts';
export type { ModelProfile } from './model-profile.ts';
// Web-standard only, for the Workers composition root (the in-process models are Node-only).
export { createOpenAIEmbedder, defaultOpenAIEmbedderSettings } from './openai-embedder.ts';
export type { OpenAIEmbedderOptions, OpenAIEmbedderSettings } from './openai-embedder.ts';
// Shared with the transformers reranker (src/rerankers), which loads models the same way.
export { fetchWithTimeouts } from './fetch-with-timeouts.ts';
export type { FetchTimeouts } from './fetch-with-timeouts.ts';
export { createSerialQueue } from './serial-queue.ts';
export type { SerialQueue } from './serial-queue.ts';
export { describeError } from './model-load-error.ts';
export {
  cachedModelDtype,
  configureTransformersLibrary,
  fallbackDtype,
  isMissingModelFile,
  libraryCacheDir,
  localModelDtype,
  modelFilesFix,
  modelFileByDtype,
  preferredDtype,
  requiredModelFiles,
  transformersLibraryLoads,
} from './transformers-library.ts';
export type { ModelSource } from './transformers-library.ts';
