import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate, openPostgres, quoteIdentifier, type Database } from '../../src/db/index.ts';
import { readMigrationFiles } from '../../src/db/migration-files.ts';
import { openPglite } from '../../src/db/pglite.ts';

/**
 * The backends every storage test runs on: embedded PGlite always, and the
 * PostgreSQL server named by TEST_DATABASE_URL when it is set. Each test file gets
 * its own PGlite instance or its own Postgres schema, so files run in parallel.
 */
export interface TestBackend {
  name: 'pglite' | 'postgres';
  /** A fresh, empty, isolated database (not migrated). */
  open(): Promise<Database>;
  /** Drops what `open` created. */
  cleanup(): Promise<void>;
}

export const testDatabaseUrl = process.env.TEST_DATABASE_URL || undefined;

/**
 * ORIOLE_TEST_BACKENDS=postgres narrows a run to the server (CI's second run, after
 * a full run on PGlite); unset, every available backend runs.
 */
export function backendSelected(name: TestBackend['name']): boolean {
  const selected = process.env.ORIOLE_TEST_BACKENDS?.split(',').map((entry) => entry.trim());
  if (name === 'postgres' && !testDatabaseUrl) return false;
  return !selected || selected.includes(name);
}

export function testBackends(): TestBackend[] {
  const backends: TestBackend[] = [];
  if (backendSelected('pglite')) backends.push(pgliteBackend());
  if (backendSelected('postgres')) backends.push(postgresBackend(testDatabaseUrl!));
  return backends;
}

export async function openMigrated(backend: TestBackend): Promise<Database> {
  const database = await backend.open();
  await migrate(database, await readMigrationFiles());
  return database;
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

function pgliteBackend(): TestBackend {
  const opened: Database[] = [];
  return {
    name: 'pglite',
    async open() {
      const database = await openPglite();
      opened.push(database);
      return database;
    },
    async cleanup() {
      await Promise.all(opened.splice(0).map((database) => database.close()));
    },
  };
}

function postgresBackend(url: string): TestBackend {
  const schemas: string[] = [];
  const opened: Database[] = [];
  return {
    name: 'postgres',
    async open() {
      const schema = uniqueName('oriole_test');
      await withAdminClient(url, async (client) => {
        await ensureVectorExtension(client);
        await client.query(`CREATE SCHEMA ${quoteIdentifier(schema)}`);
      });
      schemas.push(schema);
      const database = openPostgres({ url, schema, maxConnections: 4 });
      opened.push(database);
      return database;
    },
    async cleanup() {
      await Promise.all(opened.splice(0).map((database) => database.close()));
      if (process.env.ORIOLE_KEEP_TEST_SCHEMAS) return;
      await withAdminClient(url, async (client) => {
        for (const schema of schemas.splice(0)) {
          await client.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
        }
      });
    },
  };
}

export async function withAdminClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The extension lives in `public`, shared by the per-file schemas (two files may race to create it). */
async function ensureVectorExtension(client: pg.Client): Promise<void> {
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS vector SCHEMA public');
  } catch (error) {
    if ((error as { code?: string }).code !== '23505') throw error;
  }
}

/** A database of its own on the test server, for apps and `oriole` processes to share by URL. */
export async function createScratchDatabase(prefix = 'oriole_scratch'): Promise<{ url: string; drop(): Promise<void> }> {
  const name = uniqueName(prefix);
  await withAdminClient(testDatabaseUrl!, (client) => client.query(`CREATE DATABASE ${quoteIdentifier(name)}`));
  const url = new URL(testDatabaseUrl!);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => withAdminClient(testDatabaseUrl!, (client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`)).then(() => undefined),
  };
}
