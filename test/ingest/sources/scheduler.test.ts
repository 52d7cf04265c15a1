import { Buffer } from 'node:buffer';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { nextRunAfter, parseSchedule } from '../../../ingest/sources/schedule.ts';
import { startSyncScheduler, type SyncScheduler } from '../../../ingest/sources/sync-scheduler.ts';
import {
  createKnowledgeBase,
  insertContentSource,
  migrate,
  openPostgres,
  queueSourceSync,
  type Database,
  type Job,
  type KnowledgeBase,
} from '../../../src/db/index.ts';
import { readMigrationFiles } from '../../../src/db/migration-files.ts';
import { createTestApp, postJson, waitForJob, type TestApp } from '../../helpers/app.ts';
import { backendSelected, createScratchDatabase, openMigrated, testBackends, testDatabaseUrl } from '../../helpers/databases.ts';
import { startFakeZendesk, type FakeZendesk, type FakeZendeskOptions } from '../../helpers/fake-zendesk.ts';

/**
 * The sync scheduler, as every `oriole serve` and `oriole worker` runs it against one
 * database: each due run is claimed by one scheduler, moved to its next slot in the same
 * transaction, and queued once (one pending sync per source); a run missed while every
 * process was down runs once. On PostgreSQL also across processes: two apps with one due
 * Zendesk source list it once, and a worker killed mid-sync leaves no half-stored document
 * and its job to the next worker once the lease lapses.
 */

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;
const secretKey = 'scheduler-test-key-0123456789abcdefghijklmnop';
const agent = { email: 'agent@acme.test', token: 'zendesk-api-token-for-the-scheduler' };

/** What the schedulers' own ticks (at start, on their timer) failed with; none may. */
const schedulerErrors: unknown[] = [];

/** A scheduler whose timer never fires during a test: only `tick()` (and the tick at start) claim. */
function scheduler(database: Database, queued: Job[] = []): SyncScheduler {
  return startSyncScheduler(database, {
    intervalMs: day,
    onQueued: (job) => queued.push(job),
    onError: (error) => schedulerErrors.push(error),
  });
}

async function addSource(
  database: Database,
  kb: KnowledgeBase,
  name: string,
  schedule: string | null,
  nextRunAt: Date | null,
): Promise<string> {
  const source = await insertContentSource(database, {
    kbId: kb.id,
    type: 'zendesk',
    name,
    config: { url: `https://${name}.zendesk.test` },
    credentials: null,
    schedule,
    nextRunAt,
  });
  return source.id;
}

async function syncJobs(database: Database, sourceId: string): Promise<{ id: string; status: string; trigger: string }[]> {
  const result = await database.query<{ id: string; status: string; payload: { trigger: string } }>(
    `SELECT id, status, payload FROM jobs WHERE source_id = $1 AND kind = 'sync' ORDER BY created_at, id`,
    [sourceId],
  );
  return result.rows.map((row) => ({ id: row.id, status: row.status, trigger: row.payload.trigger }));
}

async function nextRunOf(database: Database, sourceId: string): Promise<Date | null> {
  const result = await database.query<{ next_run_at: Date | string | null }>(`SELECT next_run_at FROM sources WHERE id = $1`, [sourceId]);
  const value = result.rows[0]!.next_run_at;
  return value === null ? null : new Date(value);
}

async function makeDue(database: Database, sourceIds: string[], ago = '1 minute'): Promise<void> {
  await database.query(`UPDATE sources SET next_run_at = now() - $2::interval WHERE id = ANY($1::uuid[])`, [sourceIds, ago]);
}

/** Finishes the queued and running syncs of these sources, as a worker would. */
async function finishSyncs(database: Database, sourceIds: string[]): Promise<void> {
  await database.query(
    `UPDATE jobs SET status = 'succeeded', locked_by = NULL, locked_until = NULL, finished_at = now()
      WHERE kind = 'sync' AND source_id = ANY($1::uuid[]) AND status IN ('queued', 'running')`,
    [sourceIds],
  );
}

