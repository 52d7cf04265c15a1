import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/index.ts';
import { startServer, type RunningServer } from '../../src/entry/server.ts';
import { writeTinyCrossEncoderModel } from '../helpers/tiny-bert-model.ts';

/** A pino logger whose records land in `records`, to see what start-up said. */
function capturingLogger(records: { level: number; msg: string; reranker?: unknown }[]) {
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) records.push(JSON.parse(line));
      done();
    },
  });
  return pino({ level: 'info' }, stream);
}

async function searchRetrieval(server: RunningServer, query: string) {
  const response = await fetch(`${server.url}/search`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ query, topK: 3 }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { results: { source: string }[]; retrieval: { reranker?: string | null } };
}

async function ingest(server: RunningServer, source: string, content: string): Promise<void> {
  const queued = await fetch(`${server.url}/documents`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ source, content }),
  });
  expect(queued.status).toBe(202);
  const { jobId } = (await queued.json()) as { jobId: string };
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const job = (await (await fetch(`${server.url}/jobs/${jobId}`)).json()) as { status: string };
    if (job.status === 'succeeded') return;
    if (job.status === 'failed') throw new Error(`ingestion failed: ${JSON.stringify(job)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('ingestion did not finish');
}

/** Each test starts a server: a fresh embedded database, migrated, and one ingestion job. */
const startTimeoutMs = 120_000;

describe('oriole serve with ORIOLE_RERANKER', () => {
  let dataDir: string;
  let modelsDir: string;
  const servers: RunningServer[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'oriole-serve-reranker-'));
    modelsDir = await mkdtemp(path.join(tmpdir(), 'oriole-rerankers-'));
    await writeTinyCrossEncoderModel(modelsDir, 'oriole-test/tiny-cross-encoder');
  });
  afterAll(async () => {
    for (const server of servers) await server.close();
    await rm(dataDir, { recursive: true, force: true });
    await rm(modelsDir, { recursive: true, force: true });
  });

  const start = async (reranker: string, records: { level: number; msg: string; reranker?: unknown }[]) => {
    const config = loadConfig({
      ORIOLE_DATA_DIR: path.join(dataDir, reranker.replace(/\W/g, '-')),
      ORIOLE_EMBEDDER: 'none',
      ORIOLE_MODELS_DIR: modelsDir,
      ORIOLE_RERANKER: reranker,
    });
    const server = await startServer({ ...config, server: { host: '127.0.0.1', port: 0 } }, capturingLogger(records));
    servers.push(server);
    await ingest(server, 'account/reset-password.md', '# Reset your password\n\nOpen the login page and click forgot password.');
    return server;
  };

  it('loads the reranker at start and reports it with each search', async () => {
    const records: { level: number; msg: string; reranker?: unknown }[] = [];
    const server = await start('transformers:oriole-test/tiny-cross-encoder', records);
    const listening = records.find((record) => record.msg === 'Oriole is listening');
    expect(listening?.reranker).toEqual({ spec: 'transformers:oriole-test/tiny-cross-encoder', ready: true, active: true });
    const { results, retrieval } = await searchRetrieval(server, 'reset password');
    expect(results[0]?.source).toBe('account/reset-password.md');
    expect(retrieval.reranker).toBe('transformers:oriole-test/tiny-cross-encoder');
  }, startTimeoutMs);

  it('starts without a reranker it cannot load, says so, and searches in fused order', async () => {
    const records: { level: number; msg: string; reranker?: unknown }[] = [];
    const server = await start('transformers:oriole-test/missing', records);
    const warning = records.find((record) => record.level === 40 && record.reranker === 'transformers:oriole-test/missing');
    expect(warning?.msg).toContain('Could not load reranker model oriole-test/missing');
    expect(warning?.msg).toContain('Running without the reranker');
    const { results, retrieval } = await searchRetrieval(server, 'reset password');
    expect(results[0]?.source).toBe('account/reset-password.md');
    expect(retrieval.reranker).toBeNull();
  }, startTimeoutMs);
});
