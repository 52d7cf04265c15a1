import pino, { type Logger } from 'pino';
import type { Config } from '../core/index.ts';
import { migrate, openPostgres, type Database, type MigrationReport } from '../db/index.ts';
import { readMigrationFiles } from '../db/migration-files.ts';
import { openPglite } from '../db/pglite.ts';

/**
 * The Node composition root's light half: the logger and the migrated database, with no
 * model, parser or HTTP code imported, so commands that only read or write storage
 * (`kb`, `keys`, `report`, `migrate`) start fast. compose.ts wires everything else.
 */

/** Config, logger and the migrated database: all a storage-only command needs, and the base of every composition. */
export interface StorageNode {
  readonly config: Config;
  readonly database: Database;
  readonly logger: Logger;
}

/** Runs `work` on the configured database, opened and migrated, and closes it after. */
export async function withStorage<T>(config: Config, logger: Logger, work: (node: StorageNode) => Promise<T>): Promise<T> {
  const { database } = await openMigratedDatabase(config, logger);
  try {
    return await work({ config, database, logger });
  } finally {
    await database.close();
  }
}

/**
 * Logs go to stderr so command output on stdout stays clean for pipes and --json.
 * `buffered` (the server and the worker): lines are written asynchronously, several in one
 * write while the previous one is in flight, so a busy server's access log never blocks a
 * request on the terminal or pipe; pino flushes what is left when the process exits.
 */
export function createLogger(config: Pick<Config, 'logLevel'>, options: { buffered?: boolean } = {}): Logger {
  const destination = pino.destination({ dest: 2, sync: !options.buffered });
  return pino({ level: config.logLevel, base: { service: 'oriole' } }, destination);
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
