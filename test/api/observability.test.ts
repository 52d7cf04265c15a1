import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RequestLogger } from '../../src/api/index.ts';
import {
  loadConfig,
  noopMetrics,
  type AnswerObservation,
  type Embedder,
  type RequestObservation,
  type ServiceMetrics,
} from '../../src/core/index.ts';
import { ensureKnowledgeBase, openPostgres, type Database } from '../../src/db/index.ts';
import { createAnswering } from '../../src/entry/answering.ts';
import { createPrometheusMetrics } from '../../src/entry/metrics.ts';
import { startServer, type RunningServer } from '../../src/entry/server.ts';
import { createTestApp, postJson, type TestApp } from '../helpers/app.ts';
import { openMigrated, testBackends } from '../helpers/databases.ts';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../helpers/fake-openai-server.ts';

interface LogLine {
  level: number | string;
  msg: string;
  [field: string]: unknown;
}

/** A RequestLogger that keeps what it is told, as pino would write it. */
function capturingLogger(): RequestLogger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const write = (level: string) => (fields: Record<string, unknown>, message: string) => {
    lines.push(JSON.parse(JSON.stringify({ level, ...fields, msg: message })) as LogLine);
  };
  return { lines, info: write('info'), warn: write('warn'), error: write('error') };
}

/** ServiceMetrics that records the requests it is told about. */
function recordingMetrics(): ServiceMetrics & { requests: RequestObservation[] } {
  const requests: RequestObservation[] = [];
  return { ...noopMetrics, requests, observeRequest: (observation) => requests.push(observation) };
}

/**
 * The probe authenticates with ORIOLE_ADMIN_KEY, which needs no database row: the
 * database-down cases then test /ready itself, not the key lookup in front of it.
 */
const adminKey = 'observability-probe-key-0123456789';
const probeHeaders = { Authorization: `Bearer ${adminKey}` };

