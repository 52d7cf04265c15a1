import { afterAll, describe, expect, it } from 'vitest';
import { OrioleError } from '../../src/core/index.ts';
import { migrate, pendingMigrations, type Database, type Migration } from '../../src/db/index.ts';
import { readMigrationFiles } from '../../src/db/migration-files.ts';
import { testBackends } from '../helpers/databases.ts';

const tables = ['knowledge_bases', 'documents', 'chunks', 'chunk_terms', 'jobs', 'answers', 'feedback', 'api_keys'];

async function tablesIn(database: Database): Promise<string[]> {
  const result = await database.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name`,
  );
  return result.rows.map((row) => row.table_name);
}

async function migrationFailure(work: Promise<unknown>): Promise<OrioleError> {
  const error = await work.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(OrioleError);
  expect((error as OrioleError).code).toBe('migration_failed');
  return error as OrioleError;
}

describe.each(testBackends())('migrations on $name', (backend) => {
  afterAll(() => backend.cleanup());

  it('apply once, then find nothing to do', async () => {
    const database = await backend.open();
    const migrations = await readMigrationFiles();
    expect(await pendingMigrations(database, migrations)).toHaveLength(migrations.length);

    const first = await migrate(database, migrations);
    expect(first.applied).toEqual(migrations.map((migration) => migration.name));
    expect(await tablesIn(database)).toEqual(expect.arrayContaining([...tables, 'oriole_migrations']));

    const second = await migrate(database, migrations);
    expect(second).toEqual({ applied: [], current: migrations.length });
    expect(await pendingMigrations(database, migrations)).toEqual([]);
  });

  it('let two racing migrators apply each migration exactly once', async () => {
    const first = await backend.open();
    // On Postgres a second pool is a second session; PGlite is one connection per instance.
    const second = backend.name === 'postgres' ? await openSameSchema(first, backend) : first;
    const migrations = await readMigrationFiles();
    const reports = await Promise.all([migrate(first, migrations), migrate(second, migrations)]);
    const applied = reports.flatMap((report) => report.applied).sort();
    expect(applied).toEqual(migrations.map((migration) => migration.name).sort());
    const recorded = await first.query<{ count: string }>('SELECT count(*) FROM oriole_migrations');
    expect(Number(recorded.rows[0]?.count)).toBe(migrations.length);
  });

  it('roll back a failing migration whole, leaving the schema as it was', async () => {
    const database = await backend.open();
    const migrations = await readMigrationFiles();
    await migrate(database, migrations);
    const broken: Migration = {
      id: 999,
      name: '999_broken',
      sql: 'CREATE TABLE half_done (id int); SELECT no_such_function();',
    };
    await migrationFailure(migrate(database, [...migrations, broken]));
    expect(await tablesIn(database)).not.toContain('half_done');
    expect(await pendingMigrations(database, [...migrations, broken])).toEqual([broken]);
  });

  it('refuse an applied migration whose file was edited', async () => {
    const database = await backend.open();
    const migrations = await readMigrationFiles();
    await migrate(database, migrations);
    const edited = migrations.map((migration, index) =>
      index === 0 ? { ...migration, sql: `${migration.sql}\n-- edited` } : migration,
    );
    const error = await migrationFailure(migrate(database, edited));
    expect(error.message).toContain('was changed after it was applied');
  });

  it('refuse a database migrated by a newer Oriole', async () => {
    const database = await backend.open();
    const migrations = await readMigrationFiles();
    const newer: Migration = { id: 998, name: '998_from_the_future', sql: 'CREATE TABLE future (id int);' };
    await migrate(database, [...migrations, newer]);
    const error = await migrationFailure(migrate(database, migrations));
    expect(error.message).toContain('998_from_the_future');
  });
});

/** A second, independent pool on the schema the first database uses. */
async function openSameSchema(
  database: Database,
  backend: { name: string },
): Promise<Database> {
  const { openPostgres } = await import('../../src/db/index.ts');
  const { testDatabaseUrl } = await import('../helpers/databases.ts');
  const schema = await database.query<{ schema: string }>('SELECT current_schema() AS schema');
  if (backend.name !== 'postgres' || !testDatabaseUrl) throw new Error('only for Postgres');
  const second = openPostgres({ url: testDatabaseUrl, schema: schema.rows[0]!.schema });
  afterAll(() => second.close());
  return second;
}
