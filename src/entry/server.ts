import { serve, type ServerType } from '@hono/node-server';
import type { Logger } from 'pino';
import type { Config } from '../core/index.ts';
import { enforceBindPolicy } from './bind-policy.ts';
import { composeNode, loadNodeModels } from './compose.ts';
import { loadConfiguredJudge } from './judge.ts';
import { createPrometheusMetrics } from './metrics.ts';
import { openMigratedDatabase } from './node.ts';

/** `oriole serve`: the HTTP API with in-process ingestion and eval workers. */
export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  // First: a bad ORIOLE_JUDGE stops start-up before anything is opened or started.
  const judge = await loadConfiguredJudge(config);
  const { database } = await openMigratedDatabase(config, logger);
  // Before anything loads: no key and a public address stops start-up (docs/auth.md).
  await enforceBindPolicy(config, database, logger);
  let models: Awaited<ReturnType<typeof loadNodeModels>>;
  try {
    models = await loadNodeModels(config, logger);
  } catch (error) {
    // A verifier that cannot be loaded stops start-up: nothing is left open behind it.
    await database.close();
    throw error;
  }
  // One answer service for /answer and eval runs: an eval measures what customers get.
  const node = composeNode(config, { database, logger, models }, { judge, metrics: createPrometheusMetrics() });
  node.startWorkers({ ingestion: true, evals: true, conversationRetention: true });
  const app = node.app();
  const server = await new Promise<ServerType>((resolve) => {
    const started: ServerType = serve({ fetch: app.fetch, port: config.server.port, hostname: config.server.host }, () =>
      resolve(started),
    );
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.server.port;
  const url = `http://${config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host}:${port}`;
  logger.info(
    { url, backend: database.backend, embedder: models.embedderStatus, reranker: models.rerankerStatus, verifier: config.verifier.spec },
    'Oriole is listening',
  );
  return {
    url,
    async close() {
      // Stop accepting and let in-flight requests (streams included) finish while the workers
      // finish their current document and hand the rest of their job back; then release the database.
      await Promise.all([drain(server, shutdownGraceMs, logger), node.stop()]);
      await database.close();
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