/** The value of one series in a Prometheus exposition, or undefined when it is absent. */
function sample(exposition: string, series: string): number | undefined {
  const line = exposition.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('observability over real HTTP: /metrics, access logs and request ids from `oriole serve`', () => {
  let dataDir: string;
  let server: RunningServer;
  let fake: FakeOpenAiServer;
  const logLines: LogLine[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'oriole-observability-'));
    fake = await startFakeOpenAiServer();
    const config = loadConfig({
      ORIOLE_DATA_DIR: dataDir,
      ORIOLE_EMBEDDER: 'none',
      ORIOLE_LLM: 'openai:fake-model',
      OPENAI_BASE_URL: fake.url,
    });
    // The service's own pino logger, writing its JSON lines here instead of stderr.
    const logger = pino({ level: 'info', base: { service: 'oriole' } }, { write: (line: string) => void logLines.push(JSON.parse(line) as LogLine) });
    server = await startServer({ ...config, server: { host: '127.0.0.1', port: 0 } }, logger);

    const post = (route: string, body: unknown) =>
      fetch(`${server.url}${route}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post('/kbs', { name: 'default' })).status).toBe(201);
    const queued = (await (
      await post('/documents', {
        kb: 'default',
        source: 'billing/refunds.md',
        content: '# Refunds\n\nRefunds take five business days to reach your card after we approve them.\n',
      })
    ).json()) as { jobId: string };
    const deadline = Date.now() + 20_000;
    for (;;) {
      const job = (await (await fetch(`${server.url}/jobs/${queued.jobId}`)).json()) as { status: string };
      if (job.status === 'succeeded') break;
      if (job.status === 'failed' || Date.now() > deadline) throw new Error(`ingestion job ended ${job.status}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await fake?.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  beforeEach(() => fake.setBehaviour({}));

  const post = (route: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${route}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const metrics = async () => {
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return response.text();
  };

  it('counts requests by route pattern, method and status, never by raw path', async () => {
    expect((await post('/search', { query: 'refund card' })).status).toBe(200);
    expect((await post('/search', { query: 'refund card' })).status).toBe(200);
    expect((await fetch(`${server.url}/documents/${randomUUID()}`)).status).toBe(404);
    expect((await fetch(`${server.url}/no/such/route/${randomUUID()}`)).status).toBe(404);
    const exposition = await metrics();
    expect(sample(exposition, 'oriole_http_requests_total{route="/search",method="POST",status="200"}')).toBe(2);
    expect(sample(exposition, 'oriole_http_requests_total{route="/documents/{id}",method="GET",status="404"}')).toBe(1);
    expect(sample(exposition, 'oriole_http_requests_total{route="unmatched",method="GET",status="404"}')).toBe(1);
    expect(sample(exposition, 'oriole_http_requests_total{route="/jobs/{id}",method="GET",status="200"}')).toBeGreaterThan(0);
    expect(exposition).toContain('oriole_http_request_duration_seconds_bucket{le="0.005",route="/search",method="POST",status="200"}');
    expect(exposition).not.toMatch(/route="[^"]*[0-9a-f]{8}-[0-9a-f]{4}/);
    // Node's process metrics come with it.
    expect(exposition).toContain('process_cpu_seconds_total');
    expect(exposition).toContain('nodejs_eventloop_lag_seconds');
  });

  it('counts answers by mode and abstention, with retrieval and generation latency', async () => {
    const answered = (await (await post('/answer', { question: 'How long do refunds take?' })).json()) as { abstained: boolean; mode: string };
    expect(answered).toMatchObject({ abstained: false, mode: 'generative' });
    const abstained = (await (await post('/answer', { question: 'Can I pay with Bitcoin?' })).json()) as { abstained: boolean; mode: string };
    expect(abstained.abstained).toBe(true);
    const exposition = await metrics();
    expect(sample(exposition, 'oriole_answers_total{kb="default",mode="generative",abstained="false"}')).toBe(1);
    expect(sample(exposition, `oriole_answers_total{kb="default",mode="${abstained.mode}",abstained="true"}`)).toBe(1);
    expect(sample(exposition, 'oriole_retrieval_duration_seconds_count{mode="generative"}')).toBe(1);
    expect(sample(exposition, 'oriole_generation_duration_seconds_count{mode="generative"}')).toBe(1);
  });

  it('counts a language model failure by reason, and the extractive answer served instead', async () => {
    fake.setBehaviour({ failWith: { status: 400, message: 'bad request from the fake' } });
    // A question not asked before: the one above is now in the answer cache and would never reach the model.
    const body = (await (await post('/answer', { question: 'How long does a refund take?' })).json()) as { mode: string; abstained: boolean };
    expect(body).toMatchObject({ mode: 'extractive', abstained: false });
    const exposition = await metrics();
    expect(sample(exposition, 'oriole_generation_failures_total{code="http_400"}')).toBe(1);
    expect(sample(exposition, 'oriole_answers_total{kb="default",mode="extractive",abstained="false"}')).toBe(1);
  });

  it('counts ingested documents by outcome, with their ingestion time', async () => {
    const exposition = await metrics();
    expect(sample(exposition, 'oriole_ingested_documents_total{outcome="added"}')).toBe(1);
    expect(sample(exposition, 'oriole_ingestion_document_duration_seconds_count{outcome="added"}')).toBe(1);
    expect(sample(exposition, 'oriole_embedder_errors_total')).toBe(0);
  });

  it('echoes a well-formed X-Request-Id, generates one otherwise, and logs it with the request', async () => {
    const echoed = await post('/search', { query: 'refund' }, { 'X-Request-Id': 'frontend-1234_abc' });
    expect(echoed.headers.get('x-request-id')).toBe('frontend-1234_abc');
    const generated = await fetch(`${server.url}/health`);
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    for (const invalid of ['x'.repeat(129), 'has spaces in it', 'semi;colon', '<script>']) {
      const replaced = await fetch(`${server.url}/health`, { headers: { 'X-Request-Id': invalid } });
      expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
    // Errors carry it in the body and the header.
    const failed = await fetch(`${server.url}/documents/${randomUUID()}`, { headers: { 'X-Request-Id': 'trace-404' } });
    expect(failed.headers.get('x-request-id')).toBe('trace-404');
    expect(((await failed.json()) as { error: { requestId: string } }).error.requestId).toBe('trace-404');

    const line = logLines.find((logged) => logged.requestId === 'frontend-1234_abc');
    expect(line).toMatchObject({ msg: 'request', method: 'POST', route: '/search', status: 200, level: 30, service: 'oriole' });
    expect(typeof line!.ms).toBe('number');
    expect(logLines.find((logged) => logged.requestId === 'trace-404')).toMatchObject({
      route: '/documents/{id}',
      status: 404,
      errorCode: 'not_found',
    });
  });

  it('is in the OpenAPI document', async () => {
    const document = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(document.paths['/metrics']).toBeDefined();
    expect(document.paths['/ready']).toBeDefined();
  });
});

describe.each(testBackends())('access logs, route labels and /ready on $name', (backend) => {
  let database: Database;
  let app: TestApp;
  const logger = capturingLogger();
  const metrics = recordingMetrics();

  beforeAll(async () => {
    database = await openMigrated(backend);
    app = createTestApp(database, { worker: false, logger, metrics }).app;
    expect((await postJson(app, '/kbs', { name: 'default' })).status).toBe(201);
  });
  afterAll(async () => {
    await backend.cleanup();
  });

  it('writes one JSON access-log line per request: request id, method, route pattern, status, ms, kb', async () => {
    await postJson(app, '/search', { query: 'refund', kb: 'default' }, { 'X-Request-Id': 'search-1' });
    const id = randomUUID();
    await app.request(`/documents/${id}`, { headers: { 'X-Request-Id': 'document-1' } });
    await app.request('/documents?kb=default', { headers: { 'X-Request-Id': 'list-1' } });

    expect(logger.lines.find((line) => line.requestId === 'search-1')).toEqual({
      level: 'info',
      msg: 'request',
      requestId: 'search-1',
      method: 'POST',
      route: '/search',
      status: 200,
      ms: expect.any(Number),
      kb: 'default',
      // The authentication middleware's principal: auth is off here.
      keyId: 'anonymous',
    });
    const document = logger.lines.find((line) => line.requestId === 'document-1')!;
    expect(document).toMatchObject({ route: '/documents/{id}', status: 404, errorCode: 'not_found' });
    expect(JSON.stringify(document)).not.toContain(id);
    expect(logger.lines.find((line) => line.requestId === 'list-1')).toMatchObject({ route: '/documents', kb: 'default', status: 200 });
  });

  it('labels requests by route pattern; a request no route matched is `unmatched`', async () => {
    metrics.requests.length = 0;
    await app.request(`/jobs/${randomUUID()}`);
    await app.request(`/kbs/${'a'.repeat(20)}`, { method: 'DELETE' });
    await app.request('/wp-admin/setup.php');
    await app.request('/search', { method: 'BREW' });
    await postJson(app, '/search', '{"query":');
    expect(metrics.requests.map(({ route, method, status }) => ({ route, method, status }))).toEqual([
      { route: '/jobs/{id}', method: 'GET', status: 404 },
      { route: '/kbs/{name}', method: 'DELETE', status: 404 },
      { route: 'unmatched', method: 'GET', status: 404 },
      { route: 'unmatched', method: 'OTHER', status: 405 },
      { route: '/search', method: 'POST', status: 400 },
    ]);
    expect(metrics.requests.every((request) => request.seconds >= 0)).toBe(true);
  });

  it('/ready: 200 ready when the database answers and the embedder is loaded', async () => {
    const ready = createTestApp(database, { worker: false, readiness: { embedder: () => ({ ok: true }) } }).app;
    const response = await ready.request('/ready');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready', checks: { database: { ok: true }, embedder: { ok: true } } });
  });

  it('/ready: 200 degraded, with the reason, when the embedding model could not be loaded', async () => {
    const message = "Model 'Xenova/bge-small-en-v1.5' could not be downloaded. Running lexical-only meanwhile.";
    const degraded = createTestApp(database, { worker: false, readiness: { embedder: () => ({ ok: false, message }) } }).app;
    const response = await degraded.request('/ready');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'degraded', checks: { database: { ok: true }, embedder: { ok: false, message } } });
  });

  it('createAnswering counts failed query embeddings, and leaves eval runs out of the answer metrics', async () => {
    const observed = { embedderErrors: 0, answers: [] as AnswerObservation[] };
    const metrics: ServiceMetrics = {
      ...noopMetrics,
      observeEmbedderError: () => void observed.embedderErrors++,
      observeAnswer: (answer) => void observed.answers.push(answer),
    };
    const failing: Embedder = {
      id: 'test:failing',
      dimension: 4,
      maxBatchSize: 8,
      embedDocuments: () => Promise.reject(new Error('embedding server down')),
      embedQuery: () => Promise.reject(new Error('embedding server down')),
    };
    await ensureKnowledgeBase(database, { name: 'vectors', embedder: failing.id });
    const config = loadConfig({ ORIOLE_EMBEDDER: 'none' });
    const answers = createAnswering(config, { database, embedder: failing, chatModel: null, metrics });
    await expect(answers.search({ kb: 'vectors', query: 'refund', topK: 3 })).rejects.toThrow(/embedding server down/);
    expect(observed.embedderErrors).toBe(1);

    const lexical = createAnswering(config, { database, embedder: null, chatModel: null, metrics });
    await lexical.answer({ question: 'How long do refunds take?', metadata: { channel: 'eval' } });
    expect(observed.answers).toEqual([]);
    await lexical.answer({ question: 'How long do refunds take?', metadata: { channel: 'widget' } });
    expect(observed.answers).toEqual([
      { kb: 'default', mode: 'extractive', abstained: true, retrievalSeconds: expect.any(Number), generationSeconds: expect.any(Number) },
    ]);
  });

  it('with the database closed: /ready is 503 unavailable, /health 200, and a 5xx is logged without reaching the client', async () => {
    // Last in this block: it closes the block's database.
    const app = createTestApp(database, { worker: false, adminKey, logger, readiness: { embedder: () => ({ ok: true }) } }).app;
    await database.close();

    const ready = await app.request('/ready', { headers: probeHeaders });
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'unavailable', checks: { database: { ok: false }, embedder: { ok: true } } });
    // Liveness never touches the database.
    expect((await app.request('/health')).status).toBe(200);

    const failed = await postJson(app, '/search', { query: 'refund' }, { ...probeHeaders, 'X-Request-Id': 'broken-1' });
    expect(failed.status).toBeGreaterThanOrEqual(500);
    const text = await failed.text();
    expect(text).not.toMatch(/SELECT|at \w+ \(|\.ts:\d+/);
    expect(JSON.parse(text)).toMatchObject({ error: { requestId: 'broken-1' } });
    expect(logger.lines.find((line) => line.requestId === 'broken-1')).toMatchObject({
      level: 'error',
      route: '/search',
      status: failed.status,
      keyId: 'admin-env',
    });
  });
});

