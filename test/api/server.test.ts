import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/index.ts';
import { createLogger } from '../../src/entry/node.ts';
import { startServer, type RunningServer } from '../../src/entry/server.ts';

describe('the Node server over real HTTP on embedded PGlite', () => {
  let dataDir: string;
  let server: RunningServer;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'oriole-serve-'));
    const config = loadConfig({ ORIOLE_DATA_DIR: dataDir, ORIOLE_EMBEDDER: 'none' });
    // Port 0: the OS picks a free one, so parallel test files never collide.
    server = await startServer({ ...config, server: { host: '127.0.0.1', port: 0 } }, createLogger({ logLevel: 'silent' }));
  });
  afterAll(async () => {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('migrates on start and serves the API', async () => {
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    const created = await fetch(`${server.url}/kbs`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'default' }),
    });
    expect(created.status).toBe(201);
    const listed = (await (await fetch(`${server.url}/kbs`)).json()) as { kbs: { name: string }[] };
    expect(listed.kbs.map((kb) => kb.name)).toEqual(['default']);
  });

  it('answers malformed JSON with 400 invalid_request and stays up', async () => {
    const response = await fetch(`${server.url}/kbs`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"name":',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
    expect((await fetch(`${server.url}/ready`)).status).toBe(200);
  });
});
