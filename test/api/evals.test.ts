import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  defaultEvalWorkerOptions,
  metricNames,
  parseEvalCases,
  runEval,
  startEvalWorker,
  type EvalCase,
  type EvalReport,
} from '../../evals/index.ts';
import { ingestDocument, startJobWorker, defaultJobWorkerOptions, type IngestContext } from '../../ingest/pipeline/index.ts';
import type { AnswerService } from '../../src/answer/index.ts';
import {
  claimNextJob,
  createEvalJob,
  createIngestJob,
  ensureKnowledgeBase,
  getJob,
  getKnowledgeBase,
  releaseJob,
  type Database,
  type KnowledgeBase,
} from '../../src/db/index.ts';
import { createTestApp, expectError, postJson, testOriole, type TestApp } from '../helpers/app.ts';
import { openMigrated, testBackends } from '../helpers/databases.ts';
import { testIngestContext } from '../helpers/ingestion.ts';

interface EvalBody {
  id: string;
  kb: string;
  evalSet: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  progress: { done: number; total: number };
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
  report: EvalReport | null;
}

const helpCenter = path.resolve('examples/help-center');
const ingestedFolders = ['account', 'billing'];

/** The Markdown articles of two help-center folders in KB 'default': small, and real. */
async function ingestSmallHelpCenter(database: Database): Promise<IngestContext> {
  const context = testIngestContext(database, null);
  const kb = await ensureKnowledgeBase(database, { name: 'default', embedder: 'none' });
  for (const folder of ingestedFolders) {
    for (const name of (await readdir(path.join(helpCenter, folder))).filter((file) => file.endsWith('.md'))) {
      const bytes = new Uint8Array(await readFile(path.join(helpCenter, folder, name)));
      await ingestDocument(context, kb, { source: `${folder}/${name}`, bytes, contentType: 'text/markdown' });
    }
  }
  return context;
}

/** Golden cases about the ingested articles, two unanswerable ones, and one bound to fail (its gold source is not in the KB). */
async function smallEvalSet(): Promise<EvalCase[]> {
  const golden = parseEvalCases(await readFile('evals/datasets/help-center.jsonl', 'utf8'), 'help-center.jsonl');
  const inKb = (source: string) => ingestedFolders.some((folder) => source.startsWith(`${folder}/`)) && source.endsWith('.md');
  const answerable = golden.filter((evalCase) => evalCase.gold_sources?.length && evalCase.gold_sources.every(inKb)).slice(0, 6);
  const unanswerable = golden.filter((evalCase) => evalCase.answerable === false && evalCase.tags?.includes('en')).slice(0, 2);
  const failing: EvalCase = { id: 'bound-to-fail', question: 'How do I reset my password', gold_sources: ['account/not-ingested.md'] };
  return [...answerable, ...unanswerable, failing];
}

async function waitForEval(app: TestApp, id: string, timeoutMs = 60_000): Promise<EvalBody> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const body = (await (await app.request(`/evals/${id}`)).json()) as EvalBody;
    if (body.status === 'succeeded' || body.status === 'failed') return body;
    await delay(50);
  }
  throw new Error(`eval ${id} did not finish in ${timeoutMs} ms`);
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await delay(25);
  }
}

const latencyFree = (summary: EvalReport['summary']) =>
  Object.fromEntries(metricNames.filter((metric) => !metric.startsWith('latency.')).map((metric) => [metric, summary[metric]]));

