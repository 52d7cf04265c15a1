import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OpenAIEmbedderSettings } from '../../src/embedders/index.ts';
import {
  createEmbedder,
  createOpenAIEmbedder,
  defaultOpenAIEmbedderSettings,
  loadEmbedder,
} from '../../src/embedders/index.ts';
import { failure } from '../helpers/failures.ts';

/**
 * A real HTTP server on 127.0.0.1 speaking the OpenAI embeddings protocol. Each
 * request is answered by the next scripted reply, or by a normal embeddings
 * response once the script runs out.
 */
interface RecordedRequest {
  method: string;
  url: string;
  authorization: string | undefined;
  contentType: string | undefined;
  body: { model: string; input: string[] };
  receivedAt: number;
}

type Reply = 'hang' | 'drop-connection' | { status: number; headers?: Record<string, string>; body: unknown };

const fakeDimension = 8;

/** A vector that identifies its text, so tests can check which vector came back where. */
function fakeEmbedding(text: string): number[] {
  const vector = Array.from({ length: fakeDimension }, (_, index) => (text.charCodeAt(index % Math.max(text.length, 1)) || 1) + index);
  vector[0] = text.length + 1;
  return vector;
}

function unit(vector: number[]): number[] {
  const norm = Math.hypot(...vector);
  return vector.map((value) => value / norm);
}

function expectVectorFor(text: string, actual: number[] | undefined): void {
  const expected = unit(fakeEmbedding(text));
  expect(actual).toHaveLength(fakeDimension);
  actual!.forEach((value, index) => expect(value).toBeCloseTo(expected[index]!, 10));
}

/** The usual reply: data in reverse order, as a server may send it, with extra fields a schema must ignore. */
function embeddingsReply(body: RecordedRequest['body']): Reply {
  return {
    status: 200,
    body: {
      object: 'list',
      model: body.model,
      data: body.input.map((text, index) => ({ object: 'embedding', index, embedding: fakeEmbedding(text) })).reverse(),
      usage: { prompt_tokens: 1, total_tokens: 1 },
    },
  };
}

