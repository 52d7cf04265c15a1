/**
 * Load and soak of the real HTTP server: `oriole serve` in a child process on 127.0.0.1,
 * driven by autocannon from this process over loopback, at ~10k chunks.
 *
 * The KB is the rhdh-docs-ragas guides (read at run time from `--eval-sets DIR` or
 * ORIOLE_EVAL_SETS_DIR; docs/public-eval-sets.md), written
 * as Markdown in as many numbered copies as reach the target chunk count (each copy's
 * title carries its number) and ingested with `oriole ingest`, lexical-only
 * (ORIOLE_EMBEDDER=none). Requests cycle through the set's questions.
 *
 * Measured per backend: POST /search, POST /answer extractive, and POST /answer generative
 * against the fake OpenAI-protocol server of test/helpers (a second server process with
 * ORIOLE_LLM=openai:fake-model): requests/s and p50/p95/p99 from every response's latency.
 * `--soak MINUTES` then runs /search and /answer (alternating) for that long against one
 * backend and reports memory (RSS, heap after a forced GC) every 10 s and per minute.
 *
 *   npx tsx bench/load.ts --eval-sets DIR                   # PGlite, plus PostgreSQL when a URL is set
 *   npx tsx bench/load.ts --eval-sets DIR --backends postgres --duration 20 --connections 10
 *   npx tsx bench/load.ts --eval-sets DIR --backends pglite --soak 10
 *   npm run bench:load -- --eval-sets DIR --soak 10
 *
 * PostgreSQL: BENCH_DATABASE_URL or TEST_DATABASE_URL (a fresh database is created on that
 * server and dropped afterwards). Bounded: each run lasts `--duration` seconds (≤ 300) and
 * at most `--max-requests`; a soak at most 60 minutes. Loopback only: any other target is
 * refused.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir, cpus, loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { quoteIdentifier } from '../src/db/index.ts';
import { startFakeOpenAiServer } from '../test/helpers/fake-openai-server.ts';
import { freePort } from '../test/helpers/network.ts';
import { evalSetDirectory, loadSet } from './eval-sets.ts';

const { values: options } = parseArgs({
  options: {
    backends: { type: 'string', default: 'pglite,postgres' },
    chunks: { type: 'string', default: '10000' },
    duration: { type: 'string', default: '20' },
    connections: { type: 'string', default: '10' },
    'max-requests': { type: 'string', default: '100000' },
    soak: { type: 'string' },
    'soak-backend': { type: 'string' },
    only: { type: 'string', default: 'search,answer,generative,floor' },
    // Read by evalSetDirectory (bench/eval-sets.ts); declared so the strict parse accepts it.
    'eval-sets': { type: 'string' },
  },
});

const binary = path.resolve(import.meta.dirname, '../bin/oriole.js');
const postgresUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
const targetChunks = bounded(Number(options.chunks), 100, 200_000, '--chunks');
const durationSeconds = bounded(Number(options.duration), 1, 300, '--duration');
const connections = bounded(Number(options.connections), 1, 100, '--connections');
const maxRequests = bounded(Number(options['max-requests']), connections, 10_000_000, '--max-requests');
const soakMinutes = options.soak === undefined ? undefined : bounded(Number(options.soak), 1, 60, '--soak');
const warmupSeconds = 3;
const memorySampleMs = 10_000;

function bounded(value: number, low: number, high: number, name: string): number {
  if (!Number.isFinite(value) || value < low || value > high) throw new Error(`${name} must be between ${low} and ${high}`);
  return value;
}

/** Only this machine: a load script must never be pointed at someone else's server. */
function assertLoopback(url: string): void {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  if (!(host === '127.0.0.1' || host === '::1' || host === 'localhost')) {
    throw new Error(`refusing to load ${url}: bench/load.ts only targets loopback (127.0.0.1, ::1)`);
  }
}

interface Row {
  backend: string;
  chunks: number;
  route: string;
  connections: number;
  seconds: number;
  requests: number;
  requestsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  failures: number;
}

