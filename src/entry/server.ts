import { serve, type ServerType } from '@hono/node-server';
import type { Logger } from 'pino';
import { createApp, defaultUploadLimits } from '../api/index.ts';
import type { Config, Reranker } from '../core/index.ts';
import { loadReranker, type RerankerStatus } from '../rerankers/index.ts';
import { createAnswering } from './answering.ts';
import { startNodeEvalWorker } from './eval-jobs.ts';
import { createNodeIngestion, embedderFor, embedderOptionsFrom, startNodeJobWorker } from './ingestion.ts';
import { createConfiguredJudge } from './judge.ts';
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
  const ingestion = await createNodeIngestion(config, database, logger);
  // After the embedder: both configure transformers.js's one global environment while loading.
  const { reranker, status: rerankerStatus } = await loadConfiguredReranker(config, logger);
  const worker = startNodeJobWorker(ingestion, logger);
  // One answer service for /answer and eval runs: an eval measures what customers get.
  const answers = createAnswering(config, database, { ...embedderFor(ingestion), reranker }, logger);
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
    },
    { onServerError: (error, requestId) => logger.error({ err: error.cause ?? error, requestId }, error.message) },
  );
  if (!config.adminKey && !isLoopback(config.server.host)) {
    logger.warn(
      { host: config.server.host },
      'no API key is configured and the server listens beyond this machine: anyone who can reach it can use it',
    );
  }
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
      // Stop accepting, let in-flight requests finish, hand back unfinished jobs, then release the database.
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([worker.stop(), evalWorker.stop()]);
      await database.close();
    },
  };
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

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