describe('/ready without a reachable database', () => {
  it('is 503 when the PostgreSQL server cannot be reached', async () => {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    const unreachable = openPostgres({ url: 'postgres://postgres@127.0.0.1:1/none', maxConnections: 1 });
    try {
      const { app } = createTestApp(unreachable, { worker: false, adminKey });
      const response = await app.request('/ready', { headers: probeHeaders });
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ status: 'unavailable', checks: { database: { ok: false } } });
    } finally {
      await unreachable.close();
    }
  });

  it('is 503 within the readiness timeout when the database hangs', async () => {
    const hung = { backend: 'postgres', query: () => new Promise(() => {}) } as unknown as Database;
    const { app } = createTestApp(hung, { worker: false, adminKey });
    const started = Date.now();
    const response = await app.request('/ready', { headers: probeHeaders });
    expect(response.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(await response.json()).toMatchObject({ checks: { database: { ok: false, message: expect.stringMatching(/did not answer within/) } } });
  });
});

describe('the Prometheus metrics', () => {
  it('keep each registry to itself and render the text format', async () => {
    const first = createPrometheusMetrics();
    const second = createPrometheusMetrics();
    first.observeRequest({ route: '/answer', method: 'POST', status: 200, seconds: 0.2 });
    first.observeAnswer({ mode: 'extractive', abstained: true, retrievalSeconds: 0.01, generationSeconds: 0.002, kb: 'support' });
    first.observeEmbedderError();
    first.observeIngestedDocuments({ outcome: 'failed', count: 2 });
    const rendered = await first.render();
    expect(rendered.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(sample(rendered.body, 'oriole_http_requests_total{route="/answer",method="POST",status="200"}')).toBe(1);
    expect(sample(rendered.body, 'oriole_answers_total{kb="support",mode="extractive",abstained="true"}')).toBe(1);
    expect(sample(rendered.body, 'oriole_embedder_errors_total')).toBe(1);
    expect(sample(rendered.body, 'oriole_ingested_documents_total{outcome="failed"}')).toBe(2);
    expect(sample((await second.render()).body, 'oriole_embedder_errors_total')).toBe(0);
  });
});
