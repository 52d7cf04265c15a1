import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request as httpRequest, type Server } from 'node:http';
import path from 'node:path';
import pLimit from 'p-limit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openPostgres, type Database } from '../../src/db/index.ts';
import { readMigrationFiles } from '../../src/db/migration-files.ts';
import { backendSelected, createScratchDatabase } from '../helpers/databases.ts';
import { serve, type Served } from '../helpers/serve.ts';

/**
 * Oriole scaled out on one PostgreSQL database, as the README says it can be: three
 * `oriole serve` processes behind a round-robin proxy (standing in for a load balancer)
 * and three `oriole worker` processes. Uploads and questions arrive at once; one worker
 * and one API process are killed with SIGKILL mid-way. Every accepted upload is ingested
 * exactly once, a client only ever gets a right answer or a connection error (502 from
 * the proxy), and a job the killed worker held completes elsewhere once its lease lapses.
 */
const selected = backendSelected('postgres');
if (!selected) console.warn('many-processes.test.ts skipped: the PostgreSQL backend is not selected (set TEST_DATABASE_URL)');

const uploads = 500;
const questions = 200;
/** Requests in flight through the proxy at once, as a busy site's clients would have. */
const clientConcurrency = 16;

interface Outcome {
  status: number;
  body: Record<string, unknown>;
}

describe.skipIf(!selected)('three API processes and three workers on one database', { timeout: 600_000 }, () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let database: Database;
  let apis: Served[] = [];
  const workers: ChildProcess[] = [];
  let proxy: { url: string; server: Server };

  const environment = () => ({ DATABASE_URL: scratch.url, ORIOLE_EMBEDDER: 'none', ORIOLE_RATE_LIMIT_PER_MINUTE: '0', ORIOLE_OCR: 'off' });

  const call = (method: 'GET' | 'POST', route: string, body?: unknown): Promise<Outcome> =>
    fetch(`${proxy.url}${route}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
    }).then(
      async (response) => ({ status: response.status, body: (await response.json().catch(() => ({}))) as Record<string, unknown> }),
      () => ({ status: 0, body: {} }),
    );

  beforeAll(async () => {
    scratch = await createScratchDatabase('oriole_scale');
    database = openPostgres({ url: scratch.url });
    await migrate(database, await readMigrationFiles());
    apis = await Promise.all([0, 1, 2].map(() => serve(environment())));
    for (let index = 0; index < 3; index++) workers.push(startWorker(environment()));
    proxy = await roundRobinProxy(apis.map((api) => api.port));
    for (const kb of ['help', 'load']) expect((await call('POST', '/kbs', { name: kb, embedder: 'none' })).status).toBe(201);
    // What the questions are about, ingested before the load starts.
    const seeded = await call('POST', '/documents', {
      kb: 'help',
      source: 'billing/refunds.md',
      contentType: 'text/markdown',
      content: '# Refunds\n\nAnnual plans are refunded pro rata within 30 days of renewal. Monthly plans are not refunded.\n',
    });
    expect(seeded.status).toBe(202);
    await until(async () => (await jobStatuses(database)).every((status) => status === 'succeeded'), 'the seed document is ingested');
  }, 180_000);

  afterAll(async () => {
    for (const child of [...workers, ...apis.map((api) => api.child)]) child.kill('SIGKILL');
    await new Promise<void>((resolve) => proxy?.server.close(() => resolve()));
    await database?.close();
    await scratch?.drop();
  });

  it('ingests every accepted upload exactly once and answers rightly or not at all while a worker and an API process die', async () => {
    const limit = pLimit(clientConcurrency);
    const uploadOutcomes: { source: string; outcome: Outcome }[] = [];
    const answerOutcomes: Outcome[] = [];
    const killed = { worker: false, api: false };
    let finished = 0;
    const killMidway = () => {
      finished += 1;
      if (finished === Math.floor((uploads + questions) / 3) && !killed.worker) {
        killed.worker = true;
        workers[0]!.kill('SIGKILL');
      }
      if (finished === Math.floor((uploads + questions) / 2) && !killed.api) {
        killed.api = true;
        apis[1]!.child.kill('SIGKILL');
      }
    };
    const uploadTasks = Array.from({ length: uploads }, (_, index) =>
      limit(async () => {
        const source = `articles/article-${index}.md`;
        const outcome = await call('POST', '/documents', {
          kb: 'load',
          source,
          contentType: 'text/markdown',
          content: `# Article ${index}\n\nArticle ${index} explains setting number ${index} of the console, codeword zq${index}x.\n`,
        });
        uploadOutcomes.push({ source, outcome });
        killMidway();
      }),
    );
    const answerTasks = Array.from({ length: questions }, () =>
      limit(async () => {
        answerOutcomes.push(await call('POST', '/answer', { kb: 'help', question: 'Are annual plans refunded?' }));
        killMidway();
      }),
    );
    await Promise.all([...uploadTasks, ...answerTasks]);
    expect(killed).toEqual({ worker: true, api: true });

    // A client sees a right answer or a connection error (the proxy's 502), never a wrong answer or a 5xx of Oriole's.
    for (const { status, body } of answerOutcomes) {
      expect([200, 502]).toContain(status);
      if (status === 200) {
        expect(body.abstained).toBe(false);
        expect(String(body.answer)).toContain('pro rata within 30 days');
        expect((body.citations as { source: string }[])[0]?.source).toBe('billing/refunds.md');
      }
    }
    expect(answerOutcomes.filter(({ status }) => status === 200).length).toBeGreaterThan(questions / 2);
    for (const { outcome } of uploadOutcomes) expect([202, 502]).toContain(outcome.status);

    // An upload whose answer was lost with the killed process is sent again: ingestion is idempotent.
    const lost = uploadOutcomes.filter(({ outcome }) => outcome.status !== 202);
    for (const { source } of lost) {
      const index = Number(/article-(\d+)/.exec(source)![1]);
      const again = await call('POST', '/documents', {
        kb: 'load',
        source,
        contentType: 'text/markdown',
        content: `# Article ${index}\n\nArticle ${index} explains setting number ${index} of the console, codeword zq${index}x.\n`,
      });
      expect(again.status).toBe(202);
    }

    // The killed worker's job is taken over once its lease (60 s) lapses; every job ends succeeded.
    await until(async () => (await jobStatuses(database)).every((status) => status === 'succeeded'), 'every job succeeded', 240_000);
    const documents = await database.query<{ source: string; chunks: string; copies: string }>(
      `SELECT d.source, count(c.id)::text AS chunks, (SELECT count(*) FROM documents same WHERE same.kb_id = d.kb_id AND same.source = d.source)::text AS copies
         FROM documents d JOIN knowledge_bases kb ON kb.id = d.kb_id LEFT JOIN chunks c ON c.document_id = d.id
        WHERE kb.name = 'load' GROUP BY d.id, d.source`,
    );
    expect(documents.rows).toHaveLength(uploads);
    for (const row of documents.rows) expect(row).toMatchObject({ chunks: '1', copies: '1' });
    const takenOver = await database.query<{ count: string }>(`SELECT count(*)::text AS count FROM jobs WHERE kind = 'ingest' AND attempts > 1`);
    console.log(
      `many processes: ${lost.length} of ${uploads} uploads and ${answerOutcomes.filter(({ status }) => status !== 200).length} of ${questions} answers lost with the killed API process; ${takenOver.rows[0]!.count} job(s) taken over after the killed worker's lease lapsed`,
    );
    const search = await call('POST', '/search', { kb: 'load', query: 'codeword zq417x' });
    expect((search.body.results as { source: string }[])[0]?.source).toBe('articles/article-417.md');
  });
});

