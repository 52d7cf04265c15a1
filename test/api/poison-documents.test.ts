import { get, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileLoaders } from '../../ingest/loaders/index.ts';
import { createOcrPool, recognizeDocument, type TextRecognizer } from '../../ingest/ocr/index.ts';
import { createParsePool, type ParseBudgets, type ParsePool } from '../../ingest/parse-pool/index.ts';
import type { JobWorker } from '../../ingest/pipeline/index.ts';
import type { Database } from '../../src/db/index.ts';
import { createTestApp } from '../helpers/app.ts';
import { openMigrated, testBackends } from '../helpers/databases.ts';
import { testIngestContext } from '../helpers/ingestion.ts';
import { listenOnLoopback } from '../helpers/network.ts';
import { flateBombPdf, gigapixelPng, hugeCsv, lyingDocx, pageTreePdf, repeatedText, xlsxBomb, type PoisonFile } from '../helpers/poison-files.ts';

const megabyte = 1024 * 1024;
/** Small budgets so each poison file fails in seconds on a busy two-core machine. */
const budgets: ParseBudgets = { timeoutMs: 3_000, maxHeapMb: 128, maxDecompressedBytes: 20 * megabyte };

const poisonFiles: { name: string; make: () => Promise<Uint8Array> | Uint8Array; expectedCode: PoisonFile['expectedCode'] }[] = [
  { name: 'million-pages.pdf', make: () => pageTreePdf(1_000), expectedCode: 'document_too_complex' },
  { name: 'lying-directory.docx', make: () => lyingDocx(200 * megabyte), expectedCode: 'decompression_limit' },
  { name: 'zip-bomb.xlsx', make: () => xlsxBomb(200 * megabyte), expectedCode: 'decompression_limit' },
  { name: 'flate-bomb.pdf', make: () => flateBombPdf(200 * megabyte), expectedCode: 'decompression_limit' },
  { name: 'quotes.md', make: () => repeatedText('>', megabyte), expectedCode: 'document_too_complex' },
  { name: 'brackets.md', make: () => repeatedText('[', 5 * megabyte), expectedCode: 'document_too_complex' },
  { name: 'million-rows.csv', make: () => hugeCsv(1_000_000), expectedCode: 'document_too_complex' },
  { name: 'gigapixel.png', make: () => gigapixelPng(), expectedCode: 'document_too_complex' },
];

interface Watch {
  maxHealthMs: number;
  maxRssGrowthMb: number;
  /** /health requests that failed outright (a connection reset while the event loop was blocked). */
  failures: number;
  stop(): Promise<void>;
}

/**
 * One GET /health on a new connection. A pooled keep-alive connection would race the
 * server's idle timer: after the event loop was held (reading a 20 MB upload), the server's
 * timers run before its reads, so it closes an "idle" socket that already carries the next
 * request, and the client sees ECONNRESET although the server is answering.
 */
function healthAnswers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = get(`${url}/health`, { agent: false }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode === 200));
      response.on('error', () => resolve(false));
    });
    request.on('error', () => resolve(false));
  });
}