interface MemorySample {
  at: number;
  rss: number;
  heapUsed: number;
  external: number;
}

/** A running `oriole serve` child, with the memory samples it reports over IPC. */
interface ServerProcess {
  url: string;
  child: ChildProcess;
  memory: MemorySample[];
  stop(): Promise<void>;
}

// Runs inside the server process (node --import): reports memory over the IPC channel,
// after a full GC when --expose-gc is given, so a soak's heap trend is not GC timing.
const samplerSource = `
if (process.send) {
  const interval = Number(process.env.ORIOLE_BENCH_SAMPLE_MS || 10000);
  const timer = setInterval(() => {
    if (typeof globalThis.gc === 'function') globalThis.gc();
    const { rss, heapUsed, external } = process.memoryUsage();
    process.send({ memory: { at: Date.now(), rss, heapUsed, external } });
  }, interval);
  timer.unref();
}
`;

async function startOriole(environment: Record<string, string>, work: string, soak: boolean, logFile?: string): Promise<ServerProcess> {
  const sampler = path.join(work, 'memory-sampler.mjs');
  await writeFile(sampler, samplerSource);
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const command = [...(soak ? ['--expose-gc'] : []), '--import', sampler, binary, 'serve', '--host', '127.0.0.1', '--port', String(await freePort())];
  return startServerProcess(command, {
    ...inherited,
    ORIOLE_EMBEDDER: 'none',
    ORIOLE_LOG_LEVEL: 'warn',
    // One client on loopback would be one rate-limit bucket: measure the service, not the limiter.
    ORIOLE_RATE_LIMIT_PER_MINUTE: '0',
    ORIOLE_BENCH_SAMPLE_MS: String(memorySampleMs),
    ...environment,
  }, logFile ? { logFile } : {});
}

/**
 * A bare Hono app on @hono/node-server answering GET /health as Oriole's does, with no
 * middleware: the reference for Oriole's per-request floor, measured in the same run.
 */
const bareHonoSource = `
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
const app = new Hono();
app.get('/health', (context) => context.json({ status: 'ok' }));
serve({ fetch: app.fetch, port: Number(process.env.BARE_PORT), hostname: '127.0.0.1' }, (info) => {
  console.log('Oriole is listening on http://127.0.0.1:' + info.port);
});
`;

async function startBareHono(): Promise<ServerProcess> {
  // Inside the project, so its node_modules resolve.
  const script = path.resolve(import.meta.dirname, `.bare-hono-${process.pid}.mjs`);
  await writeFile(script, bareHonoSource);
  const cleanUp = () => rm(script, { force: true });
  try {
    return await startServerProcess([script], { ...process.env, BARE_PORT: String(await freePort()) }, { cleanUp });
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

/** `logFile`: the server's stderr (its log) goes there, not through this process, which shares the cores. */
async function startServerProcess(
  command: string[],
  env: NodeJS.ProcessEnv,
  { cleanUp, logFile }: { cleanUp?: () => Promise<void>; logFile?: string } = {},
): Promise<ServerProcess> {
  const log = logFile ? openSync(logFile, 'a') : undefined;
  const child = spawn(process.execPath, command, { env, stdio: ['ignore', 'pipe', log ?? 'pipe', 'ipc'] });
  if (log !== undefined) closeSync(log);
  const memory: MemorySample[] = [];
  child.on('message', (message: { memory?: MemorySample }) => {
    if (message.memory) memory.push(message.memory);
  });
  let stderr = logFile ? `(log in ${logFile})` : '';
  child.stderr?.on('data', (data: Buffer) => {
    stderr = (stderr + data.toString()).slice(-4000);
  });
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    child.stdout!.on('data', (data: Buffer) => {
      stdout += data.toString();
      const match = /Oriole is listening on (\S+)/.exec(stdout);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`oriole serve exited with ${code} before listening:\n${stderr}`)));
  });
  assertLoopback(url);
  return {
    url,
    child,
    memory,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await cleanUp?.();
    },
  };
}