/** `actual` lies in [from + offset, to + offset], a second of slack either side (the database's clock is this machine's). */
function expectWithin(actual: Date | null, from: number, to: number, offset: number): void {
  expect(actual).not.toBeNull();
  expect(actual!.getTime()).toBeGreaterThanOrEqual(from + offset - 1_000);
  expect(actual!.getTime()).toBeLessThanOrEqual(to + offset + 1_000);
}

describe.each(testBackends())('sync scheduler ($name)', (backend) => {
  let database: Database;
  /** The same database over a connection of its own (PostgreSQL), as another process has; PGlite allows one. */
  let other: Database;
  const started: SyncScheduler[] = [];

  beforeAll(async () => {
    database = await openMigrated(backend);
    if (backend.name === 'postgres') {
      const schema = (await database.query<{ schema: string }>(`SELECT current_schema() AS schema`)).rows[0]!.schema;
      other = openPostgres({ url: testDatabaseUrl!, schema, maxConnections: 4 });
    } else {
      other = database;
    }
  });

  afterEach(async () => {
    await Promise.all(started.splice(0).map((running) => running.stop()));
    expect(schedulerErrors.splice(0)).toEqual([]);
  });

  afterAll(async () => {
    if (other && other !== database) await other.close();
    await backend.cleanup();
  });

  function startTwo(): { schedulers: [SyncScheduler, SyncScheduler]; queued: Job[] } {
    const queued: Job[] = [];
    const schedulers: [SyncScheduler, SyncScheduler] = [scheduler(database, queued), scheduler(other, queued)];
    started.push(...schedulers);
    return { schedulers, queued };
  }

  it('queues exactly one sync of each due source when two schedulers tick at once, and moves each next run to its next slot', async () => {
    const kb = await createKnowledgeBase(database, { name: 'concurrent', embedder: 'none' });
    const future = new Date(Date.now() + hour);
    // More due sources than one claim takes (20), so each scheduler claims several batches.
    const interval = await Promise.all(Array.from({ length: 45 }, (_, index) => addSource(database, kb, `every-6h-${index}`, '6h', future)));
    const cron = await addSource(database, kb, 'nightly', '0 3 * * *', future);
    const notDue = await addSource(database, kb, 'not-due', '6h', future);
    const manual = await addSource(database, kb, 'manual', null, null);
    const due = [...interval, cron];

    const { schedulers, queued } = startTwo();
    // Their ticks at start found nothing due.
    expect(await Promise.all(schedulers.map((running) => running.tick()))).toEqual([0, 0]);

    for (let round = 1; round <= 3; round += 1) {
      await finishSyncs(database, due);
      await makeDue(database, due, round === 1 ? '1 minute' : `${round} days`);
      queued.length = 0;
      const before = Date.now();
      const counts = await Promise.all([schedulers[0].tick(), schedulers[1].tick(), schedulers[1].tick(), schedulers[0].tick()]);
      const after = Date.now();
      // A second tick() of the same scheduler joins the one running: two claims in all.
      expect(counts[0]).toBe(counts[3]);
      expect(counts[1]).toBe(counts[2]);
      expect(counts[0] + counts[1], `round ${round}`).toBe(due.length);
      expect(new Set(queued.map((job) => job.payload.sourceId))).toEqual(new Set(due));
      expect(queued).toHaveLength(due.length);

      for (const sourceId of due) {
        const jobs = await syncJobs(database, sourceId);
        expect(jobs, `round ${round}`).toHaveLength(round);
        expect(jobs.filter((job) => job.status === 'queued')).toHaveLength(1);
        expect(jobs.every((job) => job.trigger === 'schedule')).toBe(true);
      }
      for (const sourceId of interval) expectWithin(await nextRunOf(database, sourceId), before, after, 6 * hour);
      const nightly = parseSchedule('0 3 * * *');
      const cronNext = await nextRunOf(database, cron);
      expect([nextRunAfter(nightly, new Date(before - 1_000)).getTime(), nextRunAfter(nightly, new Date(after + 1_000)).getTime()]).toContain(
        cronNext!.getTime(),
      );
      expect(cronNext!.getUTCHours()).toBe(3);
      expect(cronNext!.getUTCMinutes()).toBe(0);
      expect(cronNext!.getTime()).toBeGreaterThan(after);

      // Nothing is due any more: ticking again queues nothing.
      expect(await Promise.all(schedulers.map((running) => running.tick()))).toEqual([0, 0]);
    }

    expect(await syncJobs(database, notDue)).toEqual([]);
    expect((await nextRunOf(database, notDue))!.getTime()).toBe(future.getTime());
    expect(await syncJobs(database, manual)).toEqual([]);
    expect(await nextRunOf(database, manual)).toBeNull();
    await finishSyncs(database, due);
  });

  it('queues no second sync while one is queued or running, but still moves the next run on', async () => {
    const kb = await createKnowledgeBase(database, { name: 'pending', embedder: 'none' });
    const sourceId = await addSource(database, kb, 'busy', '6h', new Date(Date.now() + hour));
    const manual = await queueSourceSync(database, { sourceId, kbId: kb.id, trigger: 'manual' });
    expect(manual.created).toBe(true);

    const { schedulers, queued } = startTwo();
    await Promise.all(schedulers.map((running) => running.tick()));
    await makeDue(database, [sourceId]);
    let before = Date.now();
    expect(await Promise.all([schedulers[0].tick(), schedulers[1].tick()])).toEqual([0, 0]);
    let after = Date.now();
    expect(queued).toEqual([]);
    expect(await syncJobs(database, sourceId)).toEqual([{ id: manual.job.id, status: 'queued', trigger: 'manual' }]);
    expectWithin(await nextRunOf(database, sourceId), before, after, 6 * hour);

    // A worker takes it: running counts as pending too.
    await database.query(
      `UPDATE jobs SET status = 'running', locked_by = 'scheduler-test', locked_until = now() + interval '1 minute', attempts = 1 WHERE id = $1`,
      [manual.job.id],
    );
    await makeDue(database, [sourceId], '2 days');
    before = Date.now();
    expect(await Promise.all([schedulers[0].tick(), schedulers[1].tick()])).toEqual([0, 0]);
    after = Date.now();
    expect(await syncJobs(database, sourceId)).toEqual([{ id: manual.job.id, status: 'running', trigger: 'manual' }]);
    expectWithin(await nextRunOf(database, sourceId), before, after, 6 * hour);

    // Once it finished, the next due run is queued.
    await finishSyncs(database, [sourceId]);
    await makeDue(database, [sourceId]);
    expect((await Promise.all([schedulers[0].tick(), schedulers[1].tick()])).reduce((sum, count) => sum + count, 0)).toBe(1);
    const jobs = await syncJobs(database, sourceId);
    expect(jobs.map((job) => [job.status, job.trigger])).toEqual([
      ['succeeded', 'manual'],
      ['queued', 'schedule'],
    ]);
    expect(queued.map((job) => job.id)).toEqual([jobs[1]!.id]);
  });

  it.skipIf(backend.name !== 'postgres')('skips a due source another scheduler holds, without waiting for it, and claims it once released', async () => {
    const kb = await createKnowledgeBase(database, { name: 'held', embedder: 'none' });
    const heldSource = await addSource(database, kb, 'held', '6h', new Date(Date.now() + hour));
    const free = await addSource(database, kb, 'free', '6h', new Date(Date.now() + hour));
    const { schedulers } = startTwo();
    await Promise.all(schedulers.map((running) => running.tick()));
    await makeDue(database, [heldSource, free]);
    const nextBefore = await nextRunOf(database, heldSource);

    // Another scheduler's transaction holds the row (as while it queues the sync).
    await other.transaction(async (transaction) => {
      await transaction.query(`SELECT id FROM sources WHERE id = $1 FOR UPDATE`, [heldSource]);
      // Were the row waited for, this tick would never end (the lock is released only after it).
      expect(await schedulers[0].tick()).toBe(1);
    });
    expect(await syncJobs(database, heldSource)).toEqual([]);
    expect((await nextRunOf(database, heldSource))!.getTime()).toBe(nextBefore!.getTime());
    expect(await syncJobs(database, free)).toHaveLength(1);

    expect(await schedulers[0].tick()).toBe(1);
    expect(await syncJobs(database, heldSource)).toHaveLength(1);
    await finishSyncs(database, [heldSource, free]);
  });

  it('runs a run missed for days once when a scheduler starts, not once per missed slot', async () => {
    const kb = await createKnowledgeBase(database, { name: 'missed', embedder: 'none' });
    const sourceId = await addSource(database, kb, 'missed', '6h', new Date(Date.now() + hour));
    // Due three days ago: twelve 6-hour slots went by while no process ran.
    await makeDue(database, [sourceId], '3 days');

    const queued: Job[] = [];
    const before = Date.now();
    const first = scheduler(database, queued);
    started.push(first);
    // The tick at start claims it; tick() joins that one or finds nothing left.
    await first.tick();
    const after = Date.now();
    expect(queued).toHaveLength(1);
    expect(await syncJobs(database, sourceId)).toHaveLength(1);
    const next = await nextRunOf(database, sourceId);
    expectWithin(next, before, after, 6 * hour);

    // The sync ran; more ticks, from more schedulers, queue nothing until the next slot.
    await finishSyncs(database, [sourceId]);
    const second = scheduler(other, queued);
    started.push(second);
    for (let tick = 0; tick < 5; tick += 1) {
      expect(await Promise.all([first.tick(), second.tick()])).toEqual([0, 0]);
    }
    expect(queued).toHaveLength(1);
    expect((await syncJobs(database, sourceId)).map((job) => job.status)).toEqual(['succeeded']);
    expect((await nextRunOf(database, sourceId))!.getTime()).toBe(next!.getTime());
  });

  it('stops the schedule of a source whose stored schedule no longer parses, and goes on with the others', async () => {
    const kb = await createKnowledgeBase(database, { name: 'unparsable', embedder: 'none' });
    const good = await addSource(database, kb, 'good', '6h', new Date(Date.now() + hour));
    const bad = await addSource(database, kb, 'bad', '6h', new Date(Date.now() + hour));
    // Stored before a rule changed (shorter than today's minimum).
    await database.query(`UPDATE sources SET schedule = '1m' WHERE id = $1`, [bad]);
    await makeDue(database, [good, bad]);

    const { schedulers } = startTwo();
    await Promise.all(schedulers.map((running) => running.tick()));
    expect(await syncJobs(database, good)).toHaveLength(1);
    expect((await nextRunOf(database, good))!.getTime()).toBeGreaterThan(Date.now() + 5 * hour);
    expect(await nextRunOf(database, bad)).toBeNull();
    const badJobs = (await syncJobs(database, bad)).length;
    expect(badJobs).toBeLessThanOrEqual(1);
    await finishSyncs(database, [good, bad]);
    expect(await Promise.all(schedulers.map((running) => running.tick()))).toEqual([0, 0]);
    expect(await syncJobs(database, bad)).toHaveLength(badJobs);
  });
});

