import { access } from 'node:fs/promises';
import path from 'node:path';
import { env, LogLevel } from '@huggingface/transformers';
import type { DataType } from '@huggingface/transformers';
import { fetchWithTimeouts, type FetchTimeouts } from './fetch-with-timeouts.ts';
import { createSerialQueue } from './serial-queue.ts';

/**
 * How Oriole loads any transformers.js model (the embedder, the reranker): where the
 * files come from, which weights, and one queue for all loads.
 */

/** Quantised int8 weights: about a quarter of the fp32 size, nearly the same outputs, faster on CPU. */
export const preferredDtype: DataType = 'q8';
export const fallbackDtype: DataType = 'fp32';
/** How transformers.js names each dtype's file (src/utils/dtypes.js, DEFAULT_DTYPE_SUFFIX_MAPPING). */
export const modelFileByDtype: Partial<Record<DataType, string>> = {
  q8: 'onnx/model_quantized.onnx',
  fp32: 'onnx/model.onnx',
};
export const requiredModelFiles = ['config.json', 'tokenizer.json', 'tokenizer_config.json'];

/**
 * transformers.js keeps its settings (cache, local path, fetch) in one global `env`,
 * so loads that set it differently must not interleave, whichever kind of model they load.
 */
export const transformersLibraryLoads = createSerialQueue();
/** The library's own default, restored for a load without ORIOLE_CACHE_DIR after one with it. */
export const libraryCacheDir = env.cacheDir;

export interface ModelSource {
  fetch?: typeof fetch;
  cacheDir?: string;
  modelsDir?: string;
}

/** Points the library at ORIOLE_MODELS_DIR only, or at the cache and the Hub. Call inside `transformersLibraryLoads`. */
export function configureTransformersLibrary(source: ModelSource, settings: FetchTimeouts & { hubUrl: string }): void {
  // Failures reach the caller as one OrioleError with the reason; the library's own
  // console warnings would only repeat it, out of order.
  env.logLevel = LogLevel.ERROR;
  env.fetch = fetchWithTimeouts(source.fetch ?? globalThis.fetch, settings);
  env.remoteHost = settings.hubUrl;
  env.useFSCache = true;
  env.cacheDir = source.cacheDir ?? libraryCacheDir;
  if (source.modelsDir !== undefined) {
    env.localModelPath = source.modelsDir;
    env.allowLocalModels = true;
    env.allowRemoteModels = false;
  } else {
    // Without ORIOLE_MODELS_DIR, a model comes from the cache or the Hub, never from a directory inside node_modules.
    env.allowLocalModels = false;
    env.allowRemoteModels = true;
  }
}

/** With ORIOLE_MODELS_DIR the files on disk decide: q8 when present, otherwise fp32; or what is missing. */
export async function localModelDtype(modelDir: string): Promise<{ dtype: DataType } | { problem: string }> {
  for (const file of requiredModelFiles) {
    if (!(await exists(path.join(modelDir, file)))) return { problem: `${path.join(modelDir, file)} does not exist` };
  }
  const dtype = await dtypeOnDisk(modelDir);
  if (dtype) return { dtype };
  const expected = [preferredDtype, fallbackDtype].map((candidate) => modelFileByDtype[candidate]).join(' or ');
  return { problem: `${modelDir} has no ${expected}` };
}

/**
 * The dtype of a complete model in the download cache, if there is one. Asking the
 * Hub for a q8 file a repository never had would fail offline, though the cached
 * fp32 model is all that is needed.
 */
export async function cachedModelDtype(modelId: string, cacheDir: string | null): Promise<DataType | undefined> {
  if (!cacheDir) return undefined;
  const modelDir = path.join(cacheDir, modelId);
  for (const file of requiredModelFiles) if (!(await exists(path.join(modelDir, file)))) return undefined;
  return dtypeOnDisk(modelDir);
}

/** Where a model's files must go, for load errors: the models directory, or the cache after a download; then `otherwise`. */
export function modelFilesFix(modelId: string, source: ModelSource, otherwise: string): string {
  const layout = `config.json, tokenizer.json, tokenizer_config.json and onnx/model_quantized.onnx (or onnx/model.onnx)`;
  if (source.modelsDir !== undefined) {
    return `ORIOLE_MODELS_DIR is set, so nothing is downloaded: put ${layout} under ${path.join(source.modelsDir, modelId)}/. ${otherwise}`;
  }
  const cache = source.cacheDir ?? libraryCacheDir;
  return (
    `It is downloaded once from the Hugging Face Hub and cached${cache ? ` in ${cache}` : ''}; on a machine without network access, ` +
    `set ORIOLE_MODELS_DIR and put ${layout} under <ORIOLE_MODELS_DIR>/${modelId}/. ${otherwise}`
  );
}

/** Whether a load failed only because the repository lacks this dtype's file. */
export function isMissingModelFile(error: unknown, file: string | undefined): boolean {
  return (
    file !== undefined &&
    error instanceof Error &&
    error.name === 'ModelFileNotFoundError' &&
    error.message.includes(file.split('/').pop()!)
  );
}

async function dtypeOnDisk(modelDir: string): Promise<DataType | undefined> {
  for (const dtype of [preferredDtype, fallbackDtype]) {
    if (await exists(path.join(modelDir, modelFileByDtype[dtype]!))) return dtype;
  }
  return undefined;
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
