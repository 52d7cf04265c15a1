import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createHttpDependencies,
  defaultBodyLimitBytes,
  requestLimits,
  jsonUploadEnvelopeBytes,
  routeBodyLimits,
  type HttpDependencies,
  type HttpSettings,
} from '../../src/api/index.ts';
import type { AnswerService } from '../../src/answer/index.ts';
import type { AnswerResponse } from '../../src/core/index.ts';
import { loadConfig, OrioleError } from '../../src/core/index.ts';
import { createApiKey, ensureKnowledgeBase, type Database } from '../../src/db/index.ts';
import { createTestApp, expectError, postJson, type TestApp } from '../helpers/app.ts';
import { openMigrated, testBackends } from '../helpers/databases.ts';

const offSettings: HttpSettings = { corsOrigins: [], requestTimeoutMs: 0, trustedProxies: 0, rateLimit: { perMinute: 0, burst: 1 } };

function http(settings: Partial<HttpSettings>, now: () => number = Date.now): HttpDependencies {
  // In-process requests have no socket: the test names the peer in a header.
  return createHttpDependencies({ ...offSettings, ...settings }, (context) => context.req.header('x-test-peer'), now);
}

/** A body that never ends, counting what was read of it. */
function endlessBody(chunkBytes = 64 * 1024): { body: ReadableStream<Uint8Array>; read: () => number } {
  let read = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      read += chunkBytes;
      controller.enqueue(new Uint8Array(chunkBytes).fill(0x20));
    },
  });
  return { body, read: () => read };
}

async function errorOf(response: Response): Promise<{ status: number; code: string; message: string; details?: Record<string, unknown> }> {
  const body = (await response.json()) as { error: { code: string; message: string; details?: Record<string, unknown> } };
  return { status: response.status, ...body.error };
}

const uploadLimitBytes = 256 * 1024;

