import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrioleError } from '../../src/core/index.ts';
import { openPostgres, type Database } from '../../src/db/index.ts';
import { openPglite } from '../../src/db/pglite.ts';
import { testBackends } from '../helpers/databases.ts';

describe.each(testBackends())('the database interface on $name', (backend) => {
  let database: Database;
  beforeAll(async () => {
    database = await backend.open();
    await database.query('CREATE TABLE notes (id bigint PRIMARY KEY, body text NOT NULL)');
  });
  afterAll(() => backend.cleanup());

  it('keeps answering after a failed parameterised query', async () => {
    // PGlite's node-postgres adapter lost its connection here; this pins the fix.
    await expect(database.query('SELECT md5($1::bigint)', ['1'])).rejects.toThrow(/md5/);
    const result = await database.query<{ one: number }>('SELECT $1::int AS one', [1]);
    expect(result.rows).toEqual([{ one: 1 }]);
  });

  it('returns int8 as a string and jsonb as an object, the same on both backends', async () => {
    const result = await database.query<{ big: string; doc: unknown; stamp: Date }>(
      `SELECT 9007199254740993::bigint AS big, '{"a":[1]}'::jsonb AS doc, now() AS stamp`,
    );
    expect(result.rows[0]).toMatchObject({ big: '9007199254740993', doc: { a: [1] } });
    expect(result.rows[0]!.stamp).toBeInstanceOf(Date);
  });

  it('commits a transaction that resolves and rolls back one that throws', async () => {
    await database.transaction((transaction) => transaction.query(`INSERT INTO notes VALUES (1, 'kept')`));
    await expect(
      database.transaction(async (transaction) => {
        await transaction.query(`INSERT INTO notes VALUES (2, 'lost')`);
        throw new Error('abandon');
      }),
    ).rejects.toThrow('abandon');
    await expect(
      database.transaction(async (transaction) => {
        await transaction.query(`INSERT INTO notes VALUES (3, 'lost too')`);
        await transaction.query(`INSERT INTO notes VALUES (1, 'duplicate key')`);
      }),
    ).rejects.toMatchObject({ code: '23505' });
    const rows = await database.query<{ id: string }>('SELECT id FROM notes ORDER BY id');
    expect(rows.rows.map((row) => row.id)).toEqual(['1']);
  });

  it('runs several statements when given no parameters, as migrations need', async () => {
    const result = await database.query<{ two: number }>('SELECT 1 AS one; SELECT 2 AS two');
    expect(result.rows).toEqual([{ two: 2 }]);
  });
});

describe('an embedded database directory', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'oriole-pglite-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('keeps its data across close and reopen', async () => {
    const first = await openPglite({ dataDir });
    await first.query(`CREATE TABLE kept (value text); INSERT INTO kept VALUES ('still here')`);
    await first.close();
    const second = await openPglite({ dataDir });
    const rows = await second.query<{ value: string }>('SELECT value FROM kept');
    await second.close();
    expect(rows.rows).toEqual([{ value: 'still here' }]);
  });

  it('is refused to a second opener in this process while the first has it', async () => {
    const first = await openPglite({ dataDir });
    try {
      await expect(openPglite({ dataDir })).rejects.toMatchObject({ code: 'conflict' });
    } finally {
      await first.close();
    }
  });

  it('is refused while another live process holds it, and taken over when that process is gone', async () => {
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      await writeFile(path.join(dataDir, 'oriole.lock'), String(holder.pid));
      const error = await openPglite({ dataDir }).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'conflict' });
      expect((error as OrioleError).message).toContain(String(holder.pid));
    } finally {
      holder.kill('SIGKILL');
      await once(holder, 'exit');
    }
    const reopened = await openPglite({ dataDir });
    await reopened.close();
  });

  it('is taken over when its pid now belongs to an unrelated process (a stale lock after a reboot)', async () => {
    const unrelated = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      const lockPath = path.join(dataDir, 'oriole.lock');
      if (process.platform === 'linux') {
        // The same pid with its real start time is the holder: refused.
        const stat = await readFile(`/proc/${unrelated.pid}/stat`, 'utf8');
        const bootId = (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
        const startTicks = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
        await writeFile(lockPath, JSON.stringify({ pid: unrelated.pid, startedAt: `${bootId}:${startTicks}` }));
        await expect(openPglite({ dataDir })).rejects.toMatchObject({ code: 'conflict' });
      }
      await writeFile(lockPath, JSON.stringify({ pid: unrelated.pid, startedAt: 'another-boot:12345' }));
      const reopened = await openPglite({ dataDir });
      await reopened.close();
    } finally {
      unrelated.kill('SIGKILL');
      await once(unrelated, 'exit');
    }
  });

  it('records the holder so that a live holder is told apart from a reused pid', async () => {
    const first = await openPglite({ dataDir });
    try {
      const lock = JSON.parse(await readFile(path.join(dataDir, 'oriole.lock'), 'utf8')) as { pid: number; startedAt?: string };
      expect(lock.pid).toBe(process.pid);
      if (process.platform === 'linux') expect(lock.startedAt).toMatch(/:\d+$/);
    } finally {
      await first.close();
    }
  });
});

describe('an unreachable PostgreSQL server', () => {
  it('reports upstream_unavailable, not a crash or a raw driver error', async () => {
    const database = openPostgres({ url: 'postgres://nobody@127.0.0.1:1/none' });
    const error = await database.query('SELECT 1').catch((caught: unknown) => caught);
    await database.close();
    expect(error).toBeInstanceOf(OrioleError);
    expect((error as OrioleError).code).toBe('upstream_unavailable');
  });
});
