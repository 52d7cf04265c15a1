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
      await handle.writeFile(JSON.stringify(await lockOwner(process.pid)));
      await handle.close();
      heldDataDirs.add(dataDir);
      return async () => {
        heldDataDirs.delete(dataDir);
        await rm(lockPath, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = parseLockOwner(await readFile(lockPath, 'utf8').catch(() => ''));
      // Our own pid on a lock we do not hold is a leftover of an earlier process that had it.
      if (owner && owner.pid !== process.pid && (await holdsLock(owner))) throw inUse(dataDir, owner.pid);
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

/**
 * Who wrote a lock: the pid, and where the system tells it, when that process started.
 * A pid alone is not enough: after a crash and a reboot the number can belong to an
 * unrelated process, and the stale lock would block start-up for good.
 */
interface LockOwner {
  pid: number;
  startedAt?: string;
}

async function lockOwner(pid: number): Promise<LockOwner> {
  const startedAt = await processStartTime(pid);
  return startedAt === undefined ? { pid } : { pid, startedAt };
}

/** The lock file's owner: JSON, or the bare pid that earlier versions wrote. */
function parseLockOwner(text: string): LockOwner | null {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return { pid: Number(trimmed) };
  try {
    const parsed = JSON.parse(trimmed) as Partial<LockOwner>;
    if (!Number.isInteger(parsed.pid)) return null;
    return typeof parsed.startedAt === 'string' ? { pid: parsed.pid!, startedAt: parsed.startedAt } : { pid: parsed.pid! };
  } catch {
    return null;
  }
}

async function holdsLock(owner: LockOwner): Promise<boolean> {
  if (!isAlive(owner.pid)) return false;
  if (owner.startedAt === undefined) return true;
  const startedAt = await processStartTime(owner.pid);
  // A live process with that pid that started at another time is not the one that locked.
  return startedAt === undefined || startedAt === owner.startedAt;
}

/** The process's start time in clock ticks since boot (Linux /proc), plus the boot id. */
async function processStartTime(pid: number): Promise<string | undefined> {
  try {
    const [stat, bootId] = await Promise.all([
      readFile(`/proc/${pid}/stat`, 'utf8'),
      readFile('/proc/sys/kernel/random/boot_id', 'utf8'),
    ]);
    // Field 22; the command name (field 2) may hold spaces, so count after its ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const startTicks = fields[19];
    return startTicks === undefined ? undefined : `${bootId.trim()}:${startTicks}`;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
