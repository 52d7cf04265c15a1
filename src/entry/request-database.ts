import { AsyncLocalStorage } from 'node:async_hooks';
import type { Backend, Database } from '../db/index.ts';

/**
 * One `Database` for an app built once per Workers isolate, whose every query goes to the
 * connection of the request being served: Workers forbid a request to use a socket
 * another request opened, so each request opens its own and serves inside `run`.
 */
export interface RequestScopedDatabase {
  database: Database;
  /** Runs `work` (and everything it starts, streams included) on `connection`. */
  run<T>(connection: Database, work: () => T): T;
}

export function requestScopedDatabase(backend: Backend): RequestScopedDatabase {
  const current = new AsyncLocalStorage<Database>();
  const connection = (): Database => {
    const database = current.getStore();
    if (!database) throw new Error('the database was used outside a request: run the request inside run()');
    return database;
  };
  return {
    database: {
      backend,
      query: async (text, values) => connection().query(text, values),
      transaction: async (work) => connection().transaction(work),
      // Each request's connection is closed by whoever opened it.
      close: async () => {},
    },
    run: (database, work) => current.run(database, work),
  };
}
