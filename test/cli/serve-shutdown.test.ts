import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJob, type Database } from '../../src/db/index.ts';
import { openPglite } from '../../src/db/pglite.ts';
import { oriole } from '../helpers/cli.ts';
import { backendSelected } from '../helpers/databases.ts';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../helpers/fake-openai-server.ts';
import { serve, type Served } from '../helpers/serve.ts';

/**
 * `oriole serve` and SIGTERM, as a process manager (systemd, Kubernetes) stops it: the
 * listener closes at once, a streamed answer in flight runs to its `done` event, an
 * ingestion job in progress is finished or handed back to the queue (never left
 * `running`), the process exits 0, and a restarted server completes the job.
 */
/** Resolves true when a fresh TCP connection to the port is refused. */
function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

async function withTimeout<T>(promise: Promise<T>, milliseconds: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took more than ${milliseconds} ms`)), milliseconds);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe.skipIf(!backendSelected('pglite'))('oriole serve on SIGTERM (embedded PGlite)', () => {
  let dataDir: string;
  let fake: FakeOpenAiServer;
  const started: Served[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'oriole-shutdown-'));
    const ingested = await oriole(['ingest', 'examples/help-center/account', '--kb', 'default'], {
      ORIOLE_DATA_DIR: dataDir,
      ORIOLE_EMBEDDER: 'none',
    });
    expect(ingested.code, ingested.stderr).toBe(0);
    fake = await startFakeOpenAiServer();
  }, 120_000);

  afterAll(async () => {
    for (const served of started) if (served.child.exitCode === null) served.child.kill('SIGKILL');
    await fake?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const llm = () => ({
    ORIOLE_DATA_DIR: dataDir,
    ORIOLE_LLM: 'openai:fake-model',
    OPENAI_BASE_URL: fake.url,
    OPENAI_API_KEY: 'test-key',
  });

  it('finishes a streamed answer in flight with its done event, refuses new connections, and exits 0', async () => {
    // About 2 s of generation: a first token after 1.5 s, then the rest word by word.
    fake.setBehaviour({ delayMs: 1_500, chunkDelayMs: 50 });
    const served = await serve(llm());
    started.push(served);
    const response = await fetch(`${served.url}/answer`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ question: 'How do I reset my password?', stream: true }),
    });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    // The sources event: retrieval is done and the model is being asked.
    while (!text.includes('event: sources')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    const signalledAt = performance.now();
    served.child.kill('SIGTERM');
    await expect.poll(() => connectionRefused(served.port), { timeout: 3_000, interval: 100 }).toBe(true);
    expect(served.child.exitCode).toBeNull();

    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    expect(text).toContain('event: delta');
    expect(text).not.toContain('event: error');
    const done = /event: done\ndata: (.*)\n/.exec(text);
    expect(done, text).not.toBeNull();
    expect(JSON.parse(done![1]!)).toMatchObject({ mode: 'generative', abstained: false });

    expect(await withTimeout(served.exited, 10_000, 'exiting after SIGTERM')).toBe(0);
    // It drained the stream rather than exiting at once.
    expect(performance.now() - signalledAt).toBeGreaterThan(1_000);
  }, 90_000);

  it('hands an ingestion job in progress back to the queue (or finishes it), and a restarted server completes it', async () => {
    fake.setBehaviour({});
    const served = await serve({ ORIOLE_DATA_DIR: dataDir });
    started.push(served);
    const paragraph = 'The support team reviews every escalation within one business day and records the outcome. ';
    const form = new FormData();
    const documents = 20;
    for (let index = 0; index < documents; index += 1) {
      const sections = Array.from({ length: 30 }, (_, section) => `## Section ${section}\n\n${paragraph.repeat(6)}${index}-${section}\n`);
      form.append('file', new Blob([`# Escalations ${index}\n\n${sections.join('\n')}`], { type: 'text/markdown' }), `escalations/e-${index}.md`);
    }
    const queued = await fetch(`${served.url}/documents`, { method: 'POST', body: form });
    expect(queued.status).toBe(202);
    const { jobId } = (await queued.json()) as { jobId: string };
    await expect
      .poll(async () => ((await (await fetch(`${served.url}/jobs/${jobId}`)).json()) as { status: string }).status, {
        timeout: 20_000,
        interval: 20,
      })
      .not.toBe('queued');

    served.child.kill('SIGTERM');
    expect(await withTimeout(served.exited, 20_000, 'exiting after SIGTERM')).toBe(0);

    const database: Database = await openPglite({ dataDir });
    let stopped;
    try {
      stopped = await getJob(database, jobId);
    } finally {
      await database.close();
    }
    expect(['queued', 'succeeded']).toContain(stopped.status);
    if (stopped.status === 'queued') expect(stopped.progress.done).toBeLessThan(documents);

    const restarted = await serve({ ORIOLE_DATA_DIR: dataDir });
    started.push(restarted);
    await expect
      .poll(async () => ((await (await fetch(`${restarted.url}/jobs/${jobId}`)).json()) as { status: string }).status, {
        timeout: 60_000,
        interval: 100,
      })
      .toBe('succeeded');
    const job = (await (await fetch(`${restarted.url}/jobs/${jobId}`)).json()) as { progress: { done: number; total: number } };
    expect(job.progress).toEqual({ done: documents, total: documents });
    restarted.child.kill('SIGTERM');
    expect(await withTimeout(restarted.exited, 20_000, 'exiting after SIGTERM')).toBe(0);
  }, 180_000);
});
