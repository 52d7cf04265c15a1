import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestLogger } from '../../src/api/index.ts';
import { createTestApp } from '../helpers/app.ts';
import { openMigrated, testBackends } from '../helpers/databases.ts';
import { listenOnLoopback } from '../helpers/network.ts';

/**
 * A client that goes away mid-body (a closed tab, a killed upload) is not a server
 * failure: the access log says the client closed the request (499), never a 500 that
 * would page an operator, and the server keeps serving.
 */

const [backend] = testBackends();

describe('a client that aborts mid-body', () => {
  const lines: { level: string; status: unknown; msg: string }[] = [];
  const write = (level: string) => (fields: Record<string, unknown>, msg: string) => lines.push({ level, status: fields.status, msg });
  const logger: RequestLogger = { info: write('info'), warn: write('warn'), error: write('error') };
  let server: Awaited<ReturnType<typeof listenOnLoopback>>;

  beforeAll(async () => {
    const database = await openMigrated(backend!);
    server = await listenOnLoopback(createTestApp(database, { worker: false, logger }).app);
  });
  afterAll(async () => {
    await server.close();
    await backend!.cleanup();
  });

  it.each([
    ['a JSON body', '/answer', 'application/json', '{"question":"how do I'],
    ['a multipart upload', '/documents', 'multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="file"; filename="a.md"\r\n\r\n# A'],
  ])('%s: logged as 499 "client closed", not as a failed request', async (_name, path, type, partial) => {
    lines.length = 0;
    const { port, hostname } = new URL(server.url);
    const socket = connect(Number(port), hostname);
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write(`POST ${path} HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: ${type}\r\nContent-Length: 100000\r\n\r\n${partial}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    socket.destroy();
    const deadline = Date.now() + 20_000;
    while (lines.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(lines).toEqual([{ level: 'info', status: 499, msg: 'client closed the request before it was answered' }]);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });
});
