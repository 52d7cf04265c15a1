import pino from 'pino';
import type { Judge } from '../../evals/index.ts';
import type { IngestContext, JobWorker } from '../../ingest/pipeline/index.ts';
import type { UploadLimits } from '../../src/api/index.ts';
import type { ReadinessDependencies, RequestLogger } from '../../src/api/index.ts';
import { createHttpDependencies, type HttpDependencies } from '../../src/api/index.ts';
import { loadConfig, type Config, type ServiceMetrics, type Verifier } from '../../src/core/index.ts';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { AnswerService, AnswerSettings } from '../../src/answer/index.ts';
import type { Database } from '../../src/db/index.ts';
import { composeNode, type NodeApp } from '../../src/entry/compose.ts';
import type { SourceSyncOptions } from '../../src/entry/ingestion.ts';
import { testIngestContext } from './ingestion.ts';

export type TestApp = NodeApp;

export const testOriole = { version: '0.0.0-test', gitCommit: null, node: process.version };

/** The default request timeout and no CORS; no rate limiting, so suites may send many requests. */
const testHttp = createHttpDependencies(
  { corsOrigins: [], requestTimeoutMs: 60_000, trustedProxies: 0, rateLimit: { perMinute: 0, burst: 1 } },
  () => undefined,
);

/** An empty environment's config, with the answer service's own LLM time limits, and no log lines. */
const testConfig = loadConfig({
  ORIOLE_EMBEDDER: 'none',
  ORIOLE_LLM_TIMEOUT_MS: '30000',
  ORIOLE_LLM_FIRST_TOKEN_TIMEOUT_MS: '10000',
  ORIOLE_LOG_LEVEL: 'silent',
});
const silentLogger = pino({ level: 'silent' });

/**
 * The app as `oriole serve` builds it (the same composition root), lexical-only, with a
 * job worker in the same process; with `evalWorker: true`, an eval worker too, on the
 * same answer service.
 */
