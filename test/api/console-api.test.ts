import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.ts';
import { createTestApp, expectError, postJson, waitForJob, type TestApp } from '../helpers/app.ts';
import { openMigrated, testBackends } from '../helpers/databases.ts';

/**
 * What the admin console needs from the API: crawl jobs queued with POST /documents
 * `{ url }`, a document's chunks, documents searched by source or title, and eval runs
 * listed. The crawl fetches a real HTTP site on loopback, which only
 * ORIOLE_ALLOW_PRIVATE_NETWORK=true lets an API crawl reach.
 */

const pages: Record<string, string> = {
  '/robots.txt': 'User-agent: *\nDisallow: /internal/\n',
  '/': '<html><head><title>Help</title></head><body><main><h1>Help center</h1><p>Start with <a href="/billing">billing</a> or <a href="/internal/admin">admin</a>.</p></main></body></html>',
  '/billing': '<html><head><title>Billing</title></head><body><article><h1>Billing</h1><p>Invoices are emailed on the first day of each month.</p></article></body></html>',
  '/internal/admin': '<html><body><p>Secret admin page.</p></body></html>',
};

const paragraph = (topic: string) =>
  Array.from({ length: 12 }, (_, index) => `The ${topic} rule number ${index} says what happens to accounts in case ${index}.`).join(' ');
const longGuide = ['# Account guide', '## Opening', paragraph('opening'), '## Closing', paragraph('closing'), '## Transfers', paragraph('transfer')].join('\n\n');

