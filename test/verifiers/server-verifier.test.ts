import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, OrioleError } from '../../src/core/index.ts';
import { startServer, type RunningServer } from '../../src/entry/server.ts';
import { oriole } from '../helpers/cli.ts';
import { writeTinyCrossEncoderModel } from '../helpers/tiny-bert-model.ts';

interface LogRecord {
  level: number;
  msg: string;
  verifier?: unknown;
}

function capturingLogger(records: LogRecord[]) {
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) records.push(JSON.parse(line));
      done();
    },
  });
  return pino({ level: 'info' }, stream);
}

/** Each start opens a fresh embedded database and migrates it. */
const startTimeoutMs = 120_000;
/** A child process migrates its own database and imports onnxruntime before it fails: minutes on a busy machine. */
const cliTimeoutMs = 240_000;

describe('oriole serve with ORIOLE_VERIFIER', () => {
  let dataDir: string;
  let modelsDir: string;
  const servers: RunningServer[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'oriole-serve-verifier-'));
    modelsDir = await mkdtemp(path.join(tmpdir(), 'oriole-verifiers-'));
    await writeTinyCrossEncoderModel(modelsDir, 'oriole-test/tiny-cross-encoder');
  });
  afterAll(async () => {
    for (const server of servers) await server.close();
    await rm(dataDir, { recursive: true, force: true });
    await rm(modelsDir, { recursive: true, force: true });
  });

  const configFor = (verifier: string) =>
    loadConfig({
      ORIOLE_DATA_DIR: path.join(dataDir, 'db'),
      ORIOLE_EMBEDDER: 'none',
      ORIOLE_MODELS_DIR: modelsDir,
      ORIOLE_VERIFIER: verifier,
    });

  it('stops start-up cleanly when the verifier model cannot be loaded, leaving the database free', async () => {
    const records: LogRecord[] = [];
    const failed = await startServer({ ...configFor('transformers:oriole-test/missing'), server: { host: '127.0.0.1', port: 0 } }, capturingLogger(records)).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failed).toBeInstanceOf(OrioleError);
    expect(failed).toMatchObject({ code: 'upstream_unavailable', details: { verifier: 'transformers:oriole-test/missing' } });
    expect((failed as OrioleError).message).toContain('Could not load verifier model oriole-test/missing');
    expect(records.some((record) => record.msg === 'Oriole is listening')).toBe(false);

    // The same embedded database opens again at once: the failed start closed it.
    const server = await startServer(
      { ...configFor('transformers:oriole-test/tiny-cross-encoder'), server: { host: '127.0.0.1', port: 0 } },
      capturingLogger(records),
    );
    servers.push(server);
    const listening = records.find((record) => record.msg === 'Oriole is listening');
    expect(listening?.verifier).toBe('transformers:oriole-test/tiny-cross-encoder');

    const queued = await fetch(`${server.url}/documents`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ source: 'account/reset-password.md', content: '# Reset your password\n\nOpen the login page and click forgot password.' }),
    });
    const { jobId } = (await queued.json()) as { jobId: string };
    for (let attempt = 0; attempt < 200; attempt += 1) {
      const job = (await (await fetch(`${server.url}/jobs/${jobId}`)).json()) as { status: string };
      if (job.status === 'succeeded') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const answer = await fetch(`${server.url}/answer`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ question: 'How do I reset my password?' }),
    });
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as { abstained: boolean; confidence: number };
    expect(body.abstained).toBe(false);
    expect(body.confidence).toBeGreaterThan(0);
    expect(body.confidence).toBeLessThanOrEqual(1);
  }, startTimeoutMs);

  it('exits the oriole command with the reason, not a stack trace, when the model is missing', async () => {
    const result = await oriole(['serve'], {
      ORIOLE_DATA_DIR: path.join(dataDir, 'cli'),
      ORIOLE_EMBEDDER: 'none',
      ORIOLE_MODELS_DIR: modelsDir,
      ORIOLE_VERIFIER: 'transformers:oriole-test/missing',
      PORT: '18787',
    }, cliTimeoutMs);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('oriole: Could not load verifier model oriole-test/missing');
    expect(result.stderr).toContain('ORIOLE_VERIFIER=none');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  }, cliTimeoutMs + 10_000);
});
