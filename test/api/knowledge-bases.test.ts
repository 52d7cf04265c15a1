import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import type { Database } from '../../src/db/index.ts';
import { openMigrated, testBackends } from '../helpers/databases.ts';

type App = TestApp;

async function postJson(app: App, path: string, body: unknown): Promise<Response> {
  return app.request(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function expectError(response: Response, status: number, code: string): Promise<void> {
  expect(response.status).toBe(status);
  const body = (await response.json()) as { error: { code: string; message: string; requestId: string } };
  expect(body.error.code).toBe(code);
  expect(body.error.message).toBeTruthy();
  expect(body.error.requestId).toBeTruthy();
}

describe.each(testBackends())('the HTTP API for knowledge bases on $name', (backend) => {
  let database: Database;
  let app: App;
  beforeAll(async () => {
    database = await openMigrated(backend);
    ({ app } = createTestApp(database, { worker: false }));
  });
  afterAll(() => backend.cleanup());

  it('answers /health without touching the database, and /ready after checking it', async () => {
    expect(await (await app.request('/health')).json()).toEqual({ status: 'ok' });
    const ready = await app.request('/ready');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { database: { ok: true } } });
  });

  it('creates, lists and deletes a knowledge base', async () => {
    const created = await postJson(app, '/kbs', { name: 'support' });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ name: 'support', embedder: 'none', version: 0 });

    const listed = (await (await app.request('/kbs')).json()) as { kbs: { name: string; documentCount: number }[] };
    expect(listed.kbs).toContainEqual(expect.objectContaining({ name: 'support', documentCount: 0 }));

    expect((await app.request('/kbs/support', { method: 'DELETE' })).status).toBe(204);
    await expectError(await app.request('/kbs/support', { method: 'DELETE' }), 404, 'not_found');
  });

  it('refuses bad input with a stable code and changes nothing', async () => {
    await postJson(app, '/kbs', { name: 'existing' });
    await expectError(await postJson(app, '/kbs', { name: 'existing' }), 409, 'conflict');
    await expectError(await postJson(app, '/kbs', '{"name": '), 400, 'invalid_request');
    await expectError(await postJson(app, '/kbs', { name: 42 }), 400, 'invalid_request');
    await expectError(await postJson(app, '/kbs', { name: '../../etc/passwd' }), 400, 'invalid_request');
    await expectError(await postJson(app, '/kbs', { name: 'ok', surprise: true }), 400, 'invalid_request');
    await expectError(await postJson(app, '/kbs', { name: 'ok', embedder: 'word2vec' }), 400, 'invalid_request');
    await expectError(await app.request('/kbs/..%2F..', { method: 'DELETE' }), 400, 'invalid_request');
    const listed = (await (await app.request('/kbs')).json()) as { kbs: { name: string }[] };
    expect(listed.kbs.map((kb) => kb.name)).toEqual(['existing']);
  });

  it('answers unknown routes with not_found in the error shape, echoing the request id', async () => {
    const response = await app.request('/nowhere', { headers: { 'X-Request-Id': 'trace-123' } });
    expect(response.headers.get('X-Request-Id')).toBe('trace-123');
    await expectError(response, 404, 'not_found');
  });

  it('serves an OpenAPI document that lists its routes', async () => {
    const document = (await (await app.request('/openapi.json')).json()) as { openapi: string; paths: object };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/health', '/ready', '/kbs', '/kbs/{name}', '/search', '/answer', '/v1/chat/completions', '/v1/models']),
    );
  });
});

describe('the HTTP API when the database is gone', () => {
  it('reports 503 upstream_unavailable, and /ready says unavailable', async () => {
    const { openPostgres } = await import('../../src/db/index.ts');
    const database = openPostgres({ url: 'postgres://nobody@127.0.0.1:1/none' });
    const { app } = createTestApp(database, { worker: false });
    await expectError(await app.request('/kbs'), 503, 'upstream_unavailable');
    const ready = await app.request('/ready');
    expect(ready.status).toBe(503);
    await expectError(await postJson(app, '/answer', { question: 'How do I reset my password?' }), 503, 'upstream_unavailable');
    await expectError(await postJson(app, '/search', { query: 'password' }), 503, 'upstream_unavailable');
    expect(await ready.json()).toMatchObject({ status: 'unavailable' });
    await database.close();
  });
});