describe.each(testBackends())('the console API on $name', (backend) => {
  let database: Database;
  let server: Server;
  let origin: string;
  let app: TestApp;

  beforeAll(async () => {
    database = await openMigrated(backend);
    server = createServer((request, response) => {
      const body = pages[request.url ?? ''];
      if (body === undefined) return void response.writeHead(404).end();
      response.writeHead(200, { 'Content-Type': request.url === '/robots.txt' ? 'text/plain' : 'text/html; charset=utf-8' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    app = createTestApp(database, { allowPrivateNetwork: true, evalWorker: true }).app;
    expect((await postJson(app, '/kbs', { name: 'site' })).status).toBe(201);
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await database?.close();
    await backend.cleanup();
  });

  it('queues a crawl with POST /documents { url }, and the worker ingests what robots.txt allows on that host', async () => {
    const queued = await postJson(app, '/documents', { kb: 'site', url: `${origin}/`, crawl: { maxPages: 10, maxDepth: 2 } });
    expect(queued.status).toBe(202);
    const { jobId, documents } = (await queued.json()) as { jobId: string; documents: unknown[] };
    expect(documents).toEqual([]);
    const job = (await waitForJob(app, jobId, 60_000)) as {
      kind: string;
      status: string;
      progress: { done: number; total: number };
      documents: { source: string; status: string; outcome: string; documentId: string }[];
    };
    expect(job.kind).toBe('crawl');
    expect(job.status).toBe('succeeded');
    expect(job.documents.map((document) => document.source).sort()).toEqual([`${origin}/`, `${origin}/billing`].sort());
    expect(job.documents.every((document) => document.outcome === 'added' && document.documentId)).toBe(true);
    expect(job.progress).toEqual({ done: 2, total: 2 });

    const listed = (await (await app.request('/documents?kb=site')).json()) as { documents: { source: string }[] };
    expect(listed.documents.map((document) => document.source)).not.toContain(`${origin}/internal/admin`);
    expect(listed.documents).toHaveLength(2);

    // Crawling again changes nothing: the pages are unchanged.
    const again = (await (await postJson(app, '/documents', { kb: 'site', url: `${origin}/billing`, crawl: { maxDepth: 0 } })).json()) as {
      jobId: string;
    };
    const second = (await waitForJob(app, again.jobId, 60_000)) as { documents: { outcome: string }[] };
    expect(second.documents.map((document) => document.outcome)).toEqual(['unchanged']);
  });

  it('refuses a crawl of a loopback or private address with 400 unless ORIOLE_ALLOW_PRIVATE_NETWORK=true, queueing nothing', async () => {
    const guarded = createTestApp(database, { worker: false }).app;
    for (const url of [`${origin}/`, 'http://localhost:8080/', 'http://169.254.169.254/latest/meta-data/', 'http://[::1]/', 'http://10.0.0.5/']) {
      const refused = await postJson(guarded, '/documents', { kb: 'guarded', url });
      expect((await expectError(refused, 400, 'invalid_request')).message, url).toContain('private network');
    }
    expect((await guarded.request('/kbs')).status).toBe(200);
    const kbs = (await (await guarded.request('/kbs')).json()) as { kbs: { name: string }[] };
    expect(kbs.kbs.map((kb) => kb.name)).not.toContain('guarded');
  });

  it('validates a crawl request like any body', async () => {
    const invalid = [
      { kb: 'site', url: 'ftp://help.example.com/' },
      { kb: 'site', url: 'not a url' },
      { kb: 'site', url: `${origin}/`, crawl: { maxPages: 0 } },
      { kb: 'site', url: `${origin}/`, crawl: { maxDepth: 11 } },
      { kb: 'site', url: `${origin}/`, crawl: { follow: 'everything' } },
      { kb: 'site', url: `${origin}/`, source: 'x.md' },
      // The crawl form is the second schema of the body's union, which the generated hostile suite does not reach.
      { kb: 'site', url: `${origin}/\u0000` },
      { kb: 'site', url: `${origin}/\ud800` },
    ];
    for (const body of invalid) await expectError(await postJson(app, '/documents', body), 400, 'invalid_request');
    // With `content`, `url` is still the reader's link of an uploaded document, as before.
    const uploaded = await postJson(app, '/documents', { kb: 'site', source: 'guide.md', url: 'https://help.example.com/guide', content: longGuide });
    expect(uploaded.status).toBe(202);
    const { jobId, documents } = (await uploaded.json()) as { jobId: string; documents: { source: string }[] };
    expect(documents.map((document) => document.source)).toEqual(['guide.md']);
    expect(((await waitForJob(app, jobId)) as { kind: string; status: string }).status).toBe('succeeded');
  });

  it('searches documents by source or title, ignoring case, with wildcards taken literally', async () => {
    const search = async (q: string) =>
      ((await (await app.request(`/documents?kb=site&q=${encodeURIComponent(q)}`)).json()) as { documents: { source: string }[] }).documents.map(
        (document) => document.source,
      );
    expect(await search('BILLING')).toEqual([`${origin}/billing`]);
    expect(await search('HeLp')).toEqual([`${origin}/`]);
    expect(await search('account GUIDE')).toEqual(['guide.md']);
    expect(await search('guide.md')).toEqual(['guide.md']);
    expect(await search('%')).toEqual([]);
    expect(await search('_')).toEqual([]);
    expect((await search('')).length).toBe(3);
    const paged = (await (await app.request('/documents?kb=site&q=127.0.0.1&limit=1')).json()) as { documents: unknown[]; nextCursor: string };
    expect(paged.documents).toHaveLength(1);
    const next = (await (await app.request(`/documents?kb=site&q=127.0.0.1&limit=1&cursor=${paged.nextCursor}`)).json()) as {
      documents: unknown[];
      nextCursor: string | null;
    };
    expect(next.documents).toHaveLength(1);
    expect(next.nextCursor).toBeNull();
  });

  it("lists a document's chunks in reading order, page by page, as they were stored", async () => {
    const listed = (await (await app.request('/documents?kb=site&q=guide.md')).json()) as { documents: { id: string; chunkCount: number }[] };
    const guide = listed.documents[0]!;
    expect(guide.chunkCount).toBeGreaterThan(1);
    const all = (await (await app.request(`/documents/${guide.id}/chunks`)).json()) as {
      documentId: string;
      chunks: { ordinal: number; headingPath: string[]; text: string; tokenCount: number; embedded: boolean }[];
      nextOrdinal: number | null;
    };
    expect(all.documentId).toBe(guide.id);
    expect(all.chunks).toHaveLength(guide.chunkCount);
    expect(all.nextOrdinal).toBeNull();
    expect(all.chunks.map((chunk) => chunk.ordinal)).toEqual([...all.chunks.keys()]);
    expect(all.chunks.every((chunk) => chunk.tokenCount > 0 && chunk.embedded === false)).toBe(true);
    expect(all.chunks.some((chunk) => chunk.headingPath.includes('Closing') && chunk.text.includes('closing rule'))).toBe(true);

    const paged: number[] = [];
    let from: number | null = 0;
    while (from !== null) {
      const page = (await (await app.request(`/documents/${guide.id}/chunks?limit=1&from=${from}`)).json()) as {
        chunks: { ordinal: number }[];
        nextOrdinal: number | null;
      };
      paged.push(...page.chunks.map((chunk) => chunk.ordinal));
      from = page.nextOrdinal;
    }
    expect(paged).toEqual(all.chunks.map((chunk) => chunk.ordinal));

    await expectError(await app.request('/documents/00000000-0000-4000-8000-000000000000/chunks'), 404, 'not_found');
    await expectError(await app.request(`/documents/${guide.id}/chunks?limit=0`), 400, 'invalid_request');
  });

  it("lists a KB's eval runs newest first, with status, progress and, once done, summary metrics", async () => {
    const cases = [{ id: 'q1', question: 'When are invoices emailed?', gold_sources: [`${origin}/billing`] }];
    const first = (await (await postJson(app, '/evals', { kb: 'site', cases })).json()) as { id: string };
    const second = (await (await postJson(app, '/evals', { kb: 'site', cases })).json()) as { id: string };
    const deadline = Date.now() + 60_000;
    let runs: { id: string; kb: string; status: string; progress: { done: number; total: number }; summary: Record<string, number | null> | null }[] = [];
    while (Date.now() < deadline) {
      runs = ((await (await app.request('/evals?kb=site')).json()) as { evals: typeof runs }).evals;
      if (runs.every((run) => run.status === 'succeeded' || run.status === 'failed')) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(runs.map((run) => run.id)).toEqual([second.id, first.id]);
    for (const run of runs) {
      expect(run).toMatchObject({ kb: 'site', status: 'succeeded', progress: { done: 1, total: 1 } });
      expect(run.summary?.['retrieval.hit_at_k']).toBe(1);
      expect(run).not.toHaveProperty('report');
    }
    expect(((await (await app.request('/evals?kb=site&limit=1')).json()) as { evals: { id: string }[] }).evals.map((run) => run.id)).toEqual([
      second.id,
    ]);
    await expectError(await app.request('/evals?kb=no-such-kb'), 404, 'not_found');
  });
});
