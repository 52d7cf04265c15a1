import { mkdir, open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { OrioleError } from '../core/index.ts';
import { asStorageError, type Database, type SqlExecutor } from './database.ts';

/**
 * Embedded PostgreSQL (PGlite, WASM) with pgvector, persisted in a directory.
 * Node-only: composition roots import this file directly; the rest of Oriole sees
 * only `Database`.
 *
 * PGlite is driven through its own API, not its node-postgres adapter: the adapter
 * (0.5.14) loses its connection after the first failed parameterised query, while
 * PGlite itself recovers. Parsers keep int8 and numeric as strings, as `pg` does,
 * so both backends return the same values.
 */
export interface PgliteOptions {
  /** A directory to persist in; omitted → in memory (tests). */
  dataDir?: string;
}

const lockFileName = 'oriole.lock';
const int8Oid = 20;
const numericOid = 1700;

export async function openPglite(options: PgliteOptions = {}): Promise<Database> {
  const dataDir = options.dataDir ? path.resolve(options.dataDir) : undefined;
  const releaseLock = dataDir ? await lockDataDir(dataDir) : async () => {};
  let pglite: PGlite;
  try {
    pglite = await PGlite.create({
      ...(dataDir ? { dataDir: path.join(dataDir, 'pgdata') } : {}),
      extensions: { vector },
      parsers: { [int8Oid]: (value: string) => value, [numericOid]: (value: string) => value },
    });
  } catch (error) {
    await releaseLock();
    throw new OrioleError('upstream_unavailable', `Could not open the embedded database in ${dataDir ?? 'memory'}`, {
      cause: error,
    });
  }
  let closing: Promise<void> | undefined;
  return {
    backend: 'pglite',
    ...executorOf(pglite),
    async transaction(work) {
      // PGlite queues other queries while a transaction runs: it has one connection.
      return pglite.transaction((transaction) => work(executorOf(transaction)));
    },
    close() {
      closing ??= (async () => {
        await pglite.close();
        await releaseLock();
      })();
      return closing;
    },
  };
}

function executorOf(target: PGlite | Transaction): SqlExecutor {
  return {
    async query(text, values) {
      try {
        if (values === undefined || values.length === 0) {
          // Like pg's simple-query path: several statements allowed, the last one's rows returned.
          const results = await target.exec(text);
          const last = results.at(-1);
          return { rows: (last?.rows ?? []) as never[], rowCount: last?.affectedRows ?? last?.rows.length ?? 0 };
        }
        const result = await target.query(text, values as unknown[]);
        return { rows: result.rows as never[], rowCount: result.affectedRows ?? result.rows.length };
      } catch (error) {
        throw asStorageError(error);
      }
    },
  };
}

/** Directories this process has open: a second opener in the same process is refused too. */
const heldDataDirs = new Set<string>();

/**
 * PGlite writes its files directly: two openers of one directory would corrupt
 * it. The lock file holds the owner's pid; a lock whose process is gone is taken over.
 */
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  await mkdir(dataDir, { recursive: true });
  const lockPath = path.join(dataDir, lockFileName);
  if (heldDataDirs.has(dataDir)) throw inUse(dataDir, process.pid);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      heldDataDirs.add(dataDir);
      return async () => {
        heldDataDirs.delete(dataDir);
        await rm(lockPath, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number.parseInt(await readFile(lockPath, 'utf8').catch(() => ''), 10);
      // Our own pid on a lock we do not hold is a leftover of an earlier process that had it.
      if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) throw inUse(dataDir, owner);
      await rm(lockPath, { force: true });
    }
  }
  throw new OrioleError('conflict', `Could not lock the embedded database in ${dataDir}`);
}

function inUse(dataDir: string, pid: number): OrioleError {
  return new OrioleError(
    'conflict',
    `The embedded database in ${dataDir} is in use by another Oriole process (pid ${pid}). ` +
      'Stop it, or use a PostgreSQL server (DATABASE_URL) to share data between processes.',
    { details: { dataDir, pid } },
  );
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
