import { spawn } from 'node:child_process';
import { freePort } from '../helpers/network.ts';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.ts';
import { bindPolicy } from '../../src/entry/bind-policy.ts';
import { cliTargets, oriole, withCliDatabase } from '../helpers/cli.ts';

const binary = path.resolve('bin/oriole.js');


/** `oriole serve` in the background until it prints its address (or exits first). */
async function startServe(
  args: string[],
  environment: Record<string, string>,
): Promise<{ url: string | null; code: number | null; stderr: string; stop(): Promise<void> }> {
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const child = spawn(process.execPath, [binary, 'serve', '--port', String(await freePort()), ...args], {
    env: { ...inherited, ORIOLE_LOG_LEVEL: 'warn', ORIOLE_EMBEDDER: 'none', ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string | null>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match) resolve(match[1]!);
    });
    void exited.then(() => resolve(null));
  });
  const code = url === null ? await exited : null;
  return {
    url,
    code,
    get stderr() {
      return stderr;
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

describe('the bind policy', () => {
  it('warns on loopback without keys, refuses a public address unless forced, and allows anything with keys', () => {
    expect(bindPolicy({ host: '127.0.0.1', keysConfigured: false, allowUnauthenticated: false })).toEqual({
      verdict: 'warn',
      message: 'no API key configured: anyone on this machine can use the API',
    });
    for (const host of ['localhost', '::1', '[::1]', '127.0.0.2']) {
      expect(bindPolicy({ host, keysConfigured: false, allowUnauthenticated: false }).verdict, host).toBe('warn');
    }
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'oriole.example.com', '127.example.com']) {
      const refused = bindPolicy({ host, keysConfigured: false, allowUnauthenticated: false });
      expect(refused.verdict, host).toBe('refuse');
      expect(bindPolicy({ host, keysConfigured: false, allowUnauthenticated: true }).verdict, host).toBe('warn');
      expect(bindPolicy({ host, keysConfigured: true, allowUnauthenticated: false }).verdict, host).toBe('ok');
    }
  });
});