export function createTestApp(
  database: Database,
  options: {
    limits?: Partial<UploadLimits>;
    context?: IngestContext;
    worker?: boolean;
    /** An LLM (a ChatOpenAI on the fake OpenAI server); none answers extractively. */
    chatModel?: { model: BaseChatModel; name: string };
    answerSettings?: Partial<AnswerSettings>;
    evalWorker?: boolean;
    judge?: Judge | null;
    /** Request metrics (GET /metrics); noopMetrics by default. */
    metrics?: ServiceMetrics;
    /** Receives the access log lines. */
    logger?: RequestLogger;
    readiness?: ReadinessDependencies;
    /** ORIOLE_ADMIN_KEY; API keys in the database switch auth on too. */
    adminKey?: string;
    /** Rate limits, CORS, timeouts; by default as configured by an empty environment, rate limiting off. */
    http?: HttpDependencies;
    /** Replaces the answer service the routes use (a slow or failing fake). */
    answers?: AnswerService;
    /** The built web pages to serve; default dist/web. */
    webDirectory?: string;
    /** ORIOLE_ALLOW_PRIVATE_NETWORK: crawls queued through the API may reach loopback (a local test site). */
    allowPrivateNetwork?: boolean;
    /** ORIOLE_HANDOFF_WEBHOOK_URL and _SECRET, with the retry delays to use (tests retry fast). */
    handoffWebhook?: { url: string; secret: string; retryDelaysMs?: number[] };
    /** A loaded verifier model, as ORIOLE_VERIFIER=transformers:<model> gives; or 'llm': ORIOLE_VERIFIER=llm, on `chatModel`. */
    verifier?: Verifier | 'llm';
    /** ORIOLE_SECRET_KEY's keys: sources may then store credentials. */
    secretKeys?: string[];
    /** Source syncs' stub resolver, address rule and retry waits. */
    sources?: SourceSyncOptions;
    /** How often the sync scheduler looks for due sources (default: 30 s). */
    syncSchedulerIntervalMs?: number;
    /** The job worker's id (several apps on one database tell their workers apart). */
    workerId?: string;
    /**
     * Ingest as `oriole serve` does (the parse pool's threads, OCR as `ocr` says) rather than
     * with the in-thread test context: for suites about what the composition adds to parsing.
     */
    servedIngestion?: { ocr?: Partial<Config['ocr']> };
  } = {},
): {
  app: TestApp;
  worker: JobWorker | undefined;
  evalWorker: JobWorker | undefined;
  context: IngestContext;
  answers: AnswerService;
  /** Stops the workers and the sync scheduler (each finishes its current job). */
  stop(): Promise<void>;
} {
  const context = options.servedIngestion ? undefined : (options.context ?? testIngestContext(database, null));
  const config: Config = {
    ...testConfig,
    ocr: { ...testConfig.ocr, ...options.servedIngestion?.ocr },
    adminKey: options.adminKey,
    allowPrivateNetwork: options.allowPrivateNetwork ?? false,
    conversations: {
      ...testConfig.conversations,
      handoffWebhook: options.handoffWebhook ? { url: options.handoffWebhook.url, secret: options.handoffWebhook.secret } : null,
    },
    verifier: options.verifier === 'llm' ? { ...testConfig.verifier, spec: 'llm' } : testConfig.verifier,
    sourceSecretKeys: options.secretKeys ?? [],
  };
  const verifierModel = options.verifier && options.verifier !== 'llm' ? { verifier: options.verifier } : {};
  const node = composeNode(
    config,
    { database, logger: silentLogger, models: { embedder: context?.embedder ?? null, reranker: null, ...verifierModel } },
    {
      ...(context ? { ingestContext: context } : {}),
      chatModel: options.chatModel ?? null,
      // No answer cache unless a test asks for one: suites ask the same question again to test the pipeline itself.
      answerSettings: { answerCacheEntries: 0, ...options.answerSettings },
      ...(options.answers ? { answers: options.answers } : {}),
      judge: options.judge ?? null,
      ...(options.metrics ? { metrics: options.metrics } : {}),
      ...(options.logger ? { accessLog: options.logger } : {}),
      ...(options.readiness ? { readiness: options.readiness } : {}),
      http: options.http ?? testHttp,
      ...(options.limits ? { uploadLimits: options.limits } : {}),
      jobWorker: { pollIntervalMs: 50, workerId: options.workerId ?? 'test-worker' },
      ...(options.sources ? { sources: options.sources } : {}),
      ...(options.syncSchedulerIntervalMs ? { syncScheduler: { intervalMs: options.syncSchedulerIntervalMs } } : {}),
      evalWorker: { pollIntervalMs: 50, progressIntervalMs: 50, workerId: 'test-eval-worker' },
      oriole: testOriole,
      ...(options.webDirectory ? { webDirectory: options.webDirectory } : {}),
      ...(options.handoffWebhook?.retryDelaysMs ? { handoffWebhook: { retryDelaysMs: options.handoffWebhook.retryDelaysMs } } : {}),
    },
  );
  const workers = node.startWorkers({ ingestion: options.worker !== false, evals: Boolean(options.evalWorker) });
  return {
    app: node.app(),
    worker: workers.ingestion,
    evalWorker: workers.evals,
    context: context ?? node.ingestion().context,
    answers: node.answers(),
    stop: () => node.stop(),
  };
}

export async function postJson(app: TestApp, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return app.request(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export async function expectError(response: Response, status: number, code: string): Promise<{ message: string }> {
  const body = (await response.json()) as { error: { code: string; message: string; requestId: string } };
  if (response.status !== status || body.error?.code !== code) {
    throw new Error(`expected ${status} ${code}, got ${response.status} ${JSON.stringify(body)}`);
  }
  return body.error;
}

/** Polls GET /jobs/:id until the job is done. */
export async function waitForJob(app: TestApp, jobId: string, timeoutMs = 20_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const job = (await (await app.request(`/jobs/${jobId}`)).json()) as { status: string };
    if (job.status === 'succeeded' || job.status === 'failed') return job;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`job ${jobId} did not finish in ${timeoutMs} ms`);
}
