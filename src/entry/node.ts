import { serve, type ServerType } from '@hono/node-server';
import pino, { type Logger } from 'pino';
import { createApp, defaultUploadLimits } from '../api/index.ts';
import type { Config } from '../core/index.ts';
import { migrate, openPostgres, type Database, type MigrationReport } from '../db/index.ts';
import { readMigrationFiles } from '../db/migration-files.ts';
import { openPglite } from '../db/pglite.ts';
import { createNodeIngestion, startNodeJobWorker } from './ingestion.ts';

/** The Node composition root: turns validated config into running parts. */

export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  // Logs go to stderr so command output on stdout stays clean for pipes and --json.
  return pino({ level: config.logLevel, base: { service: 'oriole' } }, pino.destination(2));
}

export async function openDatabase(config: Config, logger?: Logger): Promise<Database> {
  if (config.database.kind === 'postgres') {
    return openPostgres({
      url: config.database.url,
      onIdleError: (error) => logger?.warn({ err: error }, 'database connection dropped'),
    });
  }
  return openPglite({ dataDir: config.database.dataDir });
}

export async function openMigratedDatabase(
  config: Config,
  logger?: Logger,
): Promise<{ database: Database; migrations: MigrationReport }> {
  const database = await openDatabase(config, logger);
  try {
    const migrations = await migrate(database, await readMigrationFiles());
    if (migrations.applied.length > 0) logger?.info({ applied: migrations.applied }, 'migrations applied');
    return { database, migrations };
  } catch (error) {
    await database.close();
    throw error;
  }
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const { database } = await openMigratedDatabase(config, logger);
  const ingestion = await createNodeIngestion(config, database, logger);
  const worker = startNodeJobWorker(ingestion, logger);
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
  logger.info({ url, backend: database.backend, embedder: ingestion.embedderStatus }, 'Oriole is listening');
  return {
    url,
    async close() {
      // Stop accepting, let in-flight requests finish, hand back an unfinished job, then release the database.
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await worker.stop();
      await database.close();
    },
  };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