describe('the openai embedder against a local OpenAI-compatible server', () => {
  let server: Server;
  let baseUrl: string;
  let requests: RecordedRequest[];
  let script: Reply[];

  const settings: OpenAIEmbedderSettings = {
    ...defaultOpenAIEmbedderSettings,
    requestTimeoutMs: 500,
    maxRetries: 2,
    retryBaseDelayMs: 5,
    retryMaxDelayMs: 20,
  };
  const create = (overrides: Partial<OpenAIEmbedderSettings> = {}) =>
    createOpenAIEmbedder('text-embedding-test', { apiKey: 'sk-test', baseUrl }, { ...settings, ...overrides });


  beforeAll(async () => {
    server = createServer((request: IncomingMessage, response: ServerResponse) => {
      let raw = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (raw += chunk));
      request.on('end', () => {
        const body = JSON.parse(raw) as RecordedRequest['body'];
        requests.push({
          method: request.method ?? '',
          url: request.url ?? '',
          authorization: request.headers.authorization,
          contentType: request.headers['content-type'],
          body,
          receivedAt: performance.now(),
        });
        const reply = script.shift() ?? embeddingsReply(body);
        if (reply === 'hang') return;
        if (reply === 'drop-connection') return void request.socket.destroy();
        response.writeHead(reply.status, { 'Content-Type': 'application/json', ...reply.headers });
        response.end(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    requests = [];
    script = [];
  });

  it('learns the dimension from one probe request, sending the model and the bearer key', async () => {
    const embedder = await create();
    expect(embedder.id).toBe('openai:text-embedding-test');
    expect(embedder.dimension).toBe(fakeDimension);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      method: 'POST',
      url: '/v1/embeddings',
      authorization: 'Bearer sk-test',
      contentType: 'application/json',
      body: { model: 'text-embedding-test', input: ['dimension probe'] },
    });
  });

  it('sends no Authorization header to a server configured without a key', async () => {
    await createOpenAIEmbedder('nomic-embed-text', { baseUrl }, settings);
    expect(requests[0]!.authorization).toBeUndefined();
  });

  it('splits inputs into batches and restores the order by index', async () => {
    const embedder = await create();
    const texts = Array.from({ length: 200 }, (_, index) => `help article ${index}`);
    const vectors = await embedder.embedDocuments(texts);
    expect(requests.slice(1).map((request) => request.body.input.length)).toEqual([96, 96, 8]);
    expect(requests.slice(1).flatMap((request) => request.body.input)).toEqual(texts);
    expect(vectors).toHaveLength(200);
    texts.forEach((text, index) => expectVectorFor(text, vectors[index]));
    expectVectorFor('how do refunds work?', await embedder.embedQuery('how do refunds work?'));
  });

  it('retries a 429 after the Retry-After the server asks for, then succeeds', async () => {
    const embedder = await create();
    script = [{ status: 429, headers: { 'Retry-After': '1' }, body: { error: { message: 'Rate limit reached' } } }];
    const [vector] = await embedder.embedDocuments(['reset your password']);
    expectVectorFor('reset your password', vector);
    const [, limited, retried] = requests;
    expect(requests).toHaveLength(3);
    expect(retried!.receivedAt - limited!.receivedAt).toBeGreaterThanOrEqual(950);
  });

  it('retries dropped connections, timeouts and 5xx', async () => {
    const embedder = await create();
    script = ['drop-connection', 'hang'];
    expectVectorFor('a', (await embedder.embedDocuments(['a']))[0]);
    expect(requests).toHaveLength(4);

    script = [{ status: 503, body: 'upstream overloaded' }];
    expectVectorFor('b', await embedder.embedQuery('b'));
  });

  it.each([400, 401, 404])('does not retry HTTP %i, and says what the server said', async (status) => {
    const embedder = await create();
    script = [{ status, body: { error: { message: `refused with ${status}` } } }];
    const error = await failure(embedder.embedDocuments(['x']));
    expect(requests).toHaveLength(2);
    expect(error.code).toBe('upstream_unavailable');
    expect(error.message).toContain(`HTTP ${status}: refused with ${status}`);
    expect(error.details).toMatchObject({ status });
  });

  it('gives up on repeated 500s with upstream_unavailable after the allowed retries', async () => {
    const embedder = await create();
    script = Array.from({ length: 5 }, () => ({ status: 500, body: { error: { message: 'server error' } } }));
    const error = await failure(embedder.embedDocuments(['x']));
    expect(requests).toHaveLength(1 + 3);
    expect(error.code).toBe('upstream_unavailable');
    expect(error.message).toContain('HTTP 500');
    expect(error.details).toMatchObject({ status: 500, attempts: 3 });
  });

  it('refuses a response that does not match the inputs, without retrying', async () => {
    const embedder = await create();
    script = [{ status: 200, body: { data: [{ index: 0, embedding: fakeEmbedding('x') }] } }];
    const error = await failure(embedder.embedDocuments(['x', 'y']));
    expect(error.message).toContain('1 vectors for 2 inputs');
    script = [{ status: 200, body: { data: [{ embedding: [1, 2] }] } }];
    expect((await failure(embedder.embedDocuments(['x']))).message).toContain('unexpected shape');
    script = [{ status: 200, body: '<html>proxy error</html>' }];
    expect((await failure(embedder.embedDocuments(['x']))).message).toContain('not JSON');
    expect(requests).toHaveLength(4);
  });

  it('fails to load with upstream_unavailable when the probe fails, and loadEmbedder falls back', async () => {
    script = [{ status: 404, body: { error: { message: "model 'nope' not found" } } }];
    const error = await failure(create());
    expect(error.code).toBe('upstream_unavailable');
    expect(error.message).toContain("Could not load embedding model text-embedding-test: Embedding request to");
    expect(error.message).toContain("model 'nope' not found");
    expect(error.message).toContain('ORIOLE_EMBEDDER=none');

    script = [{ status: 401, body: { error: { message: 'Incorrect API key provided' } } }];
    const warnings: string[] = [];
    const loaded = await loadEmbedder(
      'openai:text-embedding-test',
      { openai: { apiKey: 'sk-wrong', baseUrl } },
      (message) => warnings.push(message),
    );
    expect(loaded.embedder).toBeNull();
    expect(loaded.status).toMatchObject({ ready: false, lexicalOnly: true });
    expect(warnings[0]).toContain('Incorrect API key provided');
  });

  it('is created from a spec with the injected fetch, and needs a key for api.openai.com', async () => {
    const fetched: string[] = [];
    const countingFetch: typeof fetch = (input, init) => {
      fetched.push(String(input));
      return fetch(input, init);
    };
    const embedder = await createEmbedder('openai:text-embedding-test', {
      openai: { apiKey: 'sk-test', baseUrl },
      fetch: countingFetch,
    });
    expect(embedder?.dimension).toBe(fakeDimension);
    expect(fetched).toEqual([`${baseUrl}embeddings`]);

    const missingKey = await failure(createEmbedder('openai:text-embedding-3-small', {}));
    expect(missingKey.code).toBe('config_invalid');
    expect(missingKey.message).toContain('OPENAI_API_KEY');
    await expect(loadEmbedder('openai:text-embedding-3-small', {}, () => undefined)).rejects.toMatchObject({
      code: 'config_invalid',
    });
  });
});