describe('the HTTP edge settings', () => {
  it('defaults to 600 requests a minute with bursts of 100, a 60 s timeout, no CORS and no trusted proxy', () => {
    expect(loadConfig({}).http).toEqual({
      corsOrigins: [],
      requestTimeoutMs: 60_000,
      trustedProxies: 0,
      rateLimit: { perMinute: 600, burst: 100 },
    });
  });

  it('reads origins, proxies, rates and the timeout', () => {
    const config = loadConfig({
      ORIOLE_CORS_ORIGINS: 'https://chat.example.com, http://localhost:5173',
      ORIOLE_TRUST_PROXY: 'true',
      ORIOLE_RATE_LIMIT_PER_MINUTE: '0',
      ORIOLE_REQUEST_TIMEOUT_MS: '0',
    });
    expect(config.http).toMatchObject({
      corsOrigins: ['https://chat.example.com', 'http://localhost:5173'],
      trustedProxies: 1,
      requestTimeoutMs: 0,
      rateLimit: { perMinute: 0 },
    });
    expect(loadConfig({ ORIOLE_TRUST_PROXY: '2', ORIOLE_RATE_LIMIT_PER_MINUTE: '30', ORIOLE_RATE_LIMIT_BURST: '7' }).http).toMatchObject({
      trustedProxies: 2,
      rateLimit: { perMinute: 30, burst: 7 },
    });
    expect(loadConfig({ ORIOLE_CORS_ORIGINS: '*' }).http.corsOrigins).toEqual(['*']);
  });

  it.each([
    ['ORIOLE_CORS_ORIGINS', 'https://chat.example.com/'],
    ['ORIOLE_CORS_ORIGINS', 'chat.example.com'],
    ['ORIOLE_TRUST_PROXY', 'yes'],
    ['ORIOLE_RATE_LIMIT_PER_MINUTE', '-1'],
    ['ORIOLE_RATE_LIMIT_BURST', '0'],
    ['ORIOLE_REQUEST_TIMEOUT_MS', '50'],
  ])('refuses %s=%s, naming the variable', (variable, value) => {
    let caught: unknown;
    try {
      loadConfig({ [variable]: value });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(OrioleError);
    expect((caught as OrioleError).message).toContain(variable);
  });
});

describe.each(testBackends())('request limits on $name', { timeout: 60_000 }, (backend) => {
  let database: Database;
  let app: TestApp;

  beforeAll(async () => {
    database = await openMigrated(backend);
    await ensureKnowledgeBase(database, { name: 'default', embedder: 'none' });
    ({ app } = createTestApp(database, { worker: false, limits: { maxRequestBytes: uploadLimitBytes } }));
  });
  afterAll(async () => {
    await backend.cleanup();
  });

  const limitOf = (path: string) => {
    const rule = routeBodyLimits.find((candidate) => candidate.path === path)!;
    return typeof rule.maxBytes === 'number' ? rule.maxBytes : uploadLimitBytes;
  };

  describe('body sizes', () => {
    it.each(routeBodyLimits.map((rule) => rule.path))('POST %s: one byte over its limit is 413 naming the limit', async (path) => {
      const limit = limitOf(path);
      const error = await errorOf(await postJson(app, path, ' '.repeat(limit + 1)));
      expect(error).toMatchObject({ status: 413, code: 'payload_too_large', details: { limit } });
      expect(error.message).toContain(String(limit));
      // At the limit the body is read (and found not to be JSON).
      expect((await postJson(app, path, ' '.repeat(limit))).status).not.toBe(413);
    });

    it.each(routeBodyLimits.map((rule) => rule.path))('POST %s: an endless body is refused once past the limit', async (path) => {
      const limit = limitOf(path);
      const { body, read } = endlessBody();
      const response = await app.request(path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body,
        duplex: 'half',
      } as RequestInit);
      expect(await errorOf(response)).toMatchObject({ status: 413, code: 'payload_too_large', details: { limit } });
      expect(read()).toBeLessThanOrEqual(limit + 4 * 64 * 1024);
    });

    it('refuses a declared Content-Length over the limit without reading, and closes the connection', async () => {
      const response = await app.request('/answer', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Content-Length': String(10 * 1024 * 1024) },
        body: '{}',
      });
      expect(response.headers.get('connection')).toBe('close');
      await expectError(response, 413, 'payload_too_large');
    });

    it('limits a route missing from the table to the default', async () => {
      const error = await errorOf(await postJson(app, '/no-such-route', ' '.repeat(defaultBodyLimitBytes + 1)));
      expect(error).toMatchObject({ status: 413, details: { limit: defaultBodyLimitBytes } });
    });

    it('limits a JSON upload, which carries one document, by the document limit: refused from Content-Length, unread', async () => {
      const uploads = createTestApp(database, { worker: false, limits: { maxDocumentBytes: 64 * 1024, maxRequestBytes: 8 * 1024 * 1024 } }).app;
      const jsonLimit = 64 * 1024 + jsonUploadEnvelopeBytes;
      const response = await uploads.request('/documents', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Content-Length': String(jsonLimit + 1) },
        body: '{}',
      });
      expect(await errorOf(response)).toMatchObject({ status: 413, details: { limit: jsonLimit } });
      // Multipart keeps the request limit: several files may share it.
      const form = new FormData();
      form.append('file', new File(['x'.repeat(2 * jsonLimit)], 'big.txt', { type: 'text/plain' }));
      const multipart = await errorOf(await uploads.request('/documents', { method: 'POST', body: form }));
      expect(multipart).toMatchObject({ status: 413, details: { limit: 64 * 1024 } });
      expect(multipart.message).toContain('big.txt');
    });

    it('limits multipart uploads by the configured upload size', async () => {
      const form = new FormData();
      form.append('file', new File(['x'.repeat(uploadLimitBytes)], 'big.txt', { type: 'text/plain' }));
      const response = await app.request('/documents', { method: 'POST', body: form });
      expect(await errorOf(response)).toMatchObject({ status: 413, details: { limit: uploadLimitBytes } });
    });
  });

  describe('lengths and counts', () => {
    const turn = (content: string) => ({ role: 'user', content });
    const cases: Array<[string, string, unknown, string]> = [
      ['an over-long question', '/answer', { question: 'x'.repeat(requestLimits.questionChars + 1) }, 'question'],
      ['an over-long query', '/search', { query: 'x'.repeat(requestLimits.questionChars + 1) }, 'query'],
      ['too many history turns', '/answer', { question: 'q', history: Array.from({ length: requestLimits.historyTurns + 1 }, () => turn('hi')) }, 'history'],
      ['an over-long history turn', '/answer', { question: 'q', history: [turn('x'.repeat(requestLimits.turnChars + 1))] }, 'history.0.content'],
      ['topK 0', '/answer', { question: 'q', topK: 0 }, 'topK'],
      ['topK over 20 on /answer', '/answer', { question: 'q', topK: requestLimits.answerTopK + 1 }, 'topK'],
      ['topK over 50 on /search', '/search', { query: 'q', topK: requestLimits.searchTopK + 1 }, 'topK'],
      ['too many source filters', '/search', { query: 'q', filters: { sources: Array.from({ length: requestLimits.filterSources + 1 }, (_, index) => `s${index}`) } }, 'filters.sources'],
      ['an over-long source filter', '/search', { query: 'q', filters: { sources: ['s'.repeat(requestLimits.filterSourceChars + 1)] } }, 'filters.sources.0'],
      ['too many tag filters', '/answer', { question: 'q', filters: { tags: Object.fromEntries(Array.from({ length: requestLimits.filterTags + 1 }, (_, index) => [`k${index}`, 'v'])) } }, 'filters.tags'],
      ['an over-long userId', '/answer', { question: 'q', metadata: { userId: 'u'.repeat(requestLimits.userIdChars + 1) } }, 'metadata.userId'],
      ['an over-long channel', '/answer', { question: 'q', metadata: { channel: 'c'.repeat(requestLimits.channelChars + 1) } }, 'metadata.channel'],
      ['too many chat messages', '/v1/chat/completions', { model: 'default', messages: Array.from({ length: requestLimits.chatMessages + 1 }, () => turn('hi')) }, 'messages'],
      ['an over-long chat question', '/v1/chat/completions', { model: 'default', messages: [turn('x'.repeat(requestLimits.questionChars + 1))] }, 'messages.0.content'],
      ['an over-long chat message', '/v1/chat/completions', { model: 'default', messages: [{ role: 'assistant', content: 'x'.repeat(requestLimits.turnChars + 1) }, turn('q')] }, 'messages.0.content'],
      [
        'chat content parts over the limit together',
        '/v1/chat/completions',
        { model: 'default', messages: [{ role: 'user', content: [{ type: 'text', text: 'x'.repeat(3_000) }, { type: 'text', text: 'y'.repeat(3_000) }] }] },
        'messages.0.content',
      ],
      ['an over-long chat user', '/v1/chat/completions', { model: 'default', messages: [turn('q')], user: 'u'.repeat(requestLimits.userIdChars + 1) }, 'user'],
      ['too many document tags', '/documents', { source: 'a.md', content: '# A', tags: Object.fromEntries(Array.from({ length: requestLimits.documentTags + 1 }, (_, index) => [`k${index}`, 'v'])) }, 'tags'],
      ['an over-long tag value', '/documents', { source: 'a.md', content: '# A', tags: { k: 'v'.repeat(requestLimits.tagValueChars + 1) } }, 'tags.k'],
      ['oversized document metadata', '/documents', { source: 'a.md', content: '# A', metadata: { note: 'n'.repeat(requestLimits.documentMetadataChars) } }, 'metadata'],
      ['an over-long embedder spec', '/kbs', { name: 'long', embedder: `openai:${'m'.repeat(200)}` }, 'embedder'],
    ];

    it.each(cases)('%s → 400 naming %s', async (_name, path, body, field) => {
      const error = await expectError(await postJson(app, path, body), 400, 'invalid_request');
      expect(error.message).toContain(`${field}:`);
    });

    it('accepts requests at the limits', async () => {
      const history = Array.from({ length: requestLimits.historyTurns }, (_, index) => ({
        role: index % 2 === 0 ? 'user' : 'assistant',
        content: 'x'.repeat(requestLimits.turnChars),
      }));
      const response = await postJson(app, '/answer', {
        question: 'q'.repeat(requestLimits.questionChars),
        history,
        topK: requestLimits.answerTopK,
        metadata: { userId: 'u'.repeat(requestLimits.userIdChars), channel: 'c'.repeat(requestLimits.channelChars) },
      });
      expect(response.status).toBe(200);
      const search = await postJson(app, '/search', { query: 'refund', topK: requestLimits.searchTopK });
      expect(search.status).toBe(200);
      // A long conversation keeps its latest turns as history.
      const chat = await postJson(app, '/v1/chat/completions', {
        model: 'default',
        messages: Array.from({ length: requestLimits.chatMessages }, (_, index) => ({
          role: index % 2 === 0 ? 'user' : 'assistant',
          content: index === requestLimits.chatMessages - 2 ? 'q'.repeat(requestLimits.questionChars) : 'x'.repeat(requestLimits.turnChars),
        })).slice(0, requestLimits.chatMessages - 1),
      });
      expect(chat.status).toBe(200);
    });
  });

  describe('rate limiting', () => {
    const clock = { now: 1_700_000_000_000 };
    let limited: TestApp;
    const get = (path: string, headers: Record<string, string> = {}) => limited.request(path, { headers });

    beforeAll(() => {
      ({ app: limited } = createTestApp(database, {
        worker: false,
        http: http({ trustedProxies: 1, rateLimit: { perMinute: 60, burst: 3 } }, () => clock.now),
      }));
    });

    it('allows the burst, then answers 429 with Retry-After, and recovers once a token is refilled', async () => {
      const client = { 'X-Forwarded-For': '203.0.113.7' };
      const remaining: string[] = [];
      for (let index = 0; index < 3; index++) {
        const response = await get('/kbs', client);
        expect(response.status).toBe(200);
        expect(response.headers.get('ratelimit-limit')).toBe('3');
        remaining.push(response.headers.get('ratelimit-remaining')!);
      }
      expect(remaining).toEqual(['2', '1', '0']);

      const refused = await get('/kbs', client);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(refused.headers.get('ratelimit-remaining')).toBe('0');
      expect(refused.headers.get('ratelimit-reset')).toBe('3');
      const error = await expectError(refused, 429, 'rate_limited');
      expect(error.message).toContain('60 a minute');

      // Also a POST: refused before its body is read.
      await expectError(await limited.request('/answer', { method: 'POST', headers: client, body: '{}' }), 429, 'rate_limited');

      clock.now += 1_000;
      expect((await get('/kbs', client)).status).toBe(200);
      expect((await get('/kbs', client)).status).toBe(429);
    });

    it('keeps a bucket per client address; a forged X-Forwarded-For entry does not escape it', async () => {
      const first = { 'X-Forwarded-For': '198.51.100.1' };
      for (let index = 0; index < 3; index++) expect((await get('/kbs', first)).status).toBe(200);
      expect((await get('/kbs', first)).status).toBe(429);
      // Another client has its own bucket.
      expect((await get('/kbs', { 'X-Forwarded-For': '198.51.100.2' })).status).toBe(200);
      // The proxy appends the address it saw; what the client wrote to the left is ignored.
      expect((await get('/kbs', { 'X-Forwarded-For': '10.0.0.9, 198.51.100.1' })).status).toBe(429);
    });

    it('ignores X-Forwarded-For unless a proxy is trusted', async () => {
      const { app: direct } = createTestApp(database, {
        worker: false,
        http: http({ rateLimit: { perMinute: 60, burst: 1 } }, () => clock.now),
      });
      const from = (peer: string, forwarded: string) => direct.request('/kbs', { headers: { 'x-test-peer': peer, 'X-Forwarded-For': forwarded } });
      expect((await from('192.0.2.1', '1.1.1.1')).status).toBe(200);
      expect((await from('192.0.2.1', '2.2.2.2')).status).toBe(429);
      expect((await from('192.0.2.2', '2.2.2.2')).status).toBe(200);
    });

    it('never limits /health', async () => {
      const client = { 'X-Forwarded-For': '203.0.113.7' };
      expect((await get('/kbs', client)).status).toBe(429);
      const health = await get('/health', client);
      expect(health.status).toBe(200);
      expect(health.headers.get('ratelimit-limit')).toBeNull();
    });

    it('counts per API key when the request carries one, whatever its address', async () => {
      const keyed = await openMigrated(backend);
      const kb = await ensureKnowledgeBase(keyed, { name: 'default', embedder: 'none' });
      const first = (await createApiKey(keyed, { scope: 'query', kbId: kb.id, name: 'widget' })).key;
      const second = (await createApiKey(keyed, { scope: 'query', kbId: null, name: 'bot' })).key;
      const { app: withKeys } = createTestApp(keyed, {
        worker: false,
        http: http({ trustedProxies: 1, rateLimit: { perMinute: 60, burst: 2 } }, () => clock.now),
      });
      const search = (key: string, address: string) =>
        postJson(withKeys, '/search', { query: 'refund' }, { Authorization: `Bearer ${key}`, 'X-Forwarded-For': address });
      expect((await search(first, '192.0.2.10')).status).toBe(200);
      expect((await search(first, '192.0.2.11')).status).toBe(200);
      await expectError(await search(first, '192.0.2.12'), 429, 'rate_limited');
      // Another key from the same address has its own bucket.
      expect((await search(second, '192.0.2.12')).status).toBe(200);
    });
  });

  describe('CORS', () => {
    const allowed = 'https://chat.example.com';

    it('sends CORS headers to an allowed origin only', async () => {
      const { app: cors } = createTestApp(database, { worker: false, http: http({ corsOrigins: [allowed], rateLimit: { perMinute: 600, burst: 100 } }) });
      const ok = await cors.request('/kbs', { headers: { Origin: allowed } });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('access-control-allow-origin')).toBe(allowed);
      const exposed = ok.headers.get('access-control-expose-headers')!.split(',');
      expect(exposed).toEqual(expect.arrayContaining(['X-Request-Id', 'Retry-After', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset']));
      expect(ok.headers.get('vary')).toContain('Origin');

      const other = await cors.request('/kbs', { headers: { Origin: 'https://evil.example' } });
      expect(other.status).toBe(200);
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
      expect(other.headers.get('access-control-expose-headers')).toBeNull();
      expect(other.headers.get('vary')).toContain('Origin');
    });

    it('answers a preflight with 204 without a key, even when keys are required, and errors carry CORS headers', async () => {
      const { app: cors } = createTestApp(database, {
        worker: false,
        adminKey: 'a-long-enough-admin-key-for-tests',
        http: http({ corsOrigins: [allowed] }),
      });
      const preflight = await cors.request('/answer', {
        method: 'OPTIONS',
        headers: { Origin: allowed, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization, content-type' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe(allowed);
      expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
      expect(preflight.headers.get('access-control-allow-headers')!.split(',')).toEqual(
        expect.arrayContaining(['Authorization', 'Content-Type', 'X-Request-Id']),
      );
      // A browser can read why a request was refused.
      const unauthorized = await postJson(cors, '/answer', { question: 'q' }, { Origin: allowed });
      expect(unauthorized.headers.get('access-control-allow-origin')).toBe(allowed);
      await expectError(unauthorized, 401, 'unauthorized');
      // A preflight from another origin gets no permission (widget routes aside: their real request's key decides; auth.test.ts).
      const refused = await cors.request('/search', {
        method: 'OPTIONS',
        headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
      });
      expect(refused.status).toBe(204);
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    });

    it("allows any origin with '*', and sends no CORS headers when none is configured", async () => {
      const { app: any } = createTestApp(database, { worker: false, http: http({ corsOrigins: ['*'] }) });
      expect((await any.request('/kbs', { headers: { Origin: 'https://anywhere.example' } })).headers.get('access-control-allow-origin')).toBe('*');
      const none = await app.request('/kbs', { headers: { Origin: allowed } });
      expect(none.headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  describe('request timeouts', () => {
    const response = { answerId: 'a', answer: 'late', citations: [] } as unknown as AnswerResponse;

    function slowAnswers(delayMs: number): { answers: AnswerService; aborted: () => boolean } {
      let aborted = false;
      const wait = (signal: AbortSignal | undefined) =>
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, delayMs);
          signal?.addEventListener('abort', () => {
            aborted = true;
            clearTimeout(timer);
            reject(signal.reason);
          });
        });
      const answers: AnswerService = {
        async search() {
          await wait(undefined);
          return { passages: [], info: {} } as never;
        },
        async answer(_request, signal) {
          await wait(signal);
          return response;
        },
        async *stream(_request, signal) {
          yield { type: 'sources', passages: [] };
          await wait(signal);
          yield { type: 'done', response };
        },
      };
      return { answers, aborted: () => aborted };
    }

    it('stops a slow answer with 503 upstream_unavailable, aborts its work, and keeps serving', async () => {
      const slow = slowAnswers(5_000);
      const { app: timed } = createTestApp(database, { worker: false, answers: slow.answers, http: http({ requestTimeoutMs: 200 }) });
      const started = Date.now();
      const error = await expectError(await postJson(timed, '/answer', { question: 'q' }), 503, 'upstream_unavailable');
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(error.message).toContain('took longer than 200 ms');
      expect(slow.aborted()).toBe(true);
      await expectError(await postJson(timed, '/v1/chat/completions', { model: 'default', messages: [{ role: 'user', content: 'q' }] }), 503, 'upstream_unavailable');
      expect((await timed.request('/health')).status).toBe(200);
      expect((await timed.request('/kbs')).status).toBe(200);
    });

    it('lets a streamed answer run past the timeout once its stream has opened', async () => {
      const slow = slowAnswers(400);
      const { app: timed } = createTestApp(database, { worker: false, answers: slow.answers, http: http({ requestTimeoutMs: 200 }) });
      const streamed = await postJson(timed, '/answer', { question: 'q', stream: true });
      expect(streamed.status).toBe(200);
      const text = await streamed.text();
      expect(text).toContain('event: done');
      expect(slow.aborted()).toBe(false);
    });
  });
});
