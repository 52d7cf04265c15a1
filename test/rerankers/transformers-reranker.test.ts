import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrioleError, type Reranker } from '../../src/core/index.ts';
import { createReranker, loadReranker, parseRerankerSpec } from '../../src/rerankers/index.ts';
import {
  createTransformersReranker,
  defaultTransformersRerankerSettings,
} from '../../src/rerankers/transformers-reranker.ts';
import { writeTinyBertModel, writeTinyCrossEncoderModel } from '../helpers/tiny-bert-model.ts';

async function loadError(promise: Promise<unknown>): Promise<OrioleError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(OrioleError);
    return error as OrioleError;
  }
  throw new Error('expected the load to fail');
}

const noNetwork: typeof fetch = () => Promise.reject(new Error('this test has no network'));

describe('the transformers reranker on a real ONNX cross-encoder from ORIOLE_MODELS_DIR', () => {
  let modelsDir: string;
  let reranker: Reranker;
  const progress: string[] = [];
  const query = 'how do I reset my password';

  beforeAll(async () => {
    modelsDir = await mkdtemp(path.join(tmpdir(), 'oriole-rerankers-'));
    await writeTinyCrossEncoderModel(modelsDir, 'oriole-test/tiny-cross-encoder', { synonyms: [['delete', 'remove']] });
    reranker = (await createReranker('transformers:oriole-test/tiny-cross-encoder', {
      modelsDir,
      fetch: noNetwork,
      onProgress: (event) => progress.push(event.file),
    }))!;
  });
  afterAll(async () => {
    await rm(modelsDir, { recursive: true, force: true });
  });

  it('loads the q8 weights with no network, named by its spec', () => {
    expect(reranker.id).toBe('transformers:oriole-test/tiny-cross-encoder');
    expect(progress).toContain('onnx/model_quantized.onnx');
  });

  it('scores the passage that shares the query’s words highest, one score per text in order', async () => {
    const texts = [
      'The weather is sunny today.',
      'Reset your password: open the login page and click forgot password.',
      'Change the email on your profile.',
      'To reset it, see the settings page.',
    ];
    // The tiny model's logit counts shared words: reset + password twice; nothing; nothing; reset.
    expect(await reranker.rerank(query, texts)).toEqual([0, 3, 0, 1]);
  });

  it('reads meaning the words alone miss: synonyms count as the query’s words', async () => {
    const [synonym, unrelated] = await reranker.rerank('remove my account', ['delete the account', 'export the account']);
    expect(synonym).toBeGreaterThan(unrelated!);
  });

  it('scores a batch larger than one model run as it scores each text alone', async () => {
    const texts = Array.from({ length: 2 * defaultTransformersRerankerSettings.maxBatchSize + 5 }, (_, index) =>
      index % 3 === 0 ? `reset password ${index}` : index % 3 === 1 ? 'the weather is sunny' : 'how do I reset my account password',
    );
    const batch = await reranker.rerank(query, texts);
    expect(batch).toHaveLength(texts.length);
    for (const index of [0, 1, 2, 16, 17, texts.length - 1]) {
      const [alone] = await reranker.rerank(query, [texts[index]!]);
      expect(batch[index]).toBeCloseTo(alone!, 5);
    }
    expect(await reranker.rerank(query, [])).toEqual([]);
  });

  it('answers concurrent callers each with their own scores', async () => {
    const queries = ['reset my password', 'remove my account', 'is it sunny'];
    const texts = ['reset the password', 'delete your account', 'the weather is sunny'];
    const concurrent = await Promise.all(queries.map((each) => reranker.rerank(each, texts)));
    for (const [index, each] of queries.entries()) expect(concurrent[index]).toEqual(await reranker.rerank(each, texts));
  });

  it('keeps the query when a long passage is truncated', async () => {
    const long = `${'the weather is sunny today. '.repeat(200)} reset password`;
    // Past the model's 512 tokens the passage's tail goes, with the query's words in it.
    const [score] = await reranker.rerank(query, [long]);
    expect(score).toBe(0);
    const [withQueryWordsFirst] = await reranker.rerank(query, [`reset password ${'the weather is sunny today. '.repeat(200)}`]);
    expect(withQueryWordsFirst).toBe(2);
  });

  it('turns two-label logits into the probability of the relevant class', async () => {
    await writeTinyCrossEncoderModel(modelsDir, 'oriole-test/two-label-cross-encoder', { labels: 2 });
    const twoLabels = await createTransformersReranker('oriole-test/two-label-cross-encoder', { modelsDir });
    const [unrelated, related] = await twoLabels.rerank(query, ['the weather is sunny', 'reset your password']);
    expect(unrelated).toBeCloseTo(0.5, 6); // no shared words: logits [0, 0]
    expect(related).toBeCloseTo(1 / (1 + Math.exp(-2)), 6); // two shared words: sigmoid(2)
  });

  it('falls back to fp32 weights when the model has no q8 file', async () => {
    await writeTinyCrossEncoderModel(modelsDir, 'oriole-test/fp32-cross-encoder', { quantized: false });
    const loaded: string[] = [];
    const fp32 = await createTransformersReranker('oriole-test/fp32-cross-encoder', {
      modelsDir,
      onProgress: (event) => loaded.push(event.file),
    });
    expect(loaded).toContain('onnx/model.onnx');
    expect(await fp32.rerank(query, ['reset your password'])).toEqual([2]);
  });

  it('fails fast with upstream_unavailable, naming the fix, when the model is not in ORIOLE_MODELS_DIR', async () => {
    const started = performance.now();
    const error = await loadError(createReranker('transformers:oriole-test/missing', { modelsDir, fetch: noNetwork }));
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(error.code).toBe('upstream_unavailable');
    expect(error.message).toContain('Could not load reranker model oriole-test/missing');
    expect(error.message).toContain(path.join(modelsDir, 'oriole-test/missing'));
    expect(error.message).toContain('ORIOLE_MODELS_DIR');
    expect(error.message).toContain('ORIOLE_RERANKER=none');
    expect(error.details).toEqual({ reranker: 'transformers:oriole-test/missing' });
  });

  it('refuses an embedding model, which has no relevance logits', async () => {
    await writeTinyBertModel(modelsDir, 'oriole-test/embedding-model');
    const error = await loadError(createReranker('transformers:oriole-test/embedding-model', { modelsDir }));
    expect(error.code).toBe('upstream_unavailable');
    expect(error.message).toContain('do not run as a reranker');
  });

  it('runs without a reranker, loudly, through loadReranker', async () => {
    const warnings: string[] = [];
    const missing = await loadReranker('transformers:oriole-test/missing', { modelsDir }, (message) => warnings.push(message));
    expect(missing.reranker).toBeNull();
    expect(missing.status).toMatchObject({ spec: 'transformers:oriole-test/missing', ready: false, active: false });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('Could not load reranker model oriole-test/missing');
    expect(warnings[0]).toContain('Running without the reranker');

    const ready = await loadReranker('transformers:oriole-test/tiny-cross-encoder', { modelsDir }, (message) => warnings.push(message));
    expect(ready.reranker?.id).toBe('transformers:oriole-test/tiny-cross-encoder');
    expect(ready.status).toEqual({ spec: 'transformers:oriole-test/tiny-cross-encoder', ready: true, active: true });

    const none = await loadReranker('none', {}, (message) => warnings.push(message));
    expect(none).toEqual({ reranker: null, status: { spec: 'none', ready: true, active: false } });
    expect(warnings).toHaveLength(1);

    await expect(loadReranker('openai:rerank', {}, () => undefined)).rejects.toMatchObject({ code: 'config_invalid' });
  });

  it('parses transformers:<model> and none, and nothing else', () => {
    expect(parseRerankerSpec('transformers:Xenova/ms-marco-MiniLM-L-6-v2')).toEqual({
      kind: 'transformers',
      model: 'Xenova/ms-marco-MiniLM-L-6-v2',
    });
    expect(parseRerankerSpec(' none ')).toEqual({ kind: 'none' });
    for (const spec of ['transformers:', 'cohere:rerank-v3', 'ms-marco']) {
      expect(() => parseRerankerSpec(spec)).toThrow(/ORIOLE_RERANKER/);
    }
  });
});

