import pg from 'pg';
import { createPoolDatabase, type Database } from './database.ts';

export interface PostgresOptions {
  url: string;
  /** Put first on the search_path (tests isolate each file in its own schema). */
  schema?: string;
  maxConnections?: number;
  /** Errors of idle connections (server restart, network); they must not crash the process. */
  onIdleError?: (error: Error) => void;
}

export function openPostgres(options: PostgresOptions): Database {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    ...(options.schema ? { options: `-c search_path=${quoteIdentifier(options.schema)},public` } : {}),
  });
  pool.on('error', (error) => options.onIdleError?.(error));
  // pg-pool listens for errors only on idle clients. A client checked out for a
  // transaction, between two of its queries, when the server goes away (restart,
  // failover) emits 'error' with nobody listening: an uncaught exception that would end
  // the process. The transaction's next query fails as `upstream_unavailable` anyway.
  pool.on('connect', (client) => {
    client.on('error', (error) => options.onIdleError?.(error));
  });
  return createPoolDatabase(pool, { backend: 'postgres' });
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
