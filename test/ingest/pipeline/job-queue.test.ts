import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileLoaders } from '../../../ingest/loaders/index.ts';
import { createParsePool } from '../../../ingest/parse-pool/index.ts';
import { defaultJobWorkerOptions, startJobWorker } from '../../../ingest/pipeline/index.ts';
import {
  claimNextJob,
  completeJobItem,
  createIngestJob,
  ensureKnowledgeBase,
  getJob,
  reserveDocument,
  type Database,
  type JobItemInput,
  type KnowledgeBase,
} from '../../../src/db/index.ts';
import { openMigrated, testBackends } from '../../helpers/databases.ts';
import { testIngestContext } from '../../helpers/ingestion.ts';
import { repeatedText } from '../../helpers/poison-files.ts';

const item = (source: string, text: string): JobItemInput => ({
  source,
  content: new TextEncoder().encode(text),
  contentType: 'text/markdown',
  title: null,
  url: null,
  metadata: {},
  tags: {},
  documentId: null,
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.each(testBackends())('the ingestion job queue on $name', (backend) => {
  let database: Database;
  let kb: KnowledgeBase;
  beforeAll(async () => {
    database = await openMigrated(backend);
    kb = await ensureKnowledgeBase(database, { name: 'queue', embedder: 'none' });
  });
  afterAll(() => backend.cleanup());

  it('hands each job to exactly one of several claiming workers', async () => {
    const jobs = await Promise.all(
      Array.from({ length: 6 }, (_, index) =>
        database.transaction((transaction) => createIngestJob(transaction, { kbId: kb.id, items: [item(`q${index}.md`, 'x')] })),
      ),
    );
    const claims = await Promise.all(
      Array.from({ length: 10 }, (_, index) => claimNextJob(database, { workerId: `worker-${index}`, leaseSeconds: 60 })),
    );
    const claimed = claims.filter((job) => job !== undefined).map((job) => job.id);
    expect(new Set(claimed).size).toBe(claimed.length);
    expect(claimed.sort()).toEqual(jobs.map((job) => job.id).sort());
  });

  it("re-queues a dead worker's job when its lease lapses, skipping the documents it finished", async () => {
    const job = await database.transaction((transaction) =>
      createIngestJob(transaction, { kbId: kb.id, items: [item('done.md', '# Done\n\nFirst.'), item('left.md', '# Left\n\nSecond.')] }),
    );
    const claimed = await claimNextJob(database, { workerId: 'doomed-worker', leaseSeconds: 1 });
    expect(claimed?.id).toBe(job.id);
    // The doomed worker finished one document, then died without a word.
    await completeJobItem(database, { jobId: job.id, ordinal: 0, status: 'succeeded', outcome: 'added' });
    expect(await claimNextJob(database, { workerId: 'too-early', leaseSeconds: 60 })).toBeUndefined();

    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const worker = startJobWorker(testIngestContext(database, null), {
      ...defaultJobWorkerOptions,
      workerId: 'rescuer',
      pollIntervalMs: 50,
    });
    try {
      await waitFor(async () => (await getJob(database, job.id)).status === 'succeeded');
    } finally {
      await worker.stop();
    }
    const finished = await getJob(database, job.id);
    expect(finished.attempts).toBe(2);
    expect(finished.progress).toEqual({ done: 2, total: 2 });
    const documents = await database.query<{ source: string }>(
      `SELECT source FROM documents WHERE kb_id = $1 AND source IN ('done.md', 'left.md') AND status = 'ready'`,
      [kb.id],
    );
    // done.md was only marked done by the dead worker; the rescuer did not redo it.
    expect(documents.rows.map((row) => row.source)).toEqual(['left.md']);
  });

  it('fails a job whose workers keep dying instead of retrying it forever', async () => {
    const job = await database.transaction(async (transaction) => {
      await reserveDocument(transaction, { kbId: kb.id, source: 'cursed.md', contentType: 'text/markdown' });
      return createIngestJob(transaction, { kbId: kb.id, items: [item('cursed.md', 'x')] });
    });
    for (let attempt = 0; attempt < defaultJobWorkerOptions.maxAttempts; attempt++) {
      await database.query(`UPDATE jobs SET locked_until = now() - interval '1 second' WHERE id = $1`, [job.id]);
      const claimed = await claimNextJob(database, { workerId: `dying-${attempt}`, leaseSeconds: 60 });
      expect(claimed?.id).toBe(job.id);
    }
    await database.query(`UPDATE jobs SET locked_until = now() - interval '1 second' WHERE id = $1`, [job.id]);
    const worker = startJobWorker(testIngestContext(database, null), { ...defaultJobWorkerOptions, workerId: 'last', pollIntervalMs: 50 });
    try {
      await waitFor(async () => (await getJob(database, job.id)).status === 'failed');
    } finally {
      await worker.stop();
    }
    expect((await getJob(database, job.id)).error).toMatch(/Gave up after 3 attempts/);
    // Its document does not stay pending for ever: it failed, with the reason.
    const document = await database.query<{ status: string; error: string }>(
      `SELECT status, error FROM documents WHERE kb_id = $1 AND source = 'cursed.md'`,
      [kb.id],
    );
    expect(document.rows).toEqual([{ status: 'failed', error: expect.stringMatching(/^Gave up after 3 attempts/) }]);
  });

  it('keeps the lease of a job whose parse outlasts it, so a second worker never claims the job while the first lives', async () => {
    const pool = createParsePool({ budgets: { timeoutMs: 6_000, maxHeapMb: 256, maxDecompressedBytes: 20 * 1024 * 1024 }, size: 1 });
    const loaders = createFileLoaders({ isolate: (input) => pool.parse(input) });
    const context = testIngestContext(database, null, { parse: (input) => loaders.load(input) });
    // One megabyte of '>' keeps a Markdown parser busy for minutes; its budget stops it after 6 s, three leases.
    const job = await database.transaction(async (transaction) => {
      await reserveDocument(transaction, { kbId: kb.id, source: 'quotes.md', contentType: 'text/markdown' });
      return createIngestJob(transaction, { kbId: kb.id, items: [{ ...item('quotes.md', ''), content: repeatedText('>', 1024 * 1024) }] });
    });
    const settings = { ...defaultJobWorkerOptions, leaseSeconds: 2, pollIntervalMs: 50 };
    const first = startJobWorker(context, { ...settings, workerId: 'first' });
    const holders = new Set<string>();
    const leases = new Set<string>();
    let intruderJobs = 0;
    let second: ReturnType<typeof startJobWorker> | undefined;
    try {
      await waitFor(async () => (await getJob(database, job.id)).status === 'running');
      second = startJobWorker(context, { ...settings, workerId: 'second', onJobDone: () => void intruderJobs++ });
      await waitFor(async () => {
        const row = await database.query<{ status: string; locked_by: string | null; locked_until: Date | null }>(
          'SELECT status, locked_by, locked_until FROM jobs WHERE id = $1',
          [job.id],
        );
        const { status, locked_by: holder, locked_until: until } = row.rows[0]!;
        if (holder) holders.add(holder);
        if (until) leases.add(until.toISOString());
        return status === 'failed';
      }, 60_000);
    } finally {
      await Promise.all([first.stop(), second?.stop()]);
      await pool.close();
    }
    const finished = await getJob(database, job.id);
    expect(holders).toEqual(new Set(['first']));
    expect(finished.attempts).toBe(1);
    expect(intruderJobs).toBe(0);
    // The lease was renewed while the parse ran: several expiry times were seen, not one.
    expect(leases.size).toBeGreaterThan(2);
    const document = await database.query<{ status: string; error: string }>(
      `SELECT status, error FROM documents WHERE kb_id = $1 AND source = 'quotes.md'`,
      [kb.id],
    );
    expect(document.rows).toEqual([{ status: 'failed', error: expect.stringMatching(/^document_too_complex: quotes\.md took longer than 6000 ms/) }]);
  }, 90_000);
});
