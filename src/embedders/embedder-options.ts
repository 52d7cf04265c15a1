/** Progress of one model file while it downloads or loads. */
export interface ModelLoadProgress {
  /** The file within the model, e.g. 'onnx/model_quantized.onnx'. */
  file: string;
  /** Bytes read so far. */
  loaded: number;
  /** Bytes expected; 0 when the server does not say. */
  total: number;
}

/** What `createEmbedder` needs from outside; the composition root fills it from `Config`. */
export interface EmbedderOptions {
  /** ORIOLE_MODELS_DIR: when set, models load only from `<modelsDir>/<model-id>/` and nothing is downloaded. */
  modelsDir?: string;
  /** ORIOLE_CACHE_DIR: where downloaded model files are kept. */
  cacheDir?: string;
  /** OPENAI_API_KEY / OPENAI_BASE_URL, for `openai:<model>`. */
  openai?: { apiKey?: string; baseUrl?: string };
  /** Used for every HTTP request (model downloads, embedding APIs); defaults to the global `fetch`. */
  fetch?: typeof fetch;
  onProgress?: (event: ModelLoadProgress) => void;
  /** Threads an in-process model may use; default 1, so the API keeps a core for itself. */
  threads?: number;
}