// ---------------------------------------------------------------------------------------
// Several processes on one PostgreSQL database.

/** Two locales, five articles (one a draft); pages of two, so a full listing takes five article pages. */
const helpCenter: Omit<FakeZendeskOptions, 'agent'> = {
  locales: ['en-us', 'de'],
  pageSizeLimit: 2,
  sections: [
    { id: 100, names: { 'en-us': 'Getting started', de: 'Erste Schritte' } },
    { id: 200, names: { 'en-us': 'Billing', de: 'Abrechnung' } },
  ],
  articles: [
    {
      id: 1001,
      sectionId: 100,
      translations: {
        'en-us': { title: 'Install Oriole', body: '<p>Run the installer, then open the dashboard.</p>' },
        de: { title: 'Oriole installieren', body: '<p>Starten Sie das Installationsprogramm.</p>' },
      },
    },
    {
      id: 1002,
      sectionId: 100,
      translations: {
        'en-us': { title: 'Invite your team', body: '<p>Send invitations from the members page.</p>' },
        de: { title: 'Team einladen', body: '<p>Einladungen verschicken Sie auf der Mitgliederseite.</p>' },
      },
    },
    {
      id: 1003,
      sectionId: 200,
      translations: {
        'en-us': { title: 'Change your plan', body: '<p>Open the billing page and pick a plan.</p>' },
        de: { title: 'Tarif wechseln', body: '<p>Öffnen Sie die Abrechnung.</p>' },
      },
    },
    { id: 1004, sectionId: 200, translations: { 'en-us': { title: 'Refunds', body: '<p>Refunds are granted within 30 days.</p>' } } },
    { id: 1005, sectionId: 200, translations: { 'en-us': { title: 'Upcoming pricing', body: '<p>Secret.</p>', draft: true } } },
  ],
};

