import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/index.ts';
import { openPostgres, type Database } from '../../src/db/index.ts';
import { createLogger } from '../../src/entry/node.ts';
import { startServer, type RunningServer } from '../../src/entry/server.ts';
import { backendSelected } from '../helpers/databases.ts';
import { ingestFolder } from '../helpers/ingestion.ts';
import { createPrivatePostgres, privatePostgresUnavailable, type PrivatePostgres } from '../helpers/private-postgres.ts';

/**
 * The database going away under real HTTP traffic, and coming back: on a private
 * PostgreSQL cluster (the shared test server stays up), stopped with `pg_ctl stop -m fast`
 * and started again on the same port, while `oriole serve`'s server keeps running.
 */
const unavailable = privatePostgresUnavailable();
const selected = backendSelected('postgres');
if (!selected || unavailable) {
  console.warn(
    `database-outage.test.ts skipped: ${!selected ? 'the PostgreSQL backend is not selected (set TEST_DATABASE_URL)' : unavailable}`,
  );
}

/** A client's patience: every answer during the outage must come well within it. */
const promptlyMs = 5_000;

describe.skipIf(!selected || unavailable !== null)('a database outage under traffic (private PostgreSQL cluster)', () => {
  let cluster: PrivatePostgres;
  let server: RunningServer;
  let database: Database;

  beforeAll(async () => {
    cluster = await createPrivatePostgres();
    const admin = new pg.Client({ connectionString: cluster.url });
    await admin.connect();
    await admin.query('CREATE EXTENSION IF NOT EXISTS vector');
    await admin.end();
    const config = loadConfig({ DATABASE_URL: cluster.url, ORIOLE_EMBEDDER: 'none', ORIOLE_RATE_LIMIT_PER_MINUTE: '0' });
    server = await startServer({ ...config, server: { host: '127.0.0.1', port: 0 } }, createLogger({ logLevel: 'silent' }));
    // The sample help center, ingested beside the server (it migrated on start).
    database = openPostgres({ url: cluster.url, maxConnections: 2 });
    await ingestFolder(database, 'examples/help-center');
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    await database?.close();
    await cluster?.destroy();
  }, 60_000);

  const post = (route: string, body: unknown) =>
    fetch(`${server.url}${route}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
  const get = (route: string) => fetch(`${server.url}${route}`, { signal: AbortSignal.timeout(30_000) });
  const search = () => post('/search', { query: 'reset password', topK: 3 });
  const answer = () => post('/answer', { question: 'How do I reset my password?' });

  async function timed(request: () => Promise<Response>): Promise<{ response: Response; milliseconds: number; body: unknown }> {
    const started = performance.now();
    const response = await request();
    const body = await response.json();
    return { response, milliseconds: performance.now() - started, body };
  }

  it('answers 503 upstream_unavailable promptly while the database is down, then recovers by itself', async () => {
    expect((await search()).status).toBe(200);
    expect((await answer()).status).toBe(200);
    expect((await get('/ready')).status).toBe(200);

    // An ingestion job queued just before the outage: the worker is in it, or about to be, when the database goes.
    const form = new FormData();
    for (let index = 0; index < 20; index += 1) {
      const text = `# Outage note ${index}\n\nDuring maintenance window ${index} the status page lists every affected region.\n`;
      form.append('file', new Blob([text], { type: 'text/markdown' }), `outage/note-${index}.md`);
    }
    const queued = await fetch(`${server.url}/documents`, { method: 'POST', body: form });
    expect(queued.status).toBe(202);
    const { jobId } = (await queued.json()) as { jobId: string };

    await cluster.stop();

    for (const request of [
      search,
      answer,
      () => get('/documents?kb=default'),
      () => post('/documents', { source: 'during-outage.md', content: '# Down\n\nWritten while the database was down.' }),
      () => get(`/jobs/${jobId}`),
    ]) {
      const { response, milliseconds, body } = await timed(request);
      expect({ status: response.status, code: (body as { error?: { code?: string } }).error?.code }).toEqual({
        status: 503,
        code: 'upstream_unavailable',
      });
      expect(milliseconds).toBeLessThan(promptlyMs);
    }
    expect((await get('/health')).status).toBe(200);
    const ready = await timed(() => get('/ready'));
    expect(ready.response.status).toBe(503);
    // The readiness body, or the error body when the key check in front of it already needed the database.
    const readiness = ready.body as { status?: string; error?: { code: string } };
    expect(readiness.status === 'unavailable' || readiness.error?.code === 'upstream_unavailable').toBe(true);
    expect(ready.milliseconds).toBeLessThan(promptlyMs);

    // Same port, same server process: no restart of the app.
    await cluster.start();
    const restarted = performance.now();
    await expect.poll(async () => (await get('/ready')).status, { timeout: 10_000, interval: 200 }).toBe(200);
    expect((await search()).status).toBe(200);
    const recovered = (await (await answer()).json()) as { abstained: boolean; citations: Array<{ source: string }> };
    expect(recovered.abstained).toBe(false);
    expect(recovered.citations[0]!.source).toBe('account/reset-password.md');
    expect(performance.now() - restarted).toBeLessThan(10_000);

    // The job interrupted by the outage is handed back and finished, not left `running` until its lease lapses.
    await expect
      .poll(async () => ((await (await get(`/jobs/${jobId}`)).json()) as { status: string }).status, {
        timeout: 30_000,
        interval: 250,
      })
      .toBe('succeeded');
    const job = (await (await get(`/jobs/${jobId}`)).json()) as { progress: { done: number; total: number } };
    expect(job.progress).toEqual({ done: 20, total: 20 });
  }, 90_000);
});
