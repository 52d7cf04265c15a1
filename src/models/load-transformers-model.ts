import path from 'node:path';
import { env } from '@huggingface/transformers';
import type { DataType, ProgressInfo } from '@huggingface/transformers';
import { describeError } from './describe-error.ts';
import type { ModelLoadOptions } from './model-load-options.ts';
import {
  cachedModelDtype,
  configureTransformersLibrary,
  fallbackDtype,
  isMissingModelFile,
  localModelDtype,
  modelFileByDtype,
  preferredDtype,
} from './transformers-library.ts';

/** Where and how patiently model files are downloaded; the same for every in-process model. */
export interface ModelDownloadSettings {
  /** Where models are downloaded from when ORIOLE_MODELS_DIR is unset (a Hub mirror works too). */
  hubUrl: string;
  /** A download whose server sends no headers within this fails, so start-up never hangs offline. */
  responseTimeoutMs: number;
  /** A download that receives no bytes for this long fails. */
  stallTimeoutMs: number;
}

export const defaultModelDownloadSettings: ModelDownloadSettings = {
  hubUrl: 'https://huggingface.co/',
  responseTimeoutMs: 30_000,
  stallTimeoutMs: 60_000,
};

/** The library options every `from_pretrained`-style call of one load shares. */
export interface SharedLoadOptions {
  local_files_only: boolean;
  cache_dir?: string;
  progress_callback: (info: ProgressInfo) => void;
}

/** How a model of one kind is made from its files, and how its failures are worded. */
export interface TransformersModelLoad<T> {
  /** Loads the tokenizer or other parts that do not depend on the weights' precision; once. */
  prepare?: (shared: SharedLoadOptions) => Promise<void>;
  /** Loads the weights of one precision. */
  load: (dtype: DataType, shared: SharedLoadOptions, sessionOptions: SessionOptions) => Promise<T>;
  /** The kind's own error ("Could not load reranker model …"), with the reason. */
  failure: (reason: string, cause?: unknown) => Error;
}

export interface SessionOptions {
  intraOpNumThreads: number;
  interOpNumThreads: number;
}

/**
 * Loads a model's files the way every in-process model does: from ORIOLE_MODELS_DIR only
 * when it is set (the files on disk decide the precision), else from the cache or the
 * Hub, q8 weights first and fp32 when the repository has no quantised file. Call inside
 * `transformersLibraryLoads`: it configures the library's one global environment.
 */
export async function loadTransformersModel<T>(
  modelId: string,
  options: ModelLoadOptions,
  settings: ModelDownloadSettings,
  kind: TransformersModelLoad<T>,
): Promise<T> {
  const localOnly = options.modelsDir !== undefined;
  configureTransformersLibrary(options, settings);
  const dtypes = localOnly ? [await localDtype(modelId, options, kind)] : await remoteDtypes(modelId);
  const shared: SharedLoadOptions = {
    local_files_only: localOnly,
    ...(options.cacheDir === undefined ? {} : { cache_dir: options.cacheDir }),
    progress_callback: (info: ProgressInfo) => {
      if (info.status === 'progress') options.onProgress?.({ file: info.file, loaded: info.loaded, total: info.total });
    },
  };
  const sessionOptions = { intraOpNumThreads: options.threads ?? 1, interOpNumThreads: 1 };
  if (kind.prepare) {
    try {
      await kind.prepare(shared);
    } catch (error) {
      throw kind.failure(describeError(error), error);
    }
  }
  for (const [attempt, dtype] of dtypes.entries()) {
    try {
      return await kind.load(dtype, shared, sessionOptions);
    } catch (error) {
      const isLastAttempt = attempt === dtypes.length - 1;
      // Not every repository publishes quantised weights; then the fp32 file is the model.
      if (!isLastAttempt && isMissingModelFile(error, modelFileByDtype[dtype])) continue;
      throw kind.failure(describeError(error), error);
    }
  }
  throw kind.failure('no model file could be loaded');
}

async function remoteDtypes(modelId: string): Promise<DataType[]> {
  const cached = await cachedModelDtype(modelId, env.cacheDir);
  return cached ? [cached] : [preferredDtype, fallbackDtype];
}

/** With ORIOLE_MODELS_DIR, the files on disk decide: q8 when present, otherwise fp32. */
async function localDtype<T>(modelId: string, options: ModelLoadOptions, kind: TransformersModelLoad<T>): Promise<DataType> {
  const found = await localModelDtype(path.join(options.modelsDir!, modelId));
  if ('problem' in found) throw kind.failure(found.problem);
  return found.dtype;
}
