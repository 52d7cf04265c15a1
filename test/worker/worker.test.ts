import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres, quoteIdentifier, type Database } from '../../src/db/index.ts';
import { createOpenAIEmbedder } from '../../src/embedders/openai-embedder.ts';
import { createTestApp, postJson } from '../helpers/app.ts';
import { oriole } from '../helpers/cli.ts';
import { backendSelected, testDatabaseUrl, uniqueName, withAdminClient } from '../helpers/databases.ts';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../helpers/fake-openai-server.ts';
import { testIngestContext } from '../helpers/ingestion.ts';
import { freePort } from '../helpers/network.ts';

/**
 * The Cloudflare Workers build of the API (src/entry/worker.ts, wrangler.toml): wrangler
 * bundles it within the Workers size limit, and `wrangler dev` runs it in workerd, offline,
 * on PostgreSQL through Hyperdrive's local connection string, answering a KB that the
 * Node CLI ingested exactly as the Node server does.
 */

const wrangler = path.resolve('node_modules/.bin/wrangler');
/** Workers' compressed size limit on the free plan (the paid plan allows 10 MB). */
const workerGzipLimitBytes = 3 * 1024 * 1024;
const runnable = backendSelected('postgres') && testDatabaseUrl !== undefined && existsSync(wrangler);

