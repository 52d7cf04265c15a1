import { serve, type ServerType } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Logger } from 'pino';
import { createApp, createHttpDependencies, defaultUploadLimits } from '../api/index.ts';
import type { Config, Reranker } from '../core/index.ts';
import { loadReranker, type RerankerStatus } from '../rerankers/index.ts';
import { createAnswering } from './answering.ts';
import { enforceBindPolicy } from './bind-policy.ts';
import { startNodeEvalWorker } from './eval-jobs.ts';
import { createNodeIngestion, embedderFor, embedderOptionsFrom, startNodeJobWorker } from './ingestion.ts';
import { embedderReadiness } from './ingestion.ts';
import { createConfiguredJudge } from './judge.ts';
import { createPrometheusMetrics } from './metrics.ts';
import { openMigratedDatabase } from './node.ts';

/** `oriole serve`: the HTTP API with in-process ingestion and eval workers. */
export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  // First: a bad ORIOLE_JUDGE stops start-up before anything is opened or started.
  const judge = createConfiguredJudge(config);
  const { database } = await openMigratedDatabase(config, logger);
  // Before anything loads: no key and a public address stops start-up (docs/auth.md).
  await enforceBindPolicy(config, database, logger);
  const ingestion = await createNodeIngestion(config, database, logger);
  // After the embedder: both configure transformers.js's one global environment while loading.
  const { reranker, status: rerankerStatus } = await loadConfiguredReranker(config, logger);
  const metrics = createPrometheusMetrics();
  const worker = startNodeJobWorker(ingestion, logger, metrics);
  // One answer service for /answer and eval runs: an eval measures what customers get.
  const answers = createAnswering(config, database, { ...embedderFor(ingestion), reranker }, logger, metrics);
  const evalWorker = startNodeEvalWorker(config, { database, answers, judge }, logger);
  const app = createApp(
    {
      database,
      defaultEmbedder: config.embedder.spec,
      defaultKb: config.defaultKb,
      ingestion: {
        detectContentType: ingestion.detectContentType,
        isSupported: ingestion.isSupported,
        onJobQueued: () => worker.notify(),
        limits: defaultUploadLimits,
      },
      answers,
      evals: { onJobQueued: () => evalWorker.notify() },
      metrics,
      logger,
      readiness: { embedder: () => embedderReadiness(ingestion) },
      auth: { adminKey: config.adminKey ?? null },
      // One set of rate-limit buckets for this process (docs/limits.md: per replica).
      http: createHttpDependencies(config.http, (context) => getConnInfo(context).remote.address),
    },
    { onServerError: (error, requestId) => logger.error({ err: error.cause ?? error, requestId }, error.message) },
  );
  const server = await new Promise<ServerType>((resolve) => {
    const started: ServerType = serve({ fetch: app.fetch, port: config.server.port, hostname: config.server.host }, () =>
      resolve(started),
    );
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.server.port;
  const url = `http://${config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host}:${port}`;
  logger.info(
    { url, backend: database.backend, embedder: ingestion.embedderStatus, reranker: rerankerStatus },
    'Oriole is listening',
  );
  return {
    url,
    async close() {
      // Stop accepting and let in-flight requests (streams included) finish while the workers
      // finish their current document and hand the rest of their job back; then release the database.
      await Promise.all([drain(server, shutdownGraceMs, logger), worker.stop(), evalWorker.stop()]);
      await Promise.all([ingestion.close(), database.close()]);
    },
  };
}

/** How long a shutdown waits for in-flight requests before cutting the connections still open. */
export const shutdownGraceMs = 30_000;

/**
 * Closes the listener (new connections are refused) and idle keep-alive connections at
 * once, waits for requests in flight, and cuts whatever is still open after `graceMs`
 * (a client that never finishes reading must not hold the shutdown forever).
 */
async function drain(server: ServerType, graceMs: number, logger: Pick<Logger, 'warn'>): Promise<void> {
  const http = server as ServerType & { closeIdleConnections?: () => void; closeAllConnections?: () => void };
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  http.closeIdleConnections?.();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const cut = new Promise<'cut'>((resolve) => {
    timer = setTimeout(() => resolve('cut'), graceMs);
    timer.unref();
  });
  if ((await Promise.race([closed, cut])) === 'cut') {
    logger.warn({ graceMs }, 'requests still in flight after the shutdown grace period: closing their connections');
    http.closeAllConnections?.();
    await closed;
  }
  clearTimeout(timer);
}

/**
 * ORIOLE_RERANKER's model, loaded once at start, or null: by configuration ('none'), or
 * because it cannot be loaded (offline and not cached), which is logged as a warning
 * while search keeps its fused order.
 */
async function loadConfiguredReranker(
  config: Config,
  logger: Pick<Logger, 'info' | 'warn'>,
): Promise<{ reranker: Reranker | null; status: RerankerStatus }> {
  if (config.reranker.spec !== 'none') logger.info({ reranker: config.reranker.spec }, 'loading the reranker model');
  return loadReranker(config.reranker.spec, embedderOptionsFrom(config), (message) =>
    logger.warn({ reranker: config.reranker.spec }, message),
  );
}
