import { access } from 'node:fs/promises';
import path from 'node:path';
import { env, LogLevel, pipeline } from '@huggingface/transformers';
import type { DataType, FeatureExtractionPipeline, ProgressInfo } from '@huggingface/transformers';
import type { Embedder } from '../core/index.ts';
import type { EmbedderOptions } from './embedder-options.ts';
import { fetchWithTimeouts } from './fetch-with-timeouts.ts';
import { l2Normalize } from './l2-normalize.ts';
import { describeError, lexicalOnlyFix, modelLoadError } from './model-load-error.ts';
import { modelProfile } from './model-profile.ts';
import { createSerialQueue } from './serial-queue.ts';

/**
 * `transformers:<hf-model-id>`: a sentence-embedding model run in-process by
 * `@huggingface/transformers` on onnxruntime-node. Node only (filesystem, native
 * runtime); the Workers build never imports this file.
 */

export interface TransformersEmbedderSettings {
  /** Where models are downloaded from when ORIOLE_MODELS_DIR is unset (a Hub mirror works too). */
  hubUrl: string;
  /** A download whose server sends no headers within this fails, so start-up never hangs offline. */
  responseTimeoutMs: number;
  /** A download that receives no bytes for this long fails. */
  stallTimeoutMs: number;
  /** Texts per model run: larger batches pad more, smaller ones pay more per-run overhead. */
  maxBatchSize: number;
}

export const defaultTransformersEmbedderSettings: TransformersEmbedderSettings = {
  hubUrl: 'https://huggingface.co/',
  responseTimeoutMs: 30_000,
  stallTimeoutMs: 60_000,
  maxBatchSize: 32,
};

/** Quantised int8 weights: about a quarter of the fp32 size, nearly the same vectors, faster on CPU. */
const preferredDtype: DataType = 'q8';
const fallbackDtype: DataType = 'fp32';
/** How transformers.js names each dtype's file (src/utils/dtypes.js, DEFAULT_DTYPE_SUFFIX_MAPPING). */
const modelFileByDtype: Partial<Record<DataType, string>> = {
  q8: 'onnx/model_quantized.onnx',
  fp32: 'onnx/model.onnx',
};
const requiredFiles = ['config.json', 'tokenizer.json', 'tokenizer_config.json'];
const dimensionProbeText = 'dimension probe';

/**
 * transformers.js keeps its settings (cache, local path, fetch) in one global `env`,
 * so loads that set it differently must not interleave.
 */
const libraryLoads = createSerialQueue();
/** The library's own default, restored for a load without ORIOLE_CACHE_DIR after one with it. */
const libraryCacheDir = env.cacheDir;

export async function createTransformersEmbedder(
  modelId: string,
  options: EmbedderOptions = {},
  settings: TransformersEmbedderSettings = defaultTransformersEmbedderSettings,
): Promise<Embedder> {
  const spec = `transformers:${modelId}`;
  const profile = modelProfile(modelId);
  const extractor = await libraryLoads.run(() => loadPipeline(spec, modelId, options, settings));
  const runs = createSerialQueue();

  async function embed(texts: string[], prefix: string): Promise<number[][]> {
    const vectors: number[][] = [];
    for (let start = 0; start < texts.length; start += settings.maxBatchSize) {
      const batch = texts.slice(start, start + settings.maxBatchSize).map((text) => prefix + text);
      const output = await runs.run(() => extractor(batch, { pooling: profile.pooling, normalize: false }));
      const [rows, width] = output.dims as [number, number];
      const data = output.data as Float32Array;
      for (let row = 0; row < rows; row += 1) vectors.push(l2Normalize(data.subarray(row * width, (row + 1) * width)));
      output.dispose();
    }
    return vectors;
  }

  let dimension: number;
  try {
    const [probe] = await embed([dimensionProbeText], profile.documentPrefix);
    dimension = probe!.length;
  } catch (error) {
    await extractor.dispose();
    throw modelLoadError(spec, `the model files loaded but do not run (${describeError(error)})`, fixFor(modelId, options));
  }

  return {
    id: spec,
    dimension,
    maxBatchSize: settings.maxBatchSize,
    embedDocuments: (texts) => embed(texts, profile.documentPrefix),
    embedQuery: async (text) => (await embed([text], profile.queryPrefix))[0]!,
  };
}

