import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobWorker } from '../../ingest/pipeline/index.ts';
import { openPostgres, type Database } from '../../src/db/index.ts';
import { createTestApp, postJson, waitForJob, type TestApp } from '../helpers/app.ts';
import { openMigrated, testBackends, testDatabaseUrl } from '../helpers/databases.ts';

interface SearchBody {
  results: Array<{ source: string; documentId: string }>;
}

/**
 * Two replicas of the service on one database, each with its own in-process lexical
 * index: what one ingests or deletes, the other serves at once (the index follows the
 * KB's version). On PostgreSQL each replica has its own connection pool; PGlite is one
 * process's database, so there the two compositions share it.
 */
describe.each(testBackends())('replicas on one database ($name)', (backend) => {
  let database: Database;
  let second: Database;
  let writer: TestApp;
  let reader: TestApp;
  let worker: JobWorker | undefined;

  const search = async (query: string): Promise<SearchBody['results']> => {
    const response = await postJson(reader, '/search', { kb: 'replicas', query, topK: 10 });
    expect(response.status).toBe(200);
    return ((await response.json()) as SearchBody).results;
  };

  const ingest = async (source: string, content: string): Promise<string> => {
    const response = await postJson(writer, '/documents', { kb: 'replicas', source, content });
    expect(response.status).toBe(202);
    const { jobId, documents } = (await response.json()) as { jobId: string; documents: { id: string }[] };
    expect(await waitForJob(writer, jobId)).toMatchObject({ status: 'succeeded' });
    return documents[0]!.id;
  };

  beforeAll(async () => {
    database = await openMigrated(backend);
    if (backend.name === 'postgres') {
      const schema = await database.query<{ schema: string }>('SELECT current_schema() AS schema');
      second = openPostgres({ url: testDatabaseUrl!, schema: schema.rows[0]!.schema, maxConnections: 4 });
    } else {
      second = database;
    }
    ({ app: writer, worker } = createTestApp(database, {}));
    reader = createTestApp(second, { worker: false }).app;
    expect((await postJson(writer, '/kbs', { name: 'replicas' })).status).toBe(201);
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
    if (second !== database) await second.close();
    await backend.cleanup();
  });

  it('serves another replica’s ingest within a second, and never a document it deleted', async () => {
    const firstId = await ingest('guides/aurora.md', '# Aurora\n\nThe aurora gateway rotates its signing keys every night.');
    // The reader's first search loads its index of the KB.
    expect((await search('aurora gateway signing keys')).map((result) => result.documentId)).toContain(firstId);

    const secondId = await ingest('guides/borealis.md', '# Borealis\n\nThe borealis scheduler retries failed exports three times.');
    const ingested = Date.now();
    let found = false;
    while (!found && Date.now() - ingested < 1_000) {
      found = (await search('borealis scheduler exports')).some((result) => result.documentId === secondId);
    }
    expect(found).toBe(true);

    const deleted = await writer.request(`/documents/${firstId}`, { method: 'DELETE' });
    expect(deleted.status).toBeLessThan(300);
    expect((await search('aurora gateway signing keys')).map((result) => result.documentId)).not.toContain(firstId);
    const answer = await postJson(reader, '/answer', { kb: 'replicas', question: 'How often does the aurora gateway rotate its signing keys?' });
    const body = (await answer.json()) as { citations: Array<{ source: string }> };
    expect(body.citations.map((citation) => citation.source)).not.toContain('guides/aurora.md');
    // The other document is still served.
    expect((await search('borealis scheduler exports')).map((result) => result.documentId)).toContain(secondId);
  }, 120_000);
});