/** The Authorization header an agent's token gives: the credentials were opened wherever a sync ran. */
const agentAuthorization = `Basic ${Buffer.from(`${agent.email}/token:${agent.token}`).toString('base64')}`;

const articleLists = (requests: string[]) => requests.filter((request) => /^GET \/api\/v2\/help_center\/[a-z-]+\/articles/.test(request));
const localeLists = (requests: string[]) => requests.filter((request) => request.startsWith('GET /api/v2/help_center/locales'));

async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function sourceView(app: TestApp, id: string): Promise<Record<string, unknown> & { status: string; lastRun: Record<string, unknown> | null }> {
  const response = await app.request(`/sources/${id}`);
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown> & { status: string; lastRun: Record<string, unknown> | null };
}

interface StoredDocument {
  source: string;
  status: string;
  content_hash: string | null;
  chunk_count: number;
  chunks: number;
}

async function documentsOf(database: Database, sourceId: string): Promise<StoredDocument[]> {
  const result = await database.query<StoredDocument & { chunks: string | number }>(
    `SELECT d.source, d.status, d.content_hash, d.chunk_count, (SELECT count(*) FROM chunks c WHERE c.document_id = d.id) AS chunks
       FROM documents d WHERE d.source_id = $1 ORDER BY d.source`,
    [sourceId],
  );
  return result.rows.map((row) => ({ ...row, chunk_count: Number(row.chunk_count), chunks: Number(row.chunks) }));
}

