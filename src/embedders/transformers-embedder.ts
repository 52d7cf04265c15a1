import path from 'node:path';
import { env, pipeline } from '@huggingface/transformers';
import type { DataType, FeatureExtractionPipeline, ProgressInfo } from '@huggingface/transformers';
import type { Embedder } from '../core/index.ts';
import {
  cachedModelDtype,
  configureTransformersLibrary,
  createSerialQueue,
  describeError,
  fallbackDtype,
  isMissingModelFile,
  localModelDtype,
  modelFilesFix,
  modelFileByDtype,
  preferredDtype,
  transformersLibraryLoads,
} from '../models/index.ts';
import type { EmbedderOptions } from './embedder-options.ts';
import { l2Normalize } from './l2-normalize.ts';
import { lexicalOnlyFix, modelLoadError } from './model-load-error.ts';
import { modelProfile } from './model-profile.ts';

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

const dimensionProbeText = 'dimension probe';

export async function createTransformersEmbedder(
  modelId: string,
  options: EmbedderOptions = {},
  settings: TransformersEmbedderSettings = defaultTransformersEmbedderSettings,
): Promise<Embedder> {
  const spec = `transformers:${modelId}`;
  const profile = modelProfile(modelId);
  const extractor = await transformersLibraryLoads.run(() => loadPipeline(spec, modelId, options, settings));
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
  configureTransformersLibrary(options, settings);
  const cached = localOnly ? undefined : await cachedModelDtype(modelId, env.cacheDir);
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
      if (!isLastAttempt && isMissingModelFile(error, missingFile)) continue;
      throw modelLoadError(spec, describeError(error), fixFor(modelId, options), error);
    }
  }
  throw modelLoadError(spec, 'no model file could be loaded', fixFor(modelId, options));
}

function fixFor(modelId: string, options: EmbedderOptions): string {
  return modelFilesFix(modelId, options, lexicalOnlyFix);
}

/** With ORIOLE_MODELS_DIR, the files on disk decide: q8 when present, otherwise fp32. */
async function localDtype(spec: string, modelId: string, options: EmbedderOptions): Promise<DataType> {
  const found = await localModelDtype(path.join(options.modelsDir!, modelId));
  if ('problem' in found) throw modelLoadError(spec, found.problem, fixFor(modelId, options));
  return found.dtype;
}