describe.each(testBackends())('the eval API on $name', (backend) => {
  let database: Database;
  let app: TestApp;
  let answers: AnswerService;
  let stopWorker: () => Promise<void>;
  let cases: EvalCase[];

  beforeAll(async () => {
    database = await openMigrated(backend);
    const context = await ingestSmallHelpCenter(database);
    const created = createTestApp(database, { context, worker: false, evalWorker: true });
    ({ app, answers } = created);
    stopWorker = () => created.evalWorker!.stop();
    cases = await smallEvalSet();
  }, 120_000);
  afterAll(async () => {
    await stopWorker?.();
    await backend.cleanup();
  });

  it('runs inline cases in the background and reports the summary runEval gives for them directly', async () => {
    const queued = await postJson(app, '/evals', { cases });
    expect(queued.status).toBe(202);
    const { id, status, progress } = (await queued.json()) as EvalBody;
    expect(status).toBe('queued');
    expect(progress).toEqual({ done: 0, total: cases.length });

    const finished = await waitForEval(app, id);
    expect(finished).toMatchObject({ id, kb: 'default', evalSet: 'inline', status: 'succeeded', error: null });
    expect(finished.progress).toEqual({ done: cases.length, total: cases.length });
    expect(finished.finishedAt).not.toBeNull();
    const report = finished.report!;
    expect(report.rows.map((row) => row.id)).toEqual(cases.map((evalCase) => evalCase.id));
    expect(report.config).toMatchObject({ kb: 'default', k: 5, concurrency: 2, evalSet: 'inline', llm: 'extractive', judge: null });

    const kb = await getKnowledgeBase(database, 'default');
    const direct = await runEval(answers, {
      cases,
      evalSet: 'inline',
      kb: { name: kb.name, version: kb.version, embedder: kb.embedder },
      k: 5,
      concurrency: 2,
      llm: 'extractive',
      judge: null,
      oriole: testOriole,
    });
    expect(latencyFree(report.summary)).toEqual(latencyFree(direct.summary));
    expect(report.counts).toEqual(direct.counts);
    expect(report.rows.map((row) => [row.id, row.failure])).toEqual(direct.rows.map((row) => [row.id, row.failure]));
    expect(report.rows.find((row) => row.id === 'bound-to-fail')?.failure).not.toBeNull();

    const html = await app.request(`/evals/${id}/report.html`);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const page = await html.text();
    for (const row of report.rows.filter((row) => row.failure !== null)) expect(page).toContain(row.id);
  }, 120_000);

  it('stores eval sets per KB, replaces one posted again under its name, and runs one by name', async () => {
    const first = await postJson(app, '/eval-sets', { name: 'golden.v1', cases: cases.slice(0, 2) });
    expect(first.status).toBe(201);
    expect(await first.json()).toMatchObject({ name: 'golden.v1', kb: 'default', caseCount: 2, replaced: false });

    const again = await postJson(app, '/eval-sets', { kb: 'default', name: 'golden.v1', cases: cases.slice(0, 3) });
    expect(again.status).toBe(200);
    const replaced = (await again.json()) as { caseCount: number; replaced: boolean; createdAt: string; updatedAt: string };
    expect(replaced).toMatchObject({ caseCount: 3, replaced: true });
    expect(Date.parse(replaced.updatedAt)).toBeGreaterThanOrEqual(Date.parse(replaced.createdAt));
    await postJson(app, '/eval-sets', { name: 'other', cases: cases.slice(0, 1) });

    const listed = (await (await app.request('/eval-sets?kb=default')).json()) as { evalSets: Array<{ name: string; caseCount: number }> };
    expect(listed.evalSets.map((set) => [set.name, set.caseCount])).toEqual([
      ['golden.v1', 3],
      ['other', 1],
    ]);
    const stored = (await (await app.request('/eval-sets/golden.v1')).json()) as { cases: EvalCase[] };
    expect(stored.cases).toEqual(cases.slice(0, 3));

    const queued = (await (await postJson(app, '/evals', { evalSet: 'golden.v1', k: 3, concurrency: 1 })).json()) as EvalBody;
    expect(queued.progress).toEqual({ done: 0, total: 3 });
    const finished = await waitForEval(app, queued.id);
    expect(finished).toMatchObject({ status: 'succeeded', evalSet: 'golden.v1' });
    expect(finished.report!.config).toMatchObject({ evalSet: 'golden.v1', k: 3, concurrency: 1 });
    expect(finished.report!.rows).toHaveLength(3);

    expect((await app.request('/eval-sets/golden.v1?kb=default', { method: 'DELETE' })).status).toBe(204);
    await expectError(await app.request('/eval-sets/golden.v1'), 404, 'not_found');
    await expectError(await app.request('/eval-sets/golden.v1', { method: 'DELETE' }), 404, 'not_found');
    // A finished run keeps its report when its set is deleted.
    expect(((await (await app.request(`/evals/${queued.id}`)).json()) as EvalBody).report).not.toBeNull();
  }, 120_000);

  it('refuses unknown KBs, sets and ids with 404', async () => {
    await expectError(await postJson(app, '/evals', { kb: 'nope', cases }), 404, 'not_found');
    await expectError(await postJson(app, '/evals', { evalSet: 'never-stored' }), 404, 'not_found');
    await expectError(await postJson(app, '/eval-sets', { kb: 'nope', name: 'x', cases }), 404, 'not_found');
    await expectError(await app.request('/eval-sets?kb=nope'), 404, 'not_found');
    await expectError(await app.request('/eval-sets/never-stored'), 404, 'not_found');
    await expectError(await app.request('/evals/3f2b8c1e-4d5a-4b6c-8d7e-9f0a1b2c3d4e'), 404, 'not_found');
    await expectError(await app.request('/evals/not-a-uuid'), 404, 'not_found');
    await expectError(await app.request('/evals/not-a-uuid/report.html'), 404, 'not_found');
    const kb = await getKnowledgeBase(database, 'default');
    const ingest = await database.transaction((transaction) => createIngestJob(transaction, { kbId: kb.id, items: [] }));
    await expectError(await app.request(`/evals/${ingest.id}`), 404, 'not_found');
  });

  it('refuses malformed requests with 400 naming the field', async () => {
    const message = async (body: unknown, path = '/evals') => (await expectError(await postJson(app, path, body), 400, 'invalid_request')).message;
    expect(await message({ cases, evalSet: 'golden' })).toMatch(/exactly one/);
    expect(await message({})).toMatch(/exactly one/);
    expect(await message({ cases: [] })).toMatch(/cases/);
    const broken = [...cases.slice(0, 3), { id: 'no-question' }];
    expect(await message({ cases: broken })).toContain('cases.3.question');
    expect(await message({ cases: [{ id: 'q', question: 42 }] })).toContain('cases.0.question');
    expect(await message({ cases: [{ id: 'q', question: 'Why?', answerable: 'yes' }] })).toContain('cases.0.answerable');
    expect(await message({ cases: [{ id: 'q', question: 'Why?', gold_sources: 'a.md' }] })).toContain('cases.0.gold_sources');
    expect(await message({ cases: [{ id: 'q', question: 'Why?', nuggets_all: '600' }] })).toContain('cases.0.nuggets_all');
    expect(await message({ cases: [cases[0], cases[0]] })).toContain('cases.1.id');
    expect(await message({ cases, k: 0 })).toContain('k');
    expect(await message({ cases, concurrency: 9 })).toContain('concurrency');
    expect(await message({ name: '../etc', cases }, '/eval-sets')).toContain('name');
    expect(await message({ name: 'ok' }, '/eval-sets')).toContain('cases');
    await expectError(await postJson(app, '/evals', '{"cases": '), 400, 'invalid_request');
  });

  it('drops keys a case does not have and keeps its nuggets, so sets made for other tools load', async () => {
    const created = await postJson(app, '/eval-sets', {
      name: 'extra-keys',
      cases: [{ id: 'q', question: 'What is the rate limit?', difficulty: 'easy', nuggets_all: ['600 requests'], nuggets_any: ['per hour'] }],
    });
    expect(created.status).toBe(201);
    const stored = (await (await app.request('/eval-sets/extra-keys')).json()) as { cases: EvalCase[] };
    expect(stored.cases).toEqual([{ id: 'q', question: 'What is the rate limit?', nuggets_all: ['600 requests'], nuggets_any: ['per hour'] }]);
  });

  it('refuses a body over 10 MB with 413', async () => {
    const huge = { cases: [{ id: 'big', question: 'Why?', reference_answer: 'x'.repeat(11 * 1024 * 1024) }] };
    await expectError(await postJson(app, '/evals', huge), 413, 'payload_too_large');
    await expectError(await postJson(app, '/eval-sets', { name: 'big', ...huge }), 413, 'payload_too_large');
  });

  it('leaves ingestion jobs to the ingestion worker', async () => {
    const kb = await getKnowledgeBase(database, 'default');
    const ingest = await database.transaction((transaction) => createIngestJob(transaction, { kbId: kb.id, items: [] }));
    await delay(300);
    expect((await getJob(database, ingest.id)).status).toBe('queued');
  });

  it('documents the routes in the OpenAPI document', async () => {
    const document = (await (await app.request('/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/evals', '/evals/{id}', '/evals/{id}/report.html', '/eval-sets', '/eval-sets/{name}']),
    );
    expect(Object.keys(document.paths['/eval-sets/{name}']!)).toEqual(expect.arrayContaining(['get', 'delete']));
  });
});