/** Times GET /health back to back and samples this process's RSS (the parse workers' threads included). */
function watch(url: string): Watch {
  const baseline = process.memoryUsage().rss;
  const state = { maxHealthMs: 0, maxRssGrowthMb: 0, failures: 0, running: true };
  const sampler = setInterval(() => {
    state.maxRssGrowthMb = Math.max(state.maxRssGrowthMb, (process.memoryUsage().rss - baseline) / megabyte);
  }, 100);
  const polling = (async () => {
    while (state.running) {
      const started = performance.now();
      const ok = await healthAnswers(url);
      state.maxHealthMs = Math.max(state.maxHealthMs, performance.now() - started);
      if (!ok) state.failures++;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    get maxHealthMs() {
      return state.maxHealthMs;
    },
    get maxRssGrowthMb() {
      return state.maxRssGrowthMb;
    },
    get failures() {
      return state.failures;
    },
    async stop() {
      state.running = false;
      clearInterval(sampler);
      await polling;
    },
  };
}

describe.each(testBackends())('poison documents uploaded to the API on $name', (backend) => {
  let database: Database;
  let pool: ParsePool;
  let recognizer: TextRecognizer;
  let worker: JobWorker | undefined;
  let server: Awaited<ReturnType<typeof listenOnLoopback>>;

  beforeAll(async () => {
    database = await openMigrated(backend);
    pool = createParsePool({ budgets });
    recognizer = createOcrPool({ concurrency: 1, pageTimeoutMs: 60_000 });
    const loaders = createFileLoaders({
      isolate: (input) => pool.parse(input),
      maxDecompressedBytes: budgets.maxDecompressedBytes,
      recognize: (document, input) => recognizeDocument(document, input, { mode: 'scanned', recognizer }),
    });
    const context = testIngestContext(database, null, { parse: (input) => loaders.load(input) });
    const created = createTestApp(database, { context });
    worker = created.worker;
    server = await listenOnLoopback(created.app);
    // The test's fetch calls reuse pooled connections. On PGlite, storing a 20 MB upload
    // holds this process's event loop for seconds; the server's idle timer (5 s) then runs
    // before its read of the next request on a reused socket and resets it (a CI failure
    // 6 s into the million-rows case). The client (undici, 4 s) is the one to close idle ones.
    (server.server as Server).keepAliveTimeout = 120_000;
  });
  afterAll(async () => {
    await server?.close();
    await worker?.stop();
    await pool?.close();
    await recognizer?.close();
    await backend.cleanup();
  });

  it.each(poisonFiles)('fails $name with $expectedCode while /health keeps answering', async ({ name, make, expectedCode }) => {
    const bytes = await make();
    const watching = watch(server.url);
    let job: { status: string; error?: string };
    let document: { status: string; error: string | null };
    try {
      const form = new FormData();
      form.append('file', new File([bytes], name));
      const response = await fetch(`${server.url}/documents`, { method: 'POST', body: form });
      expect(response.status).toBe(202);
      const queued = (await response.json()) as { jobId: string; documents: { id: string }[] };
      job = await waitForJob(server.url, queued.jobId);
      document = (await (await fetch(`${server.url}/documents/${queued.documents[0]!.id}`)).json()) as typeof document;
    } finally {
      await watching.stop();
    }
    console.log(`${backend.name} ${name}: /health max ${Math.round(watching.maxHealthMs)} ms, RSS +${Math.round(watching.maxRssGrowthMb)} MB`);
    expect(job.status).toBe('failed');
    expect(document).toMatchObject({ status: 'failed', error: expect.stringMatching(new RegExp(`^${expectedCode}: `)) });
    // The event loop never waited on the parse (nor on storing the upload): a parse on the main
    // thread would hold it for the whole 3 s budget. The bound leaves room for a busy 2-core CI
    // machine (1,015 ms seen at load 10 with nothing blocked); bench/poison-files.ts measures the
    // real figure on a quiet one. PGlite is left out: it runs in this process, so writing and
    // reading a 20 MB upload holds the event loop whatever the parse does (4.5 s seen on a busy
    // CI run); /health must still answer every time, checked below.
    if (backend.name !== 'pglite') expect(watching.maxHealthMs).toBeLessThan(2_500);
    expect(watching.failures).toBe(0);
    // Bounded by the budgets (128 MB heap, 20 MB inflated) plus the upload's own copies, not by the bomb.
    expect(watching.maxRssGrowthMb).toBeLessThan(768);
  }, 120_000);
});

async function waitForJob(url: string, jobId: string): Promise<{ status: string; error?: string }> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    const job = (await (await fetch(`${url}/jobs/${jobId}`)).json()) as { status: string; error?: string };
    if (job.status === 'succeeded' || job.status === 'failed') return job;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`job ${jobId} did not finish`);
}