async function runWrangler(args: string[], environment: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  const child = spawn(wrangler, args, { env: { ...process.env, ...quietWrangler, ...environment }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, output };
}

/** No telemetry, no prompts, no update checks: CI has no network. */
const quietWrangler = { WRANGLER_SEND_METRICS: 'false', CI: 'true', NO_UPDATE_NOTIFIER: '1' };

describe.skipIf(!runnable)('the API on Cloudflare Workers (wrangler, workerd) on PostgreSQL', { timeout: 240_000 }, () => {
  const databaseName = uniqueName('oriole_worker');
  let databaseUrl: string;
  let database: Database;
  const devServers: ChildProcess[] = [];
  let outdir: string;
  let fake: FakeOpenAiServer;

  beforeAll(async () => {
    await withAdminClient(testDatabaseUrl!, async (client) => {
      await client.query(`CREATE DATABASE ${quoteIdentifier(databaseName)}`);
    });
    const url = new URL(testDatabaseUrl!);
    url.pathname = `/${databaseName}`;
    databaseUrl = url.toString();
    const ingested = await oriole(['ingest', 'test/fixtures/help-docs'], { DATABASE_URL: databaseUrl, ORIOLE_EMBEDDER: 'none' }, 120_000);
    expect(ingested.code, ingested.stderr).toBe(0);
    // A second KB with vectors from an OpenAI-compatible endpoint (the local protocol server).
    fake = await startFakeOpenAiServer();
    const embedded = await oriole(
      ['ingest', 'test/fixtures/help-docs', '--kb', 'hybrid'],
      { DATABASE_URL: databaseUrl, ORIOLE_EMBEDDER: 'openai:fake-embedding', OPENAI_BASE_URL: fake.url },
      120_000,
    );
    expect(embedded.code, embedded.stderr).toBe(0);
    database = openPostgres({ url: databaseUrl });
    outdir = await mkdtemp(path.join(tmpdir(), 'oriole-worker-build-'));
  }, 180_000);

  afterAll(async () => {
    for (const devServer of devServers) if (devServer.pid) process.kill(-devServer.pid, 'SIGTERM');
    await database?.close();
    await fake?.close();
    await rm(outdir, { recursive: true, force: true });
    await withAdminClient(testDatabaseUrl!, (client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(databaseName)} WITH (FORCE)`));
  });

  it('bundles with `wrangler deploy --dry-run` within the Workers size limit, without Node-only parts', async () => {
    const built = await runWrangler(['deploy', '--dry-run', '--outdir', outdir]);
    expect(built.code, built.output).toBe(0);
    const bundle = (await readdir(outdir)).find((file) => file.endsWith('.js'));
    expect(bundle).toBeDefined();
    const code = await readFile(path.join(outdir, bundle!));
    const gzipped = gzipSync(code).byteLength;
    console.log(`worker bundle: ${(code.byteLength / 1024).toFixed(0)} KiB, ${(gzipped / 1024).toFixed(0)} KiB gzipped`);
    expect(gzipped).toBeLessThan(workerGzipLimitBytes);
    const text = code.toString('utf8');
    for (const nodeOnly of ['@electric-sql/pglite', 'onnxruntime-node', '@tensorflow/tfjs', 'prom-client']) expect(text).not.toContain(nodeOnly);
  });

  it('serves /health, /search and /answer from `wrangler dev`, answering exactly as the Node server does', async () => {
    const base = await startWranglerDev(databaseUrl, {}, devServers);
    const searched = (await (await fetch(`${base}/search`, jsonPost({ query: 'refund', topK: 3 }))).json()) as { results: Array<{ source: string }> };
    expect(searched.results[0]?.source).toBe('billing/refunds.html');

    const question = { question: 'How do I reset my password?' };
    const fromWorker = (await (await fetch(`${base}/answer`, jsonPost(question))).json()) as AnswerBody;
    const { app } = createTestApp(database, { worker: false });
    const fromNode = (await (await postJson(app, '/answer', question)).json()) as AnswerBody;
    expect(fromWorker.abstained).toBe(false);
    expect(comparable(fromWorker)).toEqual(comparable(fromNode));
    expect(fromWorker.citations[0]?.source).toMatch(/reset-password/);
  });

  it('embeds queries through an OpenAI-compatible endpoint: hybrid search and answers identical to Node', async () => {
    const base = await startWranglerDev(databaseUrl, { ORIOLE_EMBEDDER: 'openai:fake-embedding', OPENAI_BASE_URL: fake.url }, devServers);
    const embedder = await createOpenAIEmbedder('fake-embedding', { baseUrl: fake.url });
    const { app } = createTestApp(database, { worker: false, context: testIngestContext(database, embedder) });

    const query = { query: 'how long does a card refund take', kb: 'hybrid', topK: 4 };
    const fromWorker = (await (await fetch(`${base}/search`, jsonPost(query))).json()) as SearchBody;
    const fromNode = (await (await postJson(app, '/search', query)).json()) as SearchBody;
    expect(fromWorker.retrieval.mode).toBe('hybrid');
    expect(fromWorker.results.map(({ chunkId, score }) => ({ chunkId, score }))).toEqual(
      fromNode.results.map(({ chunkId, score }) => ({ chunkId, score })),
    );

    const question = { question: 'How do I reset my password?', kb: 'hybrid' };
    const answerFromWorker = (await (await fetch(`${base}/answer`, jsonPost(question))).json()) as AnswerBody;
    const answerFromNode = (await (await postJson(app, '/answer', question)).json()) as AnswerBody;
    expect(comparable(answerFromWorker)).toEqual(comparable(answerFromNode));
  });
});

interface SearchBody {
  results: Array<{ chunkId: string; source: string; score: number }>;
  retrieval: { mode: string };
}

/** `wrangler dev` on a free port with these vars, on the database through Hyperdrive's local mode; its base URL once /health answers. */
async function startWranglerDev(databaseUrl: string, vars: Record<string, string>, started: ChildProcess[]): Promise<string> {
  const port = await freePort();
  // Hyperdrive's local mode insists on a password; trust authentication ignores it.
  const hyperdriveUrl = new URL(databaseUrl);
  if (!hyperdriveUrl.password) hyperdriveUrl.password = 'unused';
  const varFlags = Object.entries(vars).flatMap(([name, value]) => ['--var', `${name}:${value}`]);
  const devServer = spawn(wrangler, ['dev', '--port', String(port), '--ip', '127.0.0.1', ...varFlags], {
    env: { ...process.env, ...quietWrangler, CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_HYPERDRIVE: hyperdriveUrl.toString() },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  started.push(devServer);
  let output = '';
  devServer.stdout!.on('data', (chunk) => (output += chunk));
  devServer.stderr!.on('data', (chunk) => (output += chunk));
  const base = `http://127.0.0.1:${port}`;
  await waitForHealth(base, 120_000, () => output);
  return base;
}

interface AnswerBody {
  answer: string;
  abstained: boolean;
  mode: string;
  kbVersion: number;
  citations: Array<{ index: number; source: string; snippet: string; supported: boolean; score: number }>;
}

/** Everything but the ids and timings, which differ per request. */
function comparable(body: AnswerBody) {
  return {
    answer: body.answer,
    abstained: body.abstained,
    mode: body.mode,
    kbVersion: body.kbVersion,
    citations: body.citations.map(({ index, source, snippet, supported, score }) => ({ index, source, snippet, supported, score })),
  };
}

function jsonPost(body: unknown): RequestInit {
  return { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(30_000) };
}

async function waitForHealth(base: string, timeoutMs: number, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${base}/health`, { signal: AbortSignal.timeout(2_000) })).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`wrangler dev did not answer /health within ${timeoutMs} ms:\n${output()}`);
}
