export { createEmbedder, parseEmbedderSpec } from './create-embedder.ts';
export type { EmbedderSpec } from './create-embedder.ts';
export { loadEmbedder } from './load-embedder.ts';
export type { EmbedderStatus } from './load-embedder.ts';
export type { EmbedderOptions } from './embedder-options.ts';
export { modelProfile } from './model-profile.ts';
export type { ModelProfile } from './model-profile.ts';
// Web-standard only, for the Workers composition root (the in-process models are Node-only).
export { createOpenAIEmbedder, defaultOpenAIEmbedderSettings } from './openai-embedder.ts';
export type { OpenAIEmbedderOptions, OpenAIEmbedderSettings } from './openai-embedder.ts';