async function loadPipeline(
  spec: string,
  modelId: string,
  options: EmbedderOptions,
  settings: TransformersEmbedderSettings,
): Promise<FeatureExtractionPipeline> {
  const localOnly = options.modelsDir !== undefined;
  configureLibrary(options, settings);
  const cached = localOnly ? undefined : await cachedDtype(modelId, env.cacheDir);
  const dtypes = localOnly
    ? [await localDtype(spec, modelId, options)]
    : cached
      ? [cached]
      : [preferredDtype, fallbackDtype];
  for (const [attempt, dtype] of dtypes.entries()) {
    try {
      return await pipeline('feature-extraction', modelId, {
        dtype,
        device: 'cpu',
        local_files_only: localOnly,
        ...(options.cacheDir === undefined ? {} : { cache_dir: options.cacheDir }),
        session_options: { intraOpNumThreads: options.threads ?? 1, interOpNumThreads: 1 },
        progress_callback: (info: ProgressInfo) => {
          if (info.status === 'progress') options.onProgress?.({ file: info.file, loaded: info.loaded, total: info.total });
        },
      });
    } catch (error) {
      const missingFile = modelFileByDtype[dtype];
      const isLastAttempt = attempt === dtypes.length - 1;
      // Not every repository publishes quantised weights; then the fp32 file is the model.
      if (!isLastAttempt && isMissingFile(error, missingFile)) continue;
      throw modelLoadError(spec, describeError(error), fixFor(modelId, options), error);
    }
  }
  throw modelLoadError(spec, 'no model file could be loaded', fixFor(modelId, options));
}

function configureLibrary(options: EmbedderOptions, settings: TransformersEmbedderSettings): void {
  // Failures reach the caller as one OrioleError with the reason; the library's own
  // console warnings would only repeat it, out of order.
  env.logLevel = LogLevel.ERROR;
  env.fetch = fetchWithTimeouts(options.fetch ?? globalThis.fetch, settings);
  env.remoteHost = settings.hubUrl;
  env.useFSCache = true;
  env.cacheDir = options.cacheDir ?? libraryCacheDir;
  if (options.modelsDir !== undefined) {
    env.localModelPath = options.modelsDir;
    env.allowLocalModels = true;
    env.allowRemoteModels = false;
  } else {
    // Without ORIOLE_MODELS_DIR, a model comes from the cache or the Hub, never from a directory inside node_modules.
    env.allowLocalModels = false;
    env.allowRemoteModels = true;
  }
}

/** With ORIOLE_MODELS_DIR, the files on disk decide: q8 when present, otherwise fp32. */
async function localDtype(spec: string, modelId: string, options: EmbedderOptions): Promise<DataType> {
  const modelDir = path.join(options.modelsDir!, modelId);
  for (const file of requiredFiles) {
    if (!(await exists(path.join(modelDir, file)))) {
      throw modelLoadError(spec, `${path.join(modelDir, file)} does not exist`, fixFor(modelId, options));
    }
  }
  const dtype = await dtypeOnDisk(modelDir);
  if (dtype) return dtype;
  const expected = [preferredDtype, fallbackDtype].map((candidate) => modelFileByDtype[candidate]).join(' or ');
  throw modelLoadError(spec, `${modelDir} has no ${expected}`, fixFor(modelId, options));
}

/**
 * The dtype of a complete model in the download cache, if there is one. Asking the
 * Hub for a q8 file a repository never had would fail offline, though the cached
 * fp32 model is all that is needed.
 */
async function cachedDtype(modelId: string, cacheDir: string | null): Promise<DataType | undefined> {
  if (!cacheDir) return undefined;
  const modelDir = path.join(cacheDir, modelId);
  for (const file of requiredFiles) if (!(await exists(path.join(modelDir, file)))) return undefined;
  return dtypeOnDisk(modelDir);
}

async function dtypeOnDisk(modelDir: string): Promise<DataType | undefined> {
  for (const dtype of [preferredDtype, fallbackDtype]) {
    if (await exists(path.join(modelDir, modelFileByDtype[dtype]!))) return dtype;
  }
  return undefined;
}

function isMissingFile(error: unknown, file: string | undefined): boolean {
  return (
    file !== undefined &&
    error instanceof Error &&
    error.name === 'ModelFileNotFoundError' &&
    error.message.includes(file.split('/').pop()!)
  );
}

function fixFor(modelId: string, options: EmbedderOptions): string {
  const layout = `config.json, tokenizer.json, tokenizer_config.json and onnx/model_quantized.onnx (or onnx/model.onnx)`;
  if (options.modelsDir !== undefined) {
    return `ORIOLE_MODELS_DIR is set, so nothing is downloaded: put ${layout} under ${path.join(options.modelsDir, modelId)}/. ${lexicalOnlyFix}`;
  }
  const cache = options.cacheDir ?? libraryCacheDir;
  return (
    `It is downloaded once from the Hugging Face Hub and cached${cache ? ` in ${cache}` : ''}; on a machine without network access, ` +
    `set ORIOLE_MODELS_DIR and put ${layout} under <ORIOLE_MODELS_DIR>/${modelId}/. ${lexicalOnlyFix}`
  );
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