async function runOriole(args: string[], environment: Record<string, string>): Promise<string> {
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const child = spawn(process.execPath, [binary, ...args], {
    env: { ...inherited, ORIOLE_EMBEDDER: 'none', ORIOLE_LOG_LEVEL: 'warn', ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (data: Buffer) => (output += data.toString()));
  child.stderr.on('data', (data: Buffer) => (output += data.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`oriole ${args.join(' ')} failed (${code}):\n${output}`);
  return output;
}

/** The storage a backend's server and CLI use, fresh and empty, and how to remove it. */
async function openStorage(backend: string, work: string): Promise<{ environment: Record<string, string>; drop(): Promise<void> }> {
  if (backend === 'pglite') {
    const dataDir = path.join(work, 'pglite');
    return { environment: { ORIOLE_DATA_DIR: dataDir }, drop: () => rm(dataDir, { recursive: true, force: true }) };
  }
  const name = `oriole_bench_load_${Date.now().toString(36)}`;
  const admin = async (text: string) => {
    const client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${quoteIdentifier(name)}`);
  const url = new URL(postgresUrl!);
  url.pathname = `/${name}`;
  return {
    environment: { DATABASE_URL: url.toString() },
    drop: () => admin(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`),
  };
}

/**
 * Writes the set's documents as Markdown under `docs/copy-<n>/` and ingests copies until
 * the KB holds `targetChunks` (the first copy tells how many chunks one copy makes).
 */
async function buildKb(environment: Record<string, string>, work: string): Promise<number> {
  const { documents } = await loadSet('rhdh-docs-ragas');
  const docs = path.join(work, 'docs');
  const writeCopy = async (copy: number) => {
    const directory = path.join(docs, `copy-${copy}`);
    await mkdir(directory, { recursive: true });
    for (const document of documents) {
      const title = `${document.title || document.id} (edition ${copy})`;
      const text = document.text.trimStart().startsWith('#') ? document.text.replace(/^\s*#[^\n]*/, `# ${title}`) : `# ${title}\n\n${document.text}`;
      await writeFile(path.join(directory, `${String(document.id).replace(/[^\w.-]+/g, '_')}.md`), `${text}\n`);
    }
  };
  await writeCopy(0);
  await runOriole(['ingest', docs, '--kb', 'default'], environment);
  const perCopy = await chunkCount(environment);
  const copies = Math.max(1, Math.round(targetChunks / perCopy));
  for (let copy = 1; copy < copies; copy += 1) await writeCopy(copy);
  if (copies > 1) await runOriole(['ingest', docs, '--kb', 'default'], environment);
  return chunkCount(environment);
}

async function chunkCount(environment: Record<string, string>): Promise<number> {
  const output = await runOriole(['kb', 'list', '--json'], environment);
  const kbs = JSON.parse(output.slice(output.indexOf('['))) as Array<{ name: string; chunks?: number; chunkCount?: number }>;
  const kb = kbs.find((entry) => entry.name === 'default');
  const count = kb?.chunks ?? kb?.chunkCount;
  if (typeof count !== 'number') throw new Error(`cannot read the chunk count from 'oriole kb list --json': ${output.slice(0, 300)}`);
  return count;
}

function questionCycle(questions: string[]): () => string {
  let next = 0;
  return () => questions[next++ % questions.length]!;
}

function percentile(sorted: number[], share: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))]!;
}

interface LoadRun {
  requests: number;
  seconds: number;
  latencies: number[];
  failures: number;
  /** Response count by HTTP status, to tell timeouts from 4xx/5xx when something failed. */
  statuses: Record<number, number>;
}

