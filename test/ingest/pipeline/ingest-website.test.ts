import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectInputs, ingestInputs, planInputs } from '../../../ingest/pipeline/index.ts';
import { crawl } from '../../../ingest/web/index.ts';
import { ensureKnowledgeBase, listSources, type Database } from '../../../src/db/index.ts';
import { openMigrated, testBackends } from '../../helpers/databases.ts';
import { testCollectDependencies, testIngestContext } from '../../helpers/ingestion.ts';

const pages: Record<string, string> = {
  '/robots.txt': 'User-agent: *\nDisallow: /internal/\n',
  '/': '<html><head><title>Help</title></head><body><main><h1>Help center</h1><p>Start with <a href="/billing">billing</a> or <a href="/internal/admin">admin</a>.</p></main></body></html>',
  '/billing': '<html><head><title>Billing</title></head><body><nav>Menu</nav><article><h1>Billing</h1><p>Invoices are emailed on the first day of each month.</p></article></body></html>',
  '/internal/admin': '<html><body><p>Secret admin page.</p></body></html>',
};

describe.each(testBackends())('ingesting a website on $name', (backend) => {
  let database: Database;
  let server: Server;
  let origin: string;
  beforeAll(async () => {
    database = await openMigrated(backend);
    server = createServer((request, response) => {
      const body = pages[request.url ?? ''];
      if (body === undefined) return void response.writeHead(404).end();
      response.writeHead(200, { 'Content-Type': request.url === '/robots.txt' ? 'text/plain' : 'text/html; charset=utf-8' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await backend.cleanup();
  });

  it('crawls the same-host pages robots.txt allows and stores them by URL', async () => {
    const kb = await ensureKnowledgeBase(database, { name: 'site', embedder: 'none' });
    const dependencies = { ...testCollectDependencies(), crawl: (urls: string[]) => crawl(urls, { allowPrivateNetwork: true }) };
    const summary = await ingestInputs(
      testIngestContext(database, null),
      kb,
      collectInputs(await planInputs([`${origin}/`]), dependencies, {}),
      { prune: false },
    );
    expect(summary).toMatchObject({ added: 2, failed: 0 });
    const sources = (await listSources(database, kb.id)).map((document) => document.source);
    expect(sources.sort()).toEqual([`${origin}/`, `${origin}/billing`].sort());
    const billing = await database.query<{ title: string; url: string }>(
      'SELECT title, url FROM documents WHERE kb_id = $1 AND source = $2',
      [kb.id, `${origin}/billing`],
    );
    expect(billing.rows[0]).toEqual({ title: 'Billing', url: `${origin}/billing` });
  });
});