describe('the transformers reranker downloading from a model hub', () => {
  let repositoryDir: string;
  let cacheDir: string;
  let hub: Server;
  let hubUrl: string;
  let mode: 'serve' | 'hang' = 'serve';
  const requested: string[] = [];
  const settings = () => ({ ...defaultTransformersRerankerSettings, hubUrl, responseTimeoutMs: 300, stallTimeoutMs: 300 });

  beforeAll(async () => {
    repositoryDir = await mkdtemp(path.join(tmpdir(), 'oriole-hub-rerankers-'));
    cacheDir = await mkdtemp(path.join(tmpdir(), 'oriole-cache-'));
    await writeTinyCrossEncoderModel(repositoryDir, 'oriole-test/hub-cross-encoder');
    // A static file server in the Hub's URL layout: /<model>/resolve/<revision>/<file>.
    hub = createServer((request, response) => {
      requested.push(request.url ?? '');
      if (mode === 'hang') return;
      const match = /^\/(.+?)\/resolve\/[^/]+\/(.+)$/.exec(request.url ?? '');
      if (!match) return void response.writeHead(404).end('Entry not found');
      readFile(path.join(repositoryDir, match[1]!, match[2]!)).then(
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
    await rm(repositoryDir, { recursive: true, force: true });
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('downloads into the cache, then loads from the cache with the hub gone', async () => {
    mode = 'serve';
    const downloaded = await createTransformersReranker('oriole-test/hub-cross-encoder', { cacheDir }, settings());
    expect(requested.some((url) => url.endsWith('/onnx/model_quantized.onnx'))).toBe(true);

    mode = 'hang';
    const requestsBefore = requested.length;
    const cached = await createTransformersReranker('oriole-test/hub-cross-encoder', { cacheDir }, settings());
    expect(requested.slice(requestsBefore)).toEqual([]);
    const texts = ['reset your password', 'the weather is sunny'];
    expect(await cached.rerank('reset my password', texts)).toEqual(await downloaded.rerank('reset my password', texts));
  });

  it('gives up promptly with upstream_unavailable when the hub does not answer', async () => {
    mode = 'hang';
    const started = performance.now();
    const error = await loadError(createTransformersReranker('oriole-test/other-cross-encoder', { cacheDir }, settings()));
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(error.code).toBe('upstream_unavailable');
    expect(error.message).toContain('Could not load reranker model oriole-test/other-cross-encoder');
    expect(error.message).toContain('no response within 300 ms');
    expect(error.message).toContain('ORIOLE_MODELS_DIR');
  });
});
