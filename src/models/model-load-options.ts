/** Progress of one model file while it downloads or loads. */
export interface ModelLoadProgress {
  /** The file within the model, e.g. 'onnx/model_quantized.onnx'. */
  file: string;
  /** Bytes read so far. */
  loaded: number;
  /** Bytes expected; 0 when the server does not say. */
  total: number;
}

/**
 * Where any in-process model comes from and how it runs: one models directory, one
 * cache and one thread budget serve the embedder and the reranker alike. The
 * composition root fills it from `Config`.
 */
export interface ModelLoadOptions {
  /** ORIOLE_MODELS_DIR: when set, models load only from `<modelsDir>/<model-id>/` and nothing is downloaded. */
  modelsDir?: string;
  /** ORIOLE_CACHE_DIR: where downloaded model files are kept. */
  cacheDir?: string;
  /** Used for every HTTP request (model downloads, embedding APIs); defaults to the global `fetch`. */
  fetch?: typeof fetch;
  onProgress?: (event: ModelLoadProgress) => void;
  /** Threads an in-process model may use; default 1, so the API keeps a core for itself. */
  threads?: number;
}