describe.each(testBackends())('eval jobs in the queue on $name', (backend) => {
  let database: Database;
  let kb: KnowledgeBase;
  let app: TestApp;
  let answers: AnswerService;
  const cases: EvalCase[] = [
    { id: 'a', question: 'How do I reset my password?', gold_sources: ['account/reset-password.md'] },
    { id: 'b', question: 'Can I get a refund?' },
    { id: 'c', question: 'How do I change my email address?' },
    { id: 'd', question: 'Which payment methods do you accept?' },
  ];

  beforeAll(async () => {
    database = await openMigrated(backend);
    const context = await ingestSmallHelpCenter(database);
    kb = await getKnowledgeBase(database, 'default');
    // No worker: jobs stay queued until a test starts one.
    ({ app, answers } = createTestApp(database, { context, worker: false }));
  }, 120_000);
  afterAll(() => backend.cleanup());

  const startWorker = (workerAnswers: Pick<AnswerService, 'stream'>) =>
    startEvalWorker({
      database,
      answers: workerAnswers,
      judge: null,
      llm: 'extractive',
      oriole: testOriole,
      options: { ...defaultEvalWorkerOptions, workerId: 'eval-test', pollIntervalMs: 25, progressIntervalMs: 10 },
    });

  it('serves report.html only once the run succeeded: 409 while it is queued', async () => {
    const { id } = (await (await postJson(app, '/evals', { cases })).json()) as EvalBody;
    const early = await expectError(await app.request(`/evals/${id}/report.html`), 409, 'conflict');
    expect(early.message).toMatch(/queued.*report is ready once it succeeds/);
    const worker = startWorker(answers);
    try {
      await waitFor(async () => (await getJob(database, id)).status === 'succeeded');
    } finally {
      await worker.stop();
    }
    expect((await app.request(`/evals/${id}/report.html`)).status).toBe(200);
  }, 60_000);

  it('claims jobs by kind: ingestion and eval workers leave each other\'s jobs alone', async () => {
    const ingest = await database.transaction((transaction) => createIngestJob(transaction, { kbId: kb.id, items: [] }));
    const evaluation = await createEvalJob(database, { kbId: kb.id, payload: { evalSet: 'inline', cases, k: 5, concurrency: 1 }, total: 4 });
    const lease = { leaseSeconds: 60 };
    expect((await claimNextJob(database, { workerId: 'evals-only', kinds: ['eval'], ...lease }))?.id).toBe(evaluation.id);
    expect(await claimNextJob(database, { workerId: 'evals-only', kinds: ['eval'], ...lease })).toBeUndefined();
    expect((await claimNextJob(database, { workerId: 'ingest-only', kinds: ['ingest'], ...lease }))?.id).toBe(ingest.id);
    await releaseJob(database, { jobId: evaluation.id, workerId: 'evals-only' });
    await releaseJob(database, { jobId: ingest.id, workerId: 'ingest-only' });

    // The ingestion worker runs the ingestion job and leaves the eval queued.
    const ingestion = startJobWorker(testIngestContext(database, null), { ...defaultJobWorkerOptions, workerId: 'ingest', pollIntervalMs: 25 });
    try {
      await waitFor(async () => (await getJob(database, ingest.id)).status === 'succeeded');
      await delay(200);
    } finally {
      await ingestion.stop();
    }
    expect((await getJob(database, evaluation.id)).status).toBe('queued');
    await database.query(`DELETE FROM jobs WHERE id = $1`, [evaluation.id]);
  }, 60_000);

  it('hands a job back to the queue when stopped mid-run, and another worker finishes it', async () => {
    // Each answer waits, so the run is still going when the worker is stopped.
    const slowAnswers: Pick<AnswerService, 'stream'> = {
      async *stream(request, signal) {
        await delay(300, undefined, { signal });
        yield* answers.stream(request, signal);
      },
    };
    const { id } = (await (await postJson(app, '/evals', { cases, concurrency: 1 })).json()) as EvalBody;
    const doomed = startWorker(slowAnswers);
    await waitFor(async () => {
      const job = await getJob(database, id);
      return job.status === 'running' && job.progress.done >= 1;
    });
    await doomed.stop();
    const released = await getJob(database, id);
    expect(released.status).toBe('queued');
    expect(released.attempts).toBe(0);
    expect(released.progress.done).toBeLessThan(cases.length);

    const rescuer = startWorker(answers);
    try {
      await waitFor(async () => (await getJob(database, id)).status === 'succeeded');
    } finally {
      await rescuer.stop();
    }
    const body = (await (await app.request(`/evals/${id}`)).json()) as EvalBody;
    expect(body.report!.rows).toHaveLength(cases.length);
    expect(body.progress).toEqual({ done: cases.length, total: cases.length });
  }, 60_000);

  it('fails the job with a clear error when its stored set was deleted before the run', async () => {
    await postJson(app, '/eval-sets', { name: 'short-lived', cases });
    const { id } = (await (await postJson(app, '/evals', { evalSet: 'short-lived' })).json()) as EvalBody;
    await app.request('/eval-sets/short-lived', { method: 'DELETE' });
    const worker = startWorker(answers);
    try {
      await waitFor(async () => (await getJob(database, id)).status === 'failed');
    } finally {
      await worker.stop();
    }
    const body = (await (await app.request(`/evals/${id}`)).json()) as EvalBody;
    expect(body.error).toMatch(/eval set 'short-lived' of knowledge base 'default' was deleted/);
    expect(body.report).toBeNull();
    const failed = await expectError(await app.request(`/evals/${id}/report.html`), 409, 'conflict');
    expect(failed.message).toMatch(/failed/);
  }, 60_000);
});
