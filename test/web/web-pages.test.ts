import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.ts';
import { createTestApp, expectError, type TestApp } from '../helpers/app.ts';
import { openMigrated, testBackends } from '../helpers/databases.ts';

/**
 * How the app serves the built web pages (src/api/web-pages.ts): open pages with a strict
 * policy, hashed assets cached for a year, the widget short-cached and loadable from other
 * origins, nothing outside the build directory, and a clear message when nothing was built.
 */
const [backend] = testBackends();

describe('the web pages, served by the API app', () => {
  let database: Database;
  let app: TestApp;
  let webDirectory: string;
  beforeAll(async () => {
    webDirectory = await mkdtemp(path.join(tmpdir(), 'oriole-web-'));
    await mkdir(path.join(webDirectory, 'chat'));
    await mkdir(path.join(webDirectory, 'admin'));
    await mkdir(path.join(webDirectory, 'assets'));
    await writeFile(path.join(webDirectory, 'chat/index.html'), '<!doctype html><title>chat</title>');
    await writeFile(path.join(webDirectory, 'admin/index.html'), '<!doctype html><title>admin</title>');
    await writeFile(path.join(webDirectory, 'assets/chat-AbC123.js'), 'console.log(1)');
    await writeFile(path.join(webDirectory, 'widget.js'), '(function(){})()');
    await writeFile(path.join(tmpdir(), 'oriole-web-secret.txt'), 'LEAKED-FILE-CONTENT');
    database = await openMigrated(backend!);
    // Auth on: the pages must still load without a key (they ask for one themselves).
    ({ app } = createTestApp(database, { worker: false, adminKey: 'admin-secret-key', webDirectory }));
  });
  afterAll(async () => {
    await backend!.cleanup();
    await rm(webDirectory, { recursive: true, force: true });
  });

  it('serves the chat page at / without a key, under a strict policy, never framed, revalidated', async () => {
    const response = await app.request('/');
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<title>chat</title>');
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toContain('unsafe-inline');
    expect(policy).toContain("frame-ancestors 'none'");
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('serves the console at /admin with the same policy', async () => {
    const response = await app.request('/admin');
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<title>admin</title>');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  it('caches hashed assets for a year', async () => {
    const response = await app.request('/assets/chat-AbC123.js');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('serves /widget.js for other origins with a short cache', async () => {
    const response = await app.request('/widget.js');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    expect(response.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
  });

  it('serves nothing outside the build directory', async () => {
    await expectError(await app.request('/assets/missing-123.js'), 404, 'not_found');
    for (const probe of ['/assets/..%2Foriole-web-secret.txt', '/assets/%2E%2E%2F..%2Foriole-web-secret.txt', '/assets/../chat/index.html']) {
      const response = await app.request(probe);
      expect(response.status, probe).not.toBe(200);
      expect(await response.text(), probe).not.toContain('LEAKED-FILE-CONTENT');
    }
  });

  it('still needs a key for the API the pages call', async () => {
    await expectError(await app.request('/kbs'), 401, 'unauthorized');
  });

  it('says how to build the pages when they are missing', async () => {
    const { app: unbuilt } = createTestApp(database, { worker: false, webDirectory: path.join(webDirectory, 'nothing-here') });
    const error = await expectError(await unbuilt.request('/'), 404, 'not_found');
    expect(error.message).toContain('npm run build:web');
  });
});