function startWorker(environment: Record<string, string>): ChildProcess {
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const child = spawn(process.execPath, [path.resolve('bin/oriole.js'), 'worker'], {
    env: { ...inherited, ORIOLE_LOG_LEVEL: 'warn', ...environment },
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  return child;
}

/**
 * A load balancer in miniature: each request to the next upstream in turn. An upstream
 * that fails a request gets the client a 502, and one that refuses connections is taken
 * out of the rotation (a passive health check, as nginx's `max_fails`).
 */
async function roundRobinProxy(ports: number[]): Promise<{ url: string; server: Server }> {
  let next = 0;
  const down = new Set<number>();
  const server = createServer((incoming, outgoing) => {
    const live = ports.filter((candidate) => !down.has(candidate));
    const port = live[next++ % live.length]!;
    const forwarded = httpRequest(
      { host: '127.0.0.1', port, method: incoming.method, path: incoming.url, headers: incoming.headers },
      (response) => {
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(outgoing);
        response.on('error', () => outgoing.destroy());
      },
    );
    forwarded.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') down.add(port);
      if (outgoing.headersSent) return outgoing.destroy();
      outgoing.writeHead(502, { 'Content-Type': 'application/json' });
      outgoing.end(JSON.stringify({ error: { code: 'bad_gateway', message: `upstream on port ${port} failed` } }));
    });
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return { url: `http://127.0.0.1:${address.port}`, server };
}

async function jobStatuses(database: Database): Promise<string[]> {
  const { rows } = await database.query<{ status: string }>(`SELECT status FROM jobs WHERE kind = 'ingest'`);
  return rows.map((row) => row.status);
}

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
