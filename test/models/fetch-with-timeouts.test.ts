import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchWithTimeouts } from '../../src/models/index.ts';

describe('fetchWithTimeouts against a real slow server', () => {
  let server: Server;
  let baseUrl: string;
  const timeouts = { responseTimeoutMs: 500, stallTimeoutMs: 500 };
  const timedFetch = fetchWithTimeouts(fetch, timeouts);

  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/silent') return;
      response.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      const pieces = 8;
      let sent = 0;
      const sendNext = () => {
        response.write('x'.repeat(1000));
        sent += 1;
        // /slow keeps sending, 100 ms apart: longer than a timeout in total, never silent for one.
        if (request.url === '/slow' && sent < pieces) setTimeout(sendNext, 100);
        else if (request.url === '/slow') response.end();
        // /stall sends one piece, then nothing.
      };
      sendNext();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('fails when no response arrives in time', async () => {
    const started = performance.now();
    await expect(timedFetch(`${baseUrl}/silent`)).rejects.toThrow('no response within 500 ms');
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('fails a download that stalls, after the bytes it did receive', async () => {
    const response = await timedFetch(`${baseUrl}/stall`);
    expect(response.status).toBe(200);
    await expect(response.arrayBuffer()).rejects.toThrow('the download stalled within 500 ms');
  });

  it('lets a slow download that keeps making progress finish', async () => {
    const started = performance.now();
    const response = await timedFetch(`${baseUrl}/slow`);
    expect((await response.arrayBuffer()).byteLength).toBe(8000);
    expect(performance.now() - started).toBeGreaterThan(timeouts.stallTimeoutMs);
  });

  it('still honours the caller’s own abort signal', async () => {
    const controller = new AbortController();
    const pending = timedFetch(`${baseUrl}/silent`, { signal: controller.signal });
    controller.abort(new Error('caller gave up'));
    await expect(pending).rejects.toThrow('caller gave up');
  });
});
