import { pipeline } from '@huggingface/transformers';
import type { FeatureExtractionPipeline } from '@huggingface/transformers';
import type { Embedder } from '../core/index.ts';
import {
  createSerialQueue,
  defaultModelDownloadSettings,
  describeError,
  loadTransformersModel,
  modelFilesFix,
  transformersLibraryLoads,
  type ModelDownloadSettings,
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

export interface TransformersEmbedderSettings extends ModelDownloadSettings {
  /** Texts per model run: larger batches pad more, smaller ones pay more per-run overhead. */
  maxBatchSize: number;
}

export const defaultTransformersEmbedderSettings: TransformersEmbedderSettings = {
  ...defaultModelDownloadSettings,
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

function loadPipeline(
  spec: string,
  modelId: string,
  options: EmbedderOptions,
  settings: TransformersEmbedderSettings,
): Promise<FeatureExtractionPipeline> {
  return loadTransformersModel(modelId, options, settings, {
    load: (dtype, shared, sessionOptions) =>
      pipeline('feature-extraction', modelId, { ...shared, dtype, device: 'cpu', session_options: sessionOptions }),
    failure: (reason, cause) => modelLoadError(spec, reason, fixFor(modelId, options), cause),
  });
}

function fixFor(modelId: string, options: EmbedderOptions): string {
  return modelFilesFix(modelId, options, lexicalOnlyFix);
}