/** One bounded autocannon run; `onResponse` sees every response as it lands (soak windows). */
async function load(
  url: string,
  route: '/search' | '/answer',
  nextQuestion: () => string,
  seconds: number,
  onResponse?: (status: number, milliseconds: number) => void,
  alternate = false,
  /** Sent with every /answer: `{ metadata: { channel: 'eval' } }` keeps the answer cache out (as eval runs do). */
  answerFields: Record<string, unknown> = {},
): Promise<LoadRun> {
  assertLoopback(url);
  const latencies: number[] = [];
  let failures = 0;
  let turn = 0;
  const statuses: Record<number, number> = {};
  const instance = autocannon({
    url,
    connections,
    duration: seconds,
    maxOverallRequests: maxRequests,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => {
          const question = nextQuestion();
          const path = alternate ? (turn++ % 2 === 0 ? '/search' : '/answer') : route;
          const body = path === '/search' ? { query: question, topK: 5 } : { question, ...answerFields };
          return { ...request, path, body: JSON.stringify(body) };
        },
      },
    ],
  });
  instance.on('response', (_client, status, _bytes, milliseconds) => {
    latencies.push(milliseconds);
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (status !== 200) failures += 1;
    onResponse?.(status, milliseconds);
  });
  const result = await instance;
  if (failures + result.errors + result.timeouts > 0) {
    log(`  ${route}: statuses ${JSON.stringify(statuses)}, ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  return { requests: latencies.length, seconds: result.duration, latencies, failures: failures + result.errors + result.timeouts, statuses };
}

/** GET `route` as fast as `connections` clients can: the per-request floor, no body, no database work for /health. */
async function loadGet(url: string, route: string, headers: Record<string, string>, seconds: number): Promise<LoadRun> {
  assertLoopback(url);
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  let failures = 0;
  const instance = autocannon({ url: `${url}${route}`, connections, duration: seconds, maxOverallRequests: maxRequests * 10, timeout: 30, headers });
  instance.on('response', (_client, status, _bytes, milliseconds) => {
    latencies.push(milliseconds);
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (status !== 200) failures += 1;
  });
  const result = await instance;
  if (failures + result.errors + result.timeouts > 0) {
    log(`  GET ${route}: statuses ${JSON.stringify(statuses)}, ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  return { requests: latencies.length, seconds: result.duration, latencies, failures: failures + result.errors + result.timeouts, statuses };
}

/** Bare Hono's GET /health on this machine, now: what Oriole's floor is compared with. */
async function benchBareHono(): Promise<Row> {
  const bare = await startBareHono();
  try {
    await loadGet(bare.url, '/health', {}, warmupSeconds);
    const entry = row('-', 0, 'GET /health, bare Hono (reference)', await loadGet(bare.url, '/health', {}, durationSeconds));
    log(formatRows([entry]).split('\n').at(-1)!);
    return entry;
  } finally {
    await bare.stop();
  }
}

/**
 * The floor every request pays (request id, access log, metrics, auth, limits): GET /health
 * (open) and GET /kbs with a query key, on a server as deployed: access log on (to a file),
 * rate limiting on (high enough never to refuse), keys checked.
 */
async function benchFloor(backend: string, chunks: number, environment: Record<string, string>, work: string): Promise<Row[]> {
  const created = await runOriole(['keys', 'create', '--scope', 'query', '--name', 'bench'], environment);
  const key = /oriole_[0-9A-Za-z]{32}/.exec(created)?.[0];
  if (!key) throw new Error(`cannot read the key 'oriole keys create' printed: ${created.slice(0, 300)}`);
  const server = await startOriole(
    { ...environment, ORIOLE_LOG_LEVEL: 'info', ORIOLE_RATE_LIMIT_PER_MINUTE: '1000000' },
    work,
    false,
    path.join(work, 'floor-server.log'),
  );
  const rows: Row[] = [];
  try {
    for (const [name, route, headers] of [
      ['GET /health (open)', '/health', {}],
      ['GET /kbs (query key)', '/kbs', { authorization: `Bearer ${key}` }],
    ] as const) {
      await loadGet(server.url, route, headers, warmupSeconds);
      rows.push(row(backend, chunks, name, await loadGet(server.url, route, headers, durationSeconds)));
      log(formatRows([rows.at(-1)!]).split('\n').at(-1)!);
    }
  } finally {
    await server.stop();
  }
  return rows;
}

function row(backend: string, chunks: number, route: string, run: LoadRun): Row {
  const sorted = [...run.latencies].sort((left, right) => left - right);
  return {
    backend,
    chunks,
    route,
    connections,
    seconds: Math.round(run.seconds),
    requests: run.requests,
    requestsPerSecond: run.requests / run.seconds,
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
    failures: run.failures,
  };
}

async function benchBackend(backend: string, soak: boolean): Promise<Row[]> {
  const work = await mkdtemp(path.join(tmpdir(), `oriole-load-${backend}-`));
  const storage = await openStorage(backend, work);
  const rows: Row[] = [];
  const fake = await startFakeOpenAiServer();
  try {
    const started = performance.now();
    const chunks = await buildKb(storage.environment, work);
    log(`${backend}: ${chunks} chunks ingested in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    const { cases } = await loadSet('rhdh-docs-ragas');
    const nextQuestion = questionCycle(cases.map((entry) => entry.question));
    const only = new Set(options.only.split(','));

    const extractive = await startOriole(storage.environment, work, soak);
    try {
      // Questions cycle through the set's 501, so /answer serves repeats from the answer cache;
      // the uncached row sends the eval channel, which the cache leaves out, to time the whole pipeline.
      for (const [name, route, label, fields] of [
        ['search', '/search', 'POST /search (topK 5)', {}],
        ['answer', '/answer', 'POST /answer, extractive', {}],
        ['answer', '/answer', 'POST /answer, extractive, answer cache bypassed', { metadata: { channel: 'eval' } }],
      ] as const) {
        if (!only.has(name)) continue;
        await load(extractive.url, route, nextQuestion, warmupSeconds, undefined, false, fields);
        const run = await load(extractive.url, route, nextQuestion, durationSeconds, undefined, false, fields);
        rows.push(row(backend, chunks, label, run));
        log(formatRows([rows.at(-1)!]).split('\n').at(-1)!);
      }
      if (soak) await runSoak(backend, extractive, nextQuestion);
    } finally {
      await extractive.stop();
    }

    if (only.has('generative')) {
      const generative = await startOriole(
        { ...storage.environment, ORIOLE_LLM: 'openai:fake-model', OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'bench' },
        work,
        false,
      );
      try {
        await load(generative.url, '/answer', nextQuestion, warmupSeconds);
        const run = await load(generative.url, '/answer', nextQuestion, durationSeconds);
        rows.push(row(backend, chunks, 'POST /answer, generative (fake OpenAI server)', run));
        log(formatRows([rows.at(-1)!]).split('\n').at(-1)!);
      } finally {
        await generative.stop();
      }
    }
    // Last: its key turns authentication on for this storage.
    if (only.has('floor')) rows.push(...(await benchFloor(backend, chunks, storage.environment, work)));
  } finally {
    await fake.close();
    await storage.drop();
    await rm(work, { recursive: true, force: true });
  }
  return rows;
}

/** /search and /answer alternating for `soakMinutes`; memory every 10 s, throughput and p95 per minute. */
async function runSoak(backend: string, server: ServerProcess, nextQuestion: () => string): Promise<void> {
  const minutes = soakMinutes!;
  const windows: Array<{ latencies: number[]; failures: number }> = [];
  const soakStarted = Date.now();
  const samplesBefore = server.memory.length;
  log(`${backend}: soak for ${minutes} min, ${connections} connections, /search and /answer alternating`);
  const run = await load(
    server.url,
    '/search',
    nextQuestion,
    minutes * 60,
    (status, milliseconds) => {
      const minute = Math.floor((Date.now() - soakStarted) / 60_000);
      windows[minute] ??= { latencies: [], failures: 0 };
      windows[minute].latencies.push(milliseconds);
      if (status !== 200) windows[minute].failures += 1;
    },
    true,
  );
  const samples = server.memory.slice(samplesBefore);
  const megabytes = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
  console.log(`\n## Soak: ${backend}, ${minutes} min, ${connections} connections, /search and /answer alternating\n`);
  console.log('| minute | requests/s | p95 (ms) | failures | RSS (MB, last sample) | heap used after GC (MB) |');
  console.log('|---|---|---|---|---|---|');
  windows.slice(0, minutes).forEach((window, minute) => {
    const sorted = [...window.latencies].sort((left, right) => left - right);
    const last = samples.filter((sample) => sample.at - soakStarted < (minute + 1) * 60_000).at(-1);
    console.log(
      `| ${minute + 1} | ${(window.latencies.length / 60).toFixed(0)} | ${percentile(sorted, 0.95).toFixed(1)} | ${window.failures} | ${
        last ? megabytes(last.rss) : '-'
      } | ${last ? megabytes(last.heapUsed) : '-'} |`,
    );
  });
  const firstMinute = samples.filter((sample) => sample.at - soakStarted < 60_000);
  const lastMinute = samples.filter((sample) => sample.at - soakStarted >= (minutes - 1) * 60_000);
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(values.length, 1);
  const summary = {
    requests: run.requests,
    failures: run.failures,
    rssFirstMinuteMb: Number(megabytes(mean(firstMinute.map((sample) => sample.rss)))),
    rssLastMinuteMb: Number(megabytes(mean(lastMinute.map((sample) => sample.rss)))),
    rssMaxMb: Number(megabytes(Math.max(...samples.map((sample) => sample.rss)))),
    heapFirstMinuteMb: Number(megabytes(mean(firstMinute.map((sample) => sample.heapUsed)))),
    heapLastMinuteMb: Number(megabytes(mean(lastMinute.map((sample) => sample.heapUsed)))),
    heapMaxMb: Number(megabytes(Math.max(...samples.map((sample) => sample.heapUsed)))),
  };
  console.log(`\nsoak summary: ${JSON.stringify(summary)}`);
  console.log(`memory samples (s, RSS MB, heap MB): ${samples.map((sample) => `${Math.round((sample.at - soakStarted) / 1000)}:${megabytes(sample.rss)}/${megabytes(sample.heapUsed)}`).join(' ')}\n`);
}

function formatRows(rows: Row[]): string {
  const lines = [
    '| backend | chunks | route | connections | seconds | requests | requests/s | p50 (ms) | p95 (ms) | p99 (ms) | non-200 or errors |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const entry of rows) {
    lines.push(
      `| ${entry.backend} | ${entry.chunks} | ${entry.route} | ${entry.connections} | ${entry.seconds} | ${entry.requests} | ${entry.requestsPerSecond.toFixed(0)} | ${entry.p50.toFixed(1)} | ${entry.p95.toFixed(1)} | ${entry.p99.toFixed(1)} | ${entry.failures} |`,
    );
  }
  return lines.join('\n');
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

// Fails before any server starts when the eval sets are not where they were said to be.
evalSetDirectory('rhdh-docs-ragas');
const backends = options.backends.split(',').filter((backend) => backend === 'pglite' || (backend === 'postgres' && postgresUrl));
const soakBackend = options['soak-backend'] ?? backends[0];
log(`machine: ${cpus().length} cores, load average ${loadavg().map((value) => value.toFixed(2)).join(' ')}`);
const rows: Row[] = [];
if (options.only.split(',').includes('floor')) rows.push(await benchBareHono());
for (const backend of backends) rows.push(...(await benchBackend(backend, soakMinutes !== undefined && backend === soakBackend)));
console.log(`\n## Load: ${durationSeconds} s per route after ${warmupSeconds} s of warm-up, ${connections} connections\n`);
console.log(formatRows(rows));
log(`machine after: load average ${loadavg().map((value) => value.toFixed(2)).join(' ')}`);

