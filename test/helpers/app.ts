import { createFileLoaders, detectContentType } from '../../ingest/loaders/index.ts';
import {
  createIngestionService,
  defaultJobWorkerOptions,
  startJobWorker,
  type IngestContext,
  type JobWorker,
} from '../../ingest/pipeline/index.ts';
import { createEvalService, defaultEvalWorkerOptions, startEvalWorker, type Judge } from '../../evals/index.ts';
import { createApp, defaultUploadLimits, type UploadLimits } from '../../src/api/index.ts';
import type { ReadinessDependencies, RequestLogger } from '../../src/api/index.ts';
import { createHttpDependencies, type HttpDependencies } from '../../src/api/index.ts';
import { noopMetrics, type ServiceMetrics } from '../../src/core/index.ts';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { createAnswerService, type AnswerService, type AnswerSettings } from '../../src/answer/index.ts';
import type { Database } from '../../src/db/index.ts';
import { createHybridRetriever } from '../../src/retrieval/index.ts';
import { testIngestContext } from './ingestion.ts';

export type TestApp = ReturnType<typeof createApp>;

export const testOriole = { version: '0.0.0-test', gitCommit: null, node: process.version };

/** The default request timeout and no CORS; no rate limiting, so suites may send many requests. */
const testHttp = createHttpDependencies(
  { corsOrigins: [], requestTimeoutMs: 60_000, trustedProxies: 0, rateLimit: { perMinute: 0, burst: 1 } },
  () => undefined,
);

/**
 * The app as `oriole serve` builds it, lexical-only, with a job worker in the same
 * process; with `evalWorker: true`, an eval worker too, on the same answer service.
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
  } = {},
): { app: TestApp; worker: JobWorker | undefined; evalWorker: JobWorker | undefined; context: IngestContext; answers: AnswerService } {
  const context = options.context ?? testIngestContext(database, null);
  const loaders = createFileLoaders();
  const worker =
    options.worker === false
      ? undefined
      : startJobWorker(context, { ...defaultJobWorkerOptions, pollIntervalMs: 50, workerId: 'test-worker' });
  const answers = options.answers ?? createAnswerService({
    database,
    retriever: createHybridRetriever({ database, embedder: context.embedder }),
    chatModel: options.chatModel?.model ?? null,
    modelName: options.chatModel?.name ?? 'extractive',
    defaultKb: 'default',
    ...(options.answerSettings ? { settings: options.answerSettings } : {}),
  });
  const evalWorker = options.evalWorker
    ? startEvalWorker({
        database,
        answers,
        judge: options.judge ?? null,
        llm: options.chatModel?.name ?? 'extractive',
        oriole: testOriole,
        options: { ...defaultEvalWorkerOptions, pollIntervalMs: 50, progressIntervalMs: 50, workerId: 'test-eval-worker' },
      })
    : undefined;
  const app = createApp({
    database,
    defaultEmbedder: context.embedderSpec,
    defaultKb: 'default',
    ingestion: {
      ...createIngestionService({
        database,
        embedder: context.embedderSpec,
        detectContentType: (input) => detectContentType(input),
        isSupported: (contentType) => loaders.supports(contentType),
        onJobQueued: () => worker?.notify(),
      }),
      limits: { ...defaultUploadLimits, ...options.limits },
    },
    answers,
    evals: createEvalService({ database, onJobQueued: () => evalWorker?.notify() }),
    metrics: options.metrics ?? noopMetrics,
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.readiness ? { readiness: options.readiness } : {}),
    auth: { adminKey: options.adminKey ?? null },
    http: options.http ?? testHttp,
  });
  return { app, worker, evalWorker, context, answers };
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