describe.each(cliTargets('oriole_keys'))('oriole keys and serve on $name', { timeout: 240_000 }, (target) => {
  let environment: Record<string, string>;
  beforeAll(async () => {
    environment = await target.setUp();
    expect((await oriole(['kb', 'create', 'support', '--embedder', 'none'], environment)).code).toBe(0);
  });
  afterAll(() => target.tearDown());

  const withDatabase = <T>(work: (database: Database) => Promise<T>) => withCliDatabase(environment, work);

  it('refuses to serve on a public address without a key (exit 2), and serves when forced', async () => {
    const refused = await oriole(['serve', '--host', '0.0.0.0', '--port', String(await freePort())], { ...environment, ORIOLE_EMBEDDER: 'none' });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('refusing to listen on 0.0.0.0 without an API key');
    expect(refused.stderr).toContain('oriole keys create --scope admin');
    expect(refused.stderr).toContain('--allow-unauthenticated');

    const forced = await startServe(['--host', '0.0.0.0', '--allow-unauthenticated'], environment);
    try {
      expect(forced.url, forced.stderr).not.toBeNull();
      const port = new URL(forced.url!).port;
      expect((await fetch(`http://127.0.0.1:${port}/kbs`)).status).toBe(200);
      expect(forced.stderr).toContain('no API key configured');
    } finally {
      await forced.stop();
    }

    const loopback = await startServe([], environment);
    try {
      expect(loopback.url, loopback.stderr).not.toBeNull();
      expect(loopback.stderr).toContain('no API key configured: anyone on this machine can use the API');
    } finally {
      await loopback.stop();
    }
  });

  it('creates a key, printing it once and storing only its hash; lists and revokes it', async () => {
    const created = await oriole(['keys', 'create', '--scope', 'query', '--kb', 'support', '--name', 'widget'], environment);
    expect(created.code, created.stderr).toBe(0);
    const key = created.stdout.trim();
    expect(key).toMatch(/^oriole_[0-9A-Za-z]{32}$/);
    expect(created.stderr).toContain('shown only this once');
    expect(created.stderr).not.toContain(key);

    const rows = await withDatabase(
      async (database) => (await database.query<Record<string, unknown>>('SELECT * FROM api_keys')).rows,
    );
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(key);
    expect(JSON.stringify(rows)).not.toContain(key.slice(12));
    expect(rows[0]!.key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]!.prefix).toBe(key.slice(0, 12));

    const listed = await oriole(['keys', 'list', '--json'], environment);
    expect(listed.code).toBe(0);
    const keys = JSON.parse(listed.stdout) as Record<string, unknown>[];
    expect(keys).toEqual([
      expect.objectContaining({ name: 'widget', prefix: key.slice(0, 12), scope: 'query', kb: 'support', lastUsedAt: null, revokedAt: null }),
    ]);
    expect(listed.stdout).not.toContain(key);
    const human = await oriole(['keys', 'list'], environment);
    expect(human.stdout).toMatch(/widget\s+oriole_\w{5}…\s+query\s+support/);

    // With a key, a public address is allowed, and the API wants the key.
    const served = await startServe(['--host', '0.0.0.0'], environment);
    try {
      expect(served.url, served.stderr).not.toBeNull();
      const base = `http://127.0.0.1:${new URL(served.url!).port}`;
      expect((await fetch(`${base}/kbs`)).status).toBe(401);
      expect((await fetch(`${base}/kbs`, { headers: { Authorization: `Bearer ${key}` } })).status).toBe(200);
      expect((await fetch(`${base}/health`)).status).toBe(200);
    } finally {
      await served.stop();
    }

    const ambiguousOrUnknown = await oriole(['keys', 'revoke', 'oriole_zzzzzzzz'], environment);
    expect(ambiguousOrUnknown.code).toBe(1);
    expect(ambiguousOrUnknown.stderr).toContain('does not exist');

    const revoked = await oriole(['keys', 'revoke', key.slice(0, 12)], environment);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toContain(`Revoked key ${String(keys[0]!.id)}`);
    const after = JSON.parse((await oriole(['keys', 'list', '--json'], environment)).stdout) as { revokedAt: string | null; lastUsedAt: string | null }[];
    expect(after[0]!.revokedAt).not.toBeNull();
    expect(after[0]!.lastUsedAt).not.toBeNull();
    expect((await oriole(['keys', 'revoke', key.slice(0, 12)], environment)).code).toBe(1);
  });

  it('says which ids share an ambiguous prefix, and refuses bad scopes and unknown KBs', async () => {
    const first = (await oriole(['keys', 'create', '--scope', 'admin'], environment)).stdout.trim();
    const second = (await oriole(['keys', 'create', '--scope', 'ingest'], environment)).stdout.trim();
    // A third key with the first one's display prefix (1 in 916 million by chance; forced here).
    await withDatabase((database) =>
      database.query(`INSERT INTO api_keys (prefix, key_hash, scope) VALUES ($1, $2, 'query')`, [first.slice(0, 12), 'f'.repeat(64)]),
    );
    const ambiguous = await oriole(['keys', 'revoke', first.slice(0, 12)], environment);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toContain('matches 2 active keys');
    expect((await oriole(['keys', 'revoke', 'oriole_'], environment)).code).toBe(2);
    expect((await oriole(['keys', 'revoke', first], environment)).code).toBe(0);
    expect((await oriole(['keys', 'revoke', second.slice(0, 12)], environment)).code).toBe(0);

    const badScope = await oriole(['keys', 'create', '--scope', 'superuser'], environment);
    expect(badScope.code).toBe(2);
    expect(badScope.stderr).toContain('--scope must be query, ingest or admin');
    const unknownKb = await oriole(['keys', 'create', '--scope', 'query', '--kb', 'nope'], environment);
    expect(unknownKb.code).toBe(1);
    expect(unknownKb.stderr).toContain("kb 'nope' does not exist");
    expect((await oriole(['keys', 'create', '--help'], {})).stdout).toContain('--scope <scope>');
  });
});
