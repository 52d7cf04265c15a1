import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.ts';
import { openPglite } from '../../src/db/pglite.ts';
import { requestScopedDatabase } from '../../src/entry/request-database.ts';

/**
 * The Workers entry builds its app once per isolate but opens a connection per request
 * (Workers forbid a request to use another's socket): every query must reach the
 * connection of the request it serves, however requests interleave.
 */
describe('the request-scoped database of the Workers entry', () => {
  let first: Database;
  let second: Database;

  beforeAll(async () => {
    [first, second] = await Promise.all([openPglite(), openPglite()]);
    await first.query(`CREATE TABLE whoami (name text)`);
    await first.query(`INSERT INTO whoami VALUES ('first')`);
    await second.query(`CREATE TABLE whoami (name text)`);
    await second.query(`INSERT INTO whoami VALUES ('second')`);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([first?.close(), second?.close()]);
  });

  const whoami = async (database: Database) => (await database.query<{ name: string }>('SELECT name FROM whoami')).rows[0]?.name;

  it('sends each request’s queries and transactions to its own connection while requests interleave', async () => {
    const scoped = requestScopedDatabase('pglite');
    const request = (connection: Database) =>
      scoped.run(connection, async () => {
        const before = await whoami(scoped.database);
        await new Promise((resolve) => setTimeout(resolve, 20));
        const inTransaction = await scoped.database.transaction((transaction) =>
          transaction.query<{ name: string }>('SELECT name FROM whoami').then((result) => result.rows[0]?.name),
        );
        return [before, inTransaction];
      });
    expect(await Promise.all([request(first), request(second), request(first)])).toEqual([
      ['first', 'first'],
      ['second', 'second'],
      ['first', 'first'],
    ]);
  });

  it('refuses a query made outside any request, and leaves closing to whoever opened the connection', async () => {
    const scoped = requestScopedDatabase('pglite');
    await expect(scoped.database.query('SELECT 1')).rejects.toThrow(/outside a request/);
    await scoped.run(first, () => scoped.database.close());
    expect(await whoami(first)).toBe('first');
  });
});
