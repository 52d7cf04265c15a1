// Models: how Oriole loads an in-process model (the transformers embedder, the reranker,
// the verifier, USE lite): where its files come from, which weights, one queue per
// runtime, downloads that cannot hang. Node only; the Workers build never imports
// this stage.
export type { ModelLoadOptions, ModelLoadProgress } from './model-load-options.ts';
export { describeError } from './describe-error.ts';
export { fetchWithTimeouts } from './fetch-with-timeouts.ts';
export type { FetchTimeouts } from './fetch-with-timeouts.ts';
export { createSerialQueue } from './serial-queue.ts';
export type { SerialQueue } from './serial-queue.ts';
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
export { defaultModelDownloadSettings, loadTransformersModel } from './load-transformers-model.ts';
export type { ModelDownloadSettings, SessionOptions, SharedLoadOptions, TransformersModelLoad } from './load-transformers-model.ts';
export { loadSequenceClassifier } from './sequence-classifier.ts';
export type { SequenceClassifier, SequenceClassifierLoad } from './sequence-classifier.ts';
