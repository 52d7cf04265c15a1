import pino, { type Logger } from 'pino';
import type { Config } from '../core/index.ts';
import { migrate, openPostgres, type Database, type MigrationReport } from '../db/index.ts';
import { readMigrationFiles } from '../db/migration-files.ts';
import { openPglite } from '../db/pglite.ts';

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
