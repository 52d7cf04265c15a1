import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { openPostgres, quoteIdentifier, type Database } from '../../src/db/index.ts';
import { openPglite } from '../../src/db/pglite.ts';
import { backendSelected, testDatabaseUrl, uniqueName, withAdminClient } from './databases.ts';

/** The real `oriole` binary in a child process, and the storage it runs against. */

const run = promisify(execFile);
const binary = path.resolve('bin/oriole.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `oriole args…` to completion; the caller's DATABASE_URL never leaks in. */
export async function oriole(args: string[], environment: Record<string, string>, timeoutMs = 60_000): Promise<CliResult> {
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  try {
    const { stdout, stderr } = await run(process.execPath, [binary, ...args], {
      env: { ...inherited, ORIOLE_LOG_LEVEL: 'warn', ...environment },
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

export interface CliTarget {
  name: string;
  /** The environment that points the CLI at a fresh, empty database. */
  setUp(): Promise<Record<string, string>>;
  tearDown(): Promise<void>;
}

function pgliteTarget(): CliTarget {
  let dataDir = '';
  return {
    name: 'pglite',
    async setUp() {
      dataDir = await mkdtemp(path.join(tmpdir(), 'oriole-cli-'));
      return { ORIOLE_DATA_DIR: dataDir };
    },
    tearDown: () => rm(dataDir, { recursive: true, force: true }),
  };
}

function postgresTarget(url: string, prefix: string): CliTarget {
  const database = uniqueName(prefix);
  return {
    name: 'postgres',
    async setUp() {
      await withAdminClient(url, (client) => client.query(`CREATE DATABASE ${quoteIdentifier(database)}`));
      const target = new URL(url);
      target.pathname = `/${database}`;
      return { DATABASE_URL: target.toString() };
    },
    async tearDown() {
      await withAdminClient(url, (client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(database)} WITH (FORCE)`));
    },
  };
}

/** Embedded PGlite and, with TEST_DATABASE_URL, a fresh PostgreSQL database named after `prefix`. */
export function cliTargets(prefix: string): CliTarget[] {
  return [
    ...(backendSelected('pglite') ? [pgliteTarget()] : []),
    ...(backendSelected('postgres') ? [postgresTarget(testDatabaseUrl!, prefix)] : []),
  ];
}

/** The database a CLI run wrote to, opened only while the CLI is not running (PGlite allows one process). */
export async function withCliDatabase<T>(environment: Record<string, string>, work: (database: Database) => Promise<T>): Promise<T> {
  const database = environment.DATABASE_URL
    ? openPostgres({ url: environment.DATABASE_URL })
    : await openPglite({ dataDir: environment.ORIOLE_DATA_DIR! });
  try {
    return await work(database);
  } finally {
    await database.close();
  }
}
