import type pg from 'pg';
import { OrioleError } from '../core/index.ts';

/**
 * The narrow interface every part of Oriole uses to reach storage. A `pg` pool on
 * a PostgreSQL server and embedded PGlite (through its node-postgres adapter) both
 * sit behind it, so the same SQL runs on both.
 */
export interface SqlExecutor {
  query<Row extends object = Record<string, unknown>>(
    text: string,
    values?: readonly unknown[],
  ): Promise<{ rows: Row[]; rowCount: number }>;
}

export type Backend = 'postgres' | 'pglite';

export interface Database extends SqlExecutor {
  readonly backend: Backend;
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (transaction: SqlExecutor) => Promise<T>): Promise<T>;
  /** Waits for queries in flight, then releases every connection. */
  close(): Promise<void>;
}

interface PoolDatabaseOptions {
  backend: Backend;
  /** Runs after the pool has ended, e.g. to close the PGlite instance behind it. */
  afterClose?: () => Promise<void>;
}

export function createPoolDatabase(pool: pg.Pool, options: PoolDatabaseOptions): Database {
  let closing: Promise<void> | undefined;

  const executorOf = (client: pg.Pool | pg.PoolClient): SqlExecutor => ({
    async query(text, values) {
      try {
        const outcome: pg.QueryResult | pg.QueryResult[] = await client.query(text, values as unknown[] | undefined);
        // Several statements without parameters yield one result each; the last one answers.
        const result = Array.isArray(outcome) ? outcome.at(-1) : outcome;
        return { rows: result?.rows ?? [], rowCount: result?.rowCount ?? 0 };
      } catch (error) {
        throw asStorageError(error);
      }
    },
  });

  return {
    backend: options.backend,
    ...executorOf(pool),

    async transaction(work) {
      const client = await pool.connect().catch((error: unknown) => {
        throw asStorageError(error);
      });
      const executor = executorOf(client);
      let broken = false;
      try {
        await executor.query('BEGIN');
        const result = await work(executor);
        await executor.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {
          broken = true; // The connection is gone; do not hand it to the next caller.
        });
        throw error;
      } finally {
        client.release(broken);
      }
    },

    close() {
      closing ??= (async () => {
        await pool.end();
        await options.afterClose?.();
      })();
      return closing;
    },
  };
}

// SQLSTATE classes that mean "the server is not there", not "your query is wrong":
// 08 connection exception, 57P01-57P03 shutdown/cannot connect now, 53300 too many connections.
const unavailableStates = /^(08|57P0[123]|53300)/;
const unavailableErrnos = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE', 'EHOSTUNREACH']);

/** Connection failures become `upstream_unavailable`; everything else passes through unchanged. */
export function asStorageError(error: unknown): unknown {
  if (error instanceof OrioleError) return error;
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : '';
  const isUnavailable =
    (typeof code === 'string' && (unavailableStates.test(code) || unavailableErrnos.has(code))) ||
    /Connection terminated|connection timeout|Client has encountered a connection error/i.test(text);
  if (!isUnavailable) return error;
  return new OrioleError('upstream_unavailable', 'The database is not reachable right now; try again shortly.', {
    cause: error,
  });
}

/** PostgreSQL's SQLSTATE of a failed query, when there is one. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}