/** Every stored document of the source is whole: ready, fingerprinted, with its chunks. */
function expectWhole(documents: StoredDocument[]): void {
  for (const document of documents) {
    expect(document.status, document.source).toBe('ready');
    expect(document.content_hash, document.source).toMatch(/\S/);
    expect(document.chunk_count, document.source).toBeGreaterThan(0);
    expect(document.chunks, document.source).toBe(document.chunk_count);
  }
}

describe.skipIf(!backendSelected('postgres'))('sync scheduler across processes (PostgreSQL)', () => {
  let fake: FakeZendesk;
  let scratch: { url: string; drop(): Promise<void> } | undefined;
  const opened: Database[] = [];
  const apps: { stop(): Promise<void> }[] = [];
  const children: ChildProcess[] = [];

  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.all(apps.splice(0).map((app) => app.stop()));
    await Promise.all(opened.splice(0).map((database) => database.close()));
    await fake?.close();
    await scratch?.drop();
    scratch = undefined;
  });

  async function openScratch(): Promise<Database> {
    const database = openPostgres({ url: scratch!.url, maxConnections: 4 });
    opened.push(database);
    return database;
  }

  function app(database: Database, options: Parameters<typeof createTestApp>[1]) {
    const created = createTestApp(database, { secretKeys: [secretKey], allowPrivateNetwork: true, ...options });
    apps.push(created);
    return created;
  }

  it('two apps on one database with one Zendesk source due: the help center is listed once, and the source ends succeeded', async () => {
    fake = await startFakeZendesk({ ...helpCenter, agent });
    scratch = await createScratchDatabase('oriole_sched');
    const first = await openScratch();
    await migrate(first, await readMigrationFiles());
    const second = await openScratch();
    // Each sync lists everything, so any second run would show as a second full listing.
    const settings = { syncSchedulerIntervalMs: 200, sources: { fullListingEveryMs: 0 } };
    const one = app(first, { ...settings, workerId: 'app-one' });
    const two = app(second, { ...settings, workerId: 'app-two' });

    const created = await postJson(one.app, '/kbs/default/sources', {
      type: 'zendesk',
      name: 'help-center',
      config: { url: fake.url, ...agent },
      schedule: '6h',
    });
    expect(created.status).toBe(201);
    const { id, jobId } = (await created.json()) as { id: string; jobId: string };
    expect(await waitForJob(one.app, jobId, 90_000)).toMatchObject({ status: 'succeeded' });
    // The first sync: one full listing (en-us in three pages, de in two).
    expect(localeLists(fake.requests)).toHaveLength(1);
    expect(articleLists(fake.requests)).toHaveLength(5);
    const firstRun = (await sourceView(one.app, id)).lastRun!;

    const mark = fake.requests.length;
    await first.query(`UPDATE sources SET next_run_at = now() - interval '1 minute' WHERE id = $1`, [id]);
    const runs = await waitFor('the scheduled sync to finish', async () => {
      const jobs = await first.query<{ status: string; payload: { trigger: string } }>(
        `SELECT status, payload FROM jobs WHERE source_id = $1 AND kind = 'sync' ORDER BY created_at`,
        [id],
      );
      return jobs.rows.length >= 2 && jobs.rows.every((job) => job.status === 'succeeded' || job.status === 'failed') ? jobs.rows : undefined;
    });
    // Both schedulers look every 200 ms: give them a couple of seconds to queue a duplicate.
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    const jobs = await first.query<{ status: string; payload: { trigger: string } }>(
      `SELECT status, payload FROM jobs WHERE source_id = $1 AND kind = 'sync' ORDER BY created_at`,
      [id],
    );
    expect(jobs.rows.map((job) => [job.status, job.payload.trigger])).toEqual([
      ['succeeded', 'created'],
      ['succeeded', 'schedule'],
    ]);
    expect(runs).toHaveLength(2);
    const since = fake.requests.slice(mark);
    expect(localeLists(since)).toHaveLength(1);
    expect(articleLists(since)).toHaveLength(5);
    expect(since.filter((request) => request.includes('/incremental/'))).toEqual([]);
    expect(new Set(fake.authorizations)).toEqual(new Set([agentAuthorization]));

    for (const each of [one, two]) {
      const view = await sourceView(each.app, id);
      expect(view.status).toBe('succeeded');
      expect(view.lastError).toBeNull();
      expect(view.lastRun).toMatchObject({ status: 'succeeded', mode: 'full', added: 0, unchanged: 7, deleted: 0, failed: 0 });
      expect(Date.parse(view.lastRun!.startedAt as string)).toBeGreaterThanOrEqual(Date.parse(firstRun.finishedAt as string));
      expect(Date.parse(view.nextRunAt as string)).toBeGreaterThan(Date.now() + 5 * hour);
    }
  }, 240_000);

  it('a worker killed mid-sync leaves no half-stored document, and the next worker completes the sync once the lease lapses', async () => {
    fake = await startFakeZendesk({ ...helpCenter, agent });
    // The second page of en-us articles (1003, 1004) waits until the test lets it through.
    const held = fake.hold((url) => url.pathname.startsWith('/api/v2/help_center/en-us/articles') && url.searchParams.has('page[after]'));
    scratch = await createScratchDatabase('oriole_sched');
    const database = await openScratch();
    await migrate(database, await readMigrationFiles());

    // The source and its first sync, queued by an app that runs no worker.
    const creator = app(database, { worker: false });
    const created = await postJson(creator.app, '/kbs/default/sources', {
      type: 'zendesk',
      name: 'help-center',
      config: { url: fake.url, locale: 'en-us', ...agent },
    });
    expect(created.status).toBe(201);
    const { id, jobId } = (await created.json()) as { id: string; jobId: string };

    const { DATABASE_URL: _ignored, ...inherited } = process.env;
    const worker = spawn(process.execPath, [path.resolve('bin/oriole.js'), 'worker'], {
      env: {
        ...inherited,
        DATABASE_URL: scratch.url,
        ORIOLE_EMBEDDER: 'none',
        ORIOLE_ALLOW_PRIVATE_NETWORK: 'true',
        ORIOLE_SECRET_KEY: secretKey,
        ORIOLE_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(worker);
    let output = '';
    worker.stdout!.on('data', (data: Buffer) => (output += data.toString()));
    worker.stderr!.on('data', (data: Buffer) => (output += data.toString()));
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));

    const reached = await Promise.race([
      held.reached,
      exited.then(() => {
        throw new Error(`oriole worker exited before the sync reached the second page:\n${output}`);
      }),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`the sync did not reach the second page:\n${output}`)), 120_000)),
    ]);
    expect(reached).toContain('page%5Bafter%5D=');

    const running = await database.query<{ status: string; locked_by: string | null; attempts: number }>(
      `SELECT status, locked_by, attempts FROM jobs WHERE id = $1`,
      [jobId],
    );
    expect(running.rows[0]).toMatchObject({ status: 'running', attempts: 1 });
    expect(running.rows[0]!.locked_by).toMatch(/:\d+$/);

    worker.kill('SIGKILL');
    await exited;
    expect(worker.signalCode).toBe('SIGKILL');

    // The first page's articles are stored whole; nothing of the second page is.
    const afterKill = await documentsOf(database, id);
    expect(afterKill.map((document) => document.source)).toEqual([`${fake.url}/hc/en-us/articles/1001`, `${fake.url}/hc/en-us/articles/1002`]);
    expectWhole(afterKill);
    const pending = await database.query<{ count: string }>(`SELECT count(*) AS count FROM documents WHERE status = 'pending'`);
    expect(Number(pending.rows[0]!.count)).toBe(0);
    // The killed worker never handed the job back: it stays running under its lease.
    expect((await database.query<{ status: string }>(`SELECT status FROM jobs WHERE id = $1`, [jobId])).rows[0]!.status).toBe('running');

    held.release();
    await database.query(`UPDATE jobs SET locked_until = now() - interval '1 second' WHERE id = $1`, [jobId]);
    const next = app(database, { workerId: 'second-worker' });
    const job = (await waitForJob(next.app, jobId, 120_000)) as { status: string; error?: string; sync?: { run: Record<string, unknown> } };
    expect(job.status, job.error).toBe('succeeded');
    expect(job.sync?.run).toMatchObject({ status: 'succeeded', mode: 'full', added: 2, unchanged: 2, failed: 0 });
    const attempts = await database.query<{ attempts: number }>(`SELECT attempts FROM jobs WHERE id = $1`, [jobId]);
    expect(attempts.rows[0]!.attempts).toBe(2);

    const stored = await documentsOf(database, id);
    expect(stored.map((document) => document.source)).toEqual([1001, 1002, 1003, 1004].map((article) => `${fake.url}/hc/en-us/articles/${article}`));
    expectWhole(stored);
    const view = await sourceView(next.app, id);
    expect(view.status).toBe('succeeded');
    expect(view.lastError).toBeNull();
    // Both workers opened the sealed token: the child with ORIOLE_SECRET_KEY, this one with the same key.
    expect(new Set(fake.authorizations)).toEqual(new Set([agentAuthorization]));
  }, 300_000);
});
