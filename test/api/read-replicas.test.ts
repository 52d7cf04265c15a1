import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/index.ts';
import { createLogger } from '../../src/entry/node.ts';
import { startServer, type RunningServer } from '../../src/entry/server.ts';
import { backendSelected } from '../helpers/databases.ts';
import { createPrivatePostgres, createPrivateStandby, privatePostgresUnavailable, type PrivatePostgres } from '../helpers/private-postgres.ts';

/**
 * `oriole serve` with a hot standby (DATABASE_READ_URL): a private primary and a standby
 * made from it with `pg_basebackup -R`, both started by the test on loopback ports. Searches
 * read the standby; a document just ingested is found at once; the standby's outage moves
 * reads to the primary without an error, and its return brings them back.
 */
const unavailable = privatePostgresUnavailable();
const selected = backendSelected('postgres');
if (!selected || unavailable) {
  console.warn(`read-replicas.test.ts skipped: ${!selected ? 'the PostgreSQL backend is not selected (set TEST_DATABASE_URL)' : unavailable}`);
}

interface Readiness {
  status: string;
  checks: Record<string, { ok: boolean; message?: string }>;
}

describe.skipIf(!selected || unavailable !== null)('search reads on a hot standby (private PostgreSQL clusters)', { timeout: 120_000 }, () => {
  let primary: PrivatePostgres;
  let standby: PrivatePostgres;
  let server: RunningServer;
  const replicaCheckName = () => `replica ${standby.url}`;

  const call = async (path: string, body?: unknown) => {
    const response = await fetch(`${server.url}${path}`, body === undefined ? {} : { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const readiness = async () => (await call('/ready')).body as unknown as Readiness;
  const standbyReads = async () => Number(/(\d+) answered since start/.exec((await readiness()).checks[replicaCheckName()]?.message ?? '')?.[1] ?? -1);
  const until = async (condition: () => Promise<boolean>, what: string) => {
    const deadline = Date.now() + 30_000;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  const onStandby = async (sql: string) => {
    const client = new pg.Client({ connectionString: standby.url });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  const ingest = async (source: string, content: string) => {
    const queued = await call('/documents', { kb: 'replicated', source, content, contentType: 'text/markdown' });
    expect(queued.status).toBe(202);
    const jobId = queued.body.jobId as string;
    for (;;) {
      const job = await call(`/jobs/${jobId}`);
      if (job.body.status === 'succeeded') return;
      if (job.body.status === 'failed') throw new Error(`ingest failed: ${JSON.stringify(job.body)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const topSource = async (query: string) => {
    const search = await call('/search', { kb: 'replicated', query });
    expect(search.status).toBe(200);
    return ((search.body.results as { source: string }[])[0] ?? { source: null }).source;
  };

  beforeAll(async () => {
    primary = await createPrivatePostgres();
    const admin = new pg.Client({ connectionString: primary.url });
    await admin.connect();
    await admin.query('CREATE EXTENSION IF NOT EXISTS vector');
    await admin.end();
    standby = await createPrivateStandby(primary);
    const config = loadConfig({
      DATABASE_URL: primary.url,
      DATABASE_READ_URL: standby.url,
      ORIOLE_EMBEDDER: 'none',
      ORIOLE_RATE_LIMIT_PER_MINUTE: '0',
    });
    server = await startServer({ ...config, server: { host: '127.0.0.1', port: 0 } }, createLogger({ logLevel: 'silent' }));
    await call('/kbs', { name: 'replicated', embedder: 'none' });
    await ingest('refunds.md', '# Refunds\n\nAnnual plans are refunded pro rata within 30 days of renewal.\n');
    await until(async () => (await readiness()).checks[replicaCheckName()]?.message?.startsWith('serving reads') === true, 'the standby serves reads');
  }, 180_000);
  afterAll(async () => {
    await server?.close();
    await standby?.destroy();
    await primary?.destroy();
  });

  it('reports the standby in /ready and sends searches to it', async () => {
    const ready = await readiness();
    expect(ready.status).toBe('ready');
    expect(ready.checks[replicaCheckName()]).toMatchObject({ ok: true, message: expect.stringMatching(/^serving reads, \d+ ms behind the primary; \d+ answered since start$/) });
    // Right after a write the primary answers until the next check finds the standby caught up (≤ 1 s).
    await until(async () => {
      const before = await standbyReads();
      for (let search = 0; search < 3; search++) expect(await topSource('annual plans refunded')).toBe('refunds.md');
      return (await standbyReads()) >= before + 3;
    }, 'three searches in a row read the standby');
  });

  it('finds a document just ingested at once, even while the standby has not replayed it', async () => {
    // Replay paused: the standby cannot have the new document; the same client must still find it.
    await onStandby('SELECT pg_wal_replay_pause()');
    try {
      await ingest('quiet-hours.md', '# Quiet hours\n\nQuiet hours mute push alerts between 22:00 and 07:00.\n');
      expect(await topSource('quiet hours mute push alerts')).toBe('quiet-hours.md');
    } finally {
      await onStandby('SELECT pg_wal_replay_resume()');
    }
    // Once replayed, the standby serves again, the new document included.
    await until(async () => {
      const before = await standbyReads();
      return (await topSource('quiet hours mute push alerts')) === 'quiet-hours.md' && (await standbyReads()) > before;
    }, 'the standby has replayed the new document and serves it');
  });

  it('moves reads to the primary without an error while the standby is down, and back when it returns', async () => {
    await standby.stop();
    try {
      for (let search = 0; search < 3; search++) expect(await topSource('annual plans refunded')).toBe('refunds.md');
      await until(async () => (await readiness()).checks[replicaCheckName()]?.ok === false, '/ready reports the standby down');
      const ready = await readiness();
      expect(ready.status).toBe('degraded');
      expect(ready.checks[replicaCheckName()]?.message).toBe('skipped: not reachable, or no longer a standby; reads go to the primary');
    } finally {
      await standby.start();
    }
    await until(async () => (await readiness()).checks[replicaCheckName()]?.ok === true, 'the standby is back');
    const before = await standbyReads();
    expect(await topSource('annual plans refunded')).toBe('refunds.md');
    expect(await standbyReads()).toBeGreaterThan(before);
  });
});
