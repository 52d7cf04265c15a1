import { OrioleError } from '../core/index.ts';
import type { Database, SqlExecutor } from './database.ts';

/** One numbered plain-SQL migration, e.g. `migrations/001_initial_schema.sql`. */
export interface Migration {
  id: number;
  name: string;
  sql: string;
}

export interface MigrationReport {
  applied: string[];
  /** Migrations that were already in the database. */
  current: number;
}

const migrationsTable = 'oriole_migrations';

/**
 * Applies pending migrations in order, all in one transaction under an advisory
 * lock keyed by schema: a second migrator waits for the first and then finds
 * nothing to do, so servers and CLIs may all migrate on start.
 */
export async function migrate(database: Database, migrations: readonly Migration[]): Promise<MigrationReport> {
  const ordered = validateOrder(migrations);
  try {
    // The usual case, every start of every command: one read, no lock, no DDL.
    const current = await upToDate(database, ordered);
    if (current !== undefined) return { applied: [], current };
    return await database.transaction(async (transaction) => {
      await transaction.query(`SELECT pg_advisory_xact_lock(hashtext('oriole.migrate:' || current_schema()))`);
      await transaction.query(
        `CREATE TABLE IF NOT EXISTS ${migrationsTable} (
           id integer PRIMARY KEY,
           name text NOT NULL,
           checksum text NOT NULL,
           applied_at timestamptz NOT NULL DEFAULT now()
         )`,
      );
      const recorded = await recordedMigrations(transaction);
      await checkRecorded(ordered, recorded);
      const applied: string[] = [];
      for (const migration of ordered) {
        if (recorded.has(migration.id)) continue;
        await transaction.query(migration.sql);
        await transaction.query(`INSERT INTO ${migrationsTable} (id, name, checksum) VALUES ($1, $2, $3)`, [
          migration.id,
          migration.name,
          await checksum(migration.sql),
        ]);
        applied.push(migration.name);
      }
      return { applied, current: recorded.size };
    });
  } catch (error) {
    if (error instanceof OrioleError) throw error;
    throw new OrioleError('migration_failed', `Migration failed: ${(error as Error).message}`, { cause: error });
  }
}

/** The migrations not yet applied; the server refuses to start on a schema that is behind. */
export async function pendingMigrations(
  database: SqlExecutor,
  migrations: readonly Migration[],
): Promise<Migration[]> {
  const exists = await database.query<{ found: boolean }>(
    `SELECT to_regclass($1) IS NOT NULL AS found`,
    [migrationsTable],
  );
  if (!exists.rows[0]?.found) return [...migrations];
  const recorded = await recordedMigrations(database);
  return migrations.filter((migration) => !recorded.has(migration.id));
}

/**
 * The number of migrations applied when the database holds exactly `known`, with their
 * checksums; undefined when anything is to do or to report (migrate then runs under its lock).
 */
async function upToDate(database: SqlExecutor, known: readonly Migration[]): Promise<number | undefined> {
  const exists = await database.query<{ found: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS found`, [migrationsTable]);
  if (!exists.rows[0]?.found) return undefined;
  const recorded = await recordedMigrations(database);
  if (recorded.size !== known.length) return undefined;
  for (const migration of known) {
    const row = recorded.get(migration.id);
    if (!row || row.checksum !== (await checksum(migration.sql))) return undefined;
  }
  return recorded.size;
}

async function recordedMigrations(executor: SqlExecutor): Promise<Map<number, { name: string; checksum: string }>> {
  const result = await executor.query<{ id: number; name: string; checksum: string }>(
    `SELECT id, name, checksum FROM ${migrationsTable} ORDER BY id`,
  );
  return new Map(result.rows.map((row) => [row.id, { name: row.name, checksum: row.checksum }]));
}

async function checkRecorded(
  known: readonly Migration[],
  recorded: Map<number, { name: string; checksum: string }>,
): Promise<void> {
  const byId = new Map(known.map((migration) => [migration.id, migration]));
  for (const [id, row] of recorded) {
    const migration = byId.get(id);
    if (!migration) {
      throw new OrioleError(
        'migration_failed',
        `The database has migration ${row.name}, which this version of Oriole does not know: it is newer than this code. Upgrade Oriole.`,
      );
    }
    if ((await checksum(migration.sql)) !== row.checksum) {
      throw new OrioleError(
        'migration_failed',
        `Migration ${migration.name} was changed after it was applied. Add a new migration instead of editing an applied one.`,
      );
    }
  }
}

function validateOrder(migrations: readonly Migration[]): Migration[] {
  const ordered = [...migrations].sort((left, right) => left.id - right.id);
  ordered.forEach((migration, index) => {
    if (index > 0 && ordered[index - 1]?.id === migration.id) {
      throw new OrioleError('migration_failed', `Two migrations share number ${migration.id}`);
    }
  });
  return ordered;
}

async function checksum(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Buffer.from(digest).toString('hex');
}
