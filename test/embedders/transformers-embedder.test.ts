import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Embedder } from '../../src/core/index.ts';
import { OrioleError } from '../../src/core/index.ts';
import { createEmbedder, loadEmbedder, modelProfile } from '../../src/embedders/index.ts';
import {
  createTransformersEmbedder,
  defaultTransformersEmbedderSettings,
} from '../../src/embedders/transformers-embedder.ts';
import { cosineDistance } from '../helpers/fixtures.ts';
import { tinyBertHiddenSize, writeTinyBertModel } from '../helpers/tiny-bert-model.ts';

const similarity = (left: number[], right: number[]) => 1 - cosineDistance(left, right);
const norm = (vector: number[]) => Math.hypot(...vector);
/** Equal up to float noise: a batch run may sum in another order than a single run. */
const expectSameVector = (actual: number[] | undefined, expected: number[] | undefined) => {
  expect(actual).toHaveLength(expected!.length);
  actual!.forEach((value, dimension) => expect(value).toBeCloseTo(expected![dimension]!, 6));
};

async function loadError(promise: Promise<unknown>): Promise<OrioleError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(OrioleError);
    return error as OrioleError;
  }
  throw new Error('expected the load to fail');
}

describe('the transformers embedder on a real ONNX model from ORIOLE_MODELS_DIR', () => {
  let modelsDir: string;
  let embedder: Embedder;
  let loadMs: number;
  const progress: { file: string; loaded: number; total: number }[] = [];

  beforeAll(async () => {
    modelsDir = await mkdtemp(path.join(tmpdir(), 'oriole-models-'));
    await writeTinyBertModel(modelsDir);
    const started = performance.now();
    const created = await createEmbedder('transformers:oriole-test/tiny-bert', {
      modelsDir,
      onProgress: (event) => progress.push(event),
    });
    loadMs = performance.now() - started;
    embedder = created!;
  });
  afterAll(async () => {
    await rm(modelsDir, { recursive: true, force: true });
  });

  it('loads with the dimension of the model config, reporting each file', () => {
    expect(embedder.id).toBe('transformers:oriole-test/tiny-bert');
    expect(embedder.dimension).toBe(tinyBertHiddenSize);
    expect(embedder.maxBatchSize).toBe(defaultTransformersEmbedderSettings.maxBatchSize);
    expect(progress.map((event) => event.file)).toContain('onnx/model_quantized.onnx');
    expect(loadMs).toBeLessThan(10_000);
  });

  it('returns unit vectors of that dimension, the same every time', async () => {
    const [first] = await embedder.embedDocuments(['How do I reset my password?']);
    const [again] = await embedder.embedDocuments(['How do I reset my password?']);
    expect(first).toHaveLength(tinyBertHiddenSize);
    expect(norm(first!)).toBeCloseTo(1, 5);
    expect(again).toEqual(first);
  });

  it('embeds a batch as it embeds each text alone, in order, beyond one model run', async () => {
    const texts = Array.from({ length: 70 }, (_, index) =>
      index % 3 === 0 ? `refund ${index}` : index % 3 === 1 ? 'reset your password please' : 'the weather is sunny',
    );
    const batch = await embedder.embedDocuments(texts);
    expect(batch).toHaveLength(70);
    for (const index of [0, 1, 2, 33, 69]) {
      const [alone] = await embedder.embedDocuments([texts[index]!]);
      expectSameVector(batch[index], alone);
    }
  });

  it('answers concurrent callers each with their own vectors', async () => {
    const texts = ['refund my order', 'reset your password', 'the weather is sunny', 'export invoices'];
    const concurrent = await Promise.all(texts.map((text) => embedder.embedQuery(text)));
    for (const [index, text] of texts.entries()) expectSameVector(concurrent[index], await embedder.embedQuery(text));
  });

  it('puts related texts closer together than unrelated ones', async () => {
    const query = await embedder.embedQuery('how to reset a password');
    const [related, unrelated] = await embedder.embedDocuments(['reset your password', 'the weather is sunny today']);
    expect(similarity(query, related!)).toBeGreaterThan(similarity(query, unrelated!) + 0.3);
  });

  it('embeds empty and unknown text without failing', async () => {
    const vectors = await embedder.embedDocuments(['', '为这个句子', 'zzzz qqqq']);
    for (const vector of vectors) expect(vector).toHaveLength(tinyBertHiddenSize);
  });

  it('prefers the q8 file and falls back to fp32 when a model has none', async () => {
    await writeTinyBertModel(modelsDir, 'oriole-test/tiny-bert-fp32', { quantized: false });
    const fp32 = await createTransformersEmbedder('oriole-test/tiny-bert-fp32', { modelsDir });
    const text = 'change the billing address on an invoice';
    const [quantizedVector] = await embedder.embedDocuments([text]);
    const [fullVector] = await fp32.embedDocuments([text]);
    // The q8 graph holds 8-bit-rounded weights: nearly the same vector, not the same numbers.
    expect(fullVector).not.toEqual(quantizedVector);
    expect(similarity(fullVector!, quantizedVector!)).toBeGreaterThan(0.999);
  });

  it('adds the per-model prefixes (e5) and pools the [CLS] vector (bge)', async () => {
    await writeTinyBertModel(modelsDir, 'oriole-test/tiny-e5-small');
    await writeTinyBertModel(modelsDir, 'oriole-test/bge-tiny-en-v1.5');
    const e5 = await createTransformersEmbedder('oriole-test/tiny-e5-small', { modelsDir });
    const bge = await createTransformersEmbedder('oriole-test/bge-tiny-en-v1.5', { modelsDir });
    const text = 'how to reset a password';

    const [plainQuery, plainPassage] = await embedder.embedDocuments([`query: ${text}`, `passage: ${text}`]);
    expectSameVector(await e5.embedQuery(text), plainQuery);
    expectSameVector((await e5.embedDocuments([text]))[0], plainPassage);
    expect(similarity(plainQuery!, plainPassage!)).toBeLessThan(0.99);

    const instruction = modelProfile('Xenova/bge-small-en-v1.5').queryPrefix;
    expectSameVector(await bge.embedQuery(text), (await bge.embedDocuments([instruction + text]))[0]);
    // Same weights, same text: only the pooling differs.
    const [clsPooled] = await bge.embedDocuments([text]);
    const [meanPooled] = await embedder.embedDocuments([text]);
    expect(similarity(clsPooled!, meanPooled!)).toBeLessThan(0.99);
  });

  it('fails fast with upstream_unavailable, naming the fix, when the model is not in ORIOLE_MODELS_DIR', async () => {
    const started = performance.now();
    const error = await loadError(createEmbedder('transformers:oriole-test/missing', { modelsDir }));
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(error.code).toBe('upstream_unavailable');
    expect(error.message).toContain('Could not load embedding model oriole-test/missing');
    expect(error.message).toContain(path.join(modelsDir, 'oriole-test/missing'));
    expect(error.message).toContain('ORIOLE_MODELS_DIR');
    expect(error.message).toContain('ORIOLE_EMBEDDER=none');
  });

  it('reports a corrupt model file as upstream_unavailable', async () => {
    await writeTinyBertModel(modelsDir, 'oriole-test/corrupt');
    await writeFile(path.join(modelsDir, 'oriole-test/corrupt/onnx/model_quantized.onnx'), 'not an onnx graph');
    const error = await loadError(createTransformersEmbedder('oriole-test/corrupt', { modelsDir }));
    expect(error.code).toBe('upstream_unavailable');
    expect(error.message).toContain('Could not load embedding model oriole-test/corrupt');
  });

  it('falls back to lexical-only loudly through loadEmbedder', async () => {
    const warnings: string[] = [];
    const loaded = await loadEmbedder('transformers:oriole-test/missing', { modelsDir }, (message) => warnings.push(message));
    expect(loaded.embedder).toBeNull();
    expect(loaded.status).toMatchObject({ spec: 'transformers:oriole-test/missing', ready: false, lexicalOnly: true });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('Could not load embedding model oriole-test/missing');
    expect(warnings[0]).toContain('lexical-only');
    expect(loaded.status).toHaveProperty('message', warnings[0]);

    const ready = await loadEmbedder('transformers:oriole-test/tiny-bert', { modelsDir }, (message) => warnings.push(message));
    expect(ready.status).toEqual({
      spec: 'transformers:oriole-test/tiny-bert',
      ready: true,
      lexicalOnly: false,
      dimension: tinyBertHiddenSize,
    });
    expect(warnings).toHaveLength(1);
  });
});

describe('the transformers embedder downloading from a model hub', () => {
  let modelsDir: string;
  let cacheDir: string;
  let hub: Server;
  let hubUrl: string;
  let mode: 'serve' | 'hang' | 'not-found' = 'serve';
  const requested: string[] = [];

  beforeAll(async () => {
    modelsDir = await mkdtemp(path.join(tmpdir(), 'oriole-hub-files-'));
    cacheDir = await mkdtemp(path.join(tmpdir(), 'oriole-cache-'));
    // The repository publishes fp32 weights only, as some do.
    await writeTinyBertModel(modelsDir, 'oriole-test/hub-bert', { quantized: false });
    // A static file server in the Hub's URL layout: /<model>/resolve/<revision>/<file>.
    hub = createServer((request, response) => {
      requested.push(request.url ?? '');
      if (mode === 'hang') return;
      const match = /^\/(.+?)\/resolve\/[^/]+\/(.+)$/.exec(request.url ?? '');
      if (mode === 'not-found' || !match) return void response.writeHead(404).end('Entry not found');
      void import('node:fs/promises')
        .then(({ readFile }) => readFile(path.join(modelsDir, match[1]!, match[2]!)))
        .then(
          (bytes) => response.writeHead(200, { 'Content-Length': bytes.length }).end(bytes),
          () => response.writeHead(404).end('Entry not found'),
        );
    });
    await new Promise<void>((resolve) => hub.listen(0, '127.0.0.1', resolve));
    hubUrl = `http://127.0.0.1:${(hub.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    hub.closeAllConnections();
    await new Promise((resolve) => hub.close(resolve));
    await rm(modelsDir, { recursive: true, force: true });
    await rm(cacheDir, { recursive: true, force: true });
  });

  const settings = () => ({ ...defaultTransformersEmbedderSettings, hubUrl, responseTimeoutMs: 300, stallTimeoutMs: 300 });

  it('downloads into the cache (q8 missing: fp32), then loads from the cache with the hub gone', async () => {
    mode = 'serve';
    const progress: string[] = [];
    const downloaded = await createTransformersEmbedder(
      'oriole-test/hub-bert',
      { cacheDir, onProgress: (event) => progress.push(event.file) },
      settings(),
    );
    expect(requested.some((url) => url.endsWith('/onnx/model_quantized.onnx'))).toBe(true);
    expect(progress).toContain('onnx/model.onnx');

    mode = 'hang';
    const requestsBefore = requested.length;
    const cached = await createTransformersEmbedder('oriole-test/hub-bert', { cacheDir }, settings());
    expect(requested.slice(requestsBefore)).toEqual([]);
    expect(await cached.embedQuery('reset your password')).toEqual(await downloaded.embedQuery('reset your password'));
  });

  it('gives up promptly with upstream_unavailable when the hub does not answer', async () => {
    mode = 'hang';
    const started = performance.now();
    const error = await loadError(createTransformersEmbedder('oriole-test/other-bert', { cacheDir }, settings()));
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(error.code).toBe('upstream_unavailable');
    expect(error.message).toContain('Could not load embedding model oriole-test/other-bert');
    expect(error.message).toContain('no response within 300 ms');
    expect(error.message).toContain('ORIOLE_MODELS_DIR');
  });

  it('reports a model the hub does not have as upstream_unavailable', async () => {
    mode = 'not-found';
    const error = await loadError(createTransformersEmbedder('oriole-test/unknown-bert', { cacheDir }, settings()));
    expect(error.code).toBe('upstream_unavailable');
    expect(error.message).toContain('config.json');
  });
});
