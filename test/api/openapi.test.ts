import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { openMigrated, testBackends } from '../helpers/databases.ts';

/**
 * The OpenAPI document is what client generators and QA tools read: it must be valid
 * OpenAPI 3.1, describe every route the app serves (and no route it does not), and the
 * /docs page must show all of it without fetching anything.
 */

const [backend] = testBackends();
// Pages for people, not API operations: the reference page and the web pages (src/api/web-pages.ts).
const undocumented = new Set(['GET /openapi.json', 'GET /docs', 'GET /', 'GET /admin', 'GET /widget.js', 'GET /assets/{file}']);

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { responses?: Record<string, unknown> }>>;
}

describe('the OpenAPI document', () => {
  let database: Database;
  let app: TestApp;
  let document: OpenApiDocument;
  beforeAll(async () => {
    database = await openMigrated(backend!);
    ({ app } = createTestApp(database, { worker: false }));
    document = (await (await app.request('/openapi.json')).json()) as OpenApiDocument;
  });
  afterAll(() => backend!.cleanup());

  it('is valid OpenAPI 3.1', async () => {
    const result = await new Validator().validate(structuredClone(document) as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document.openapi).toBe('3.1.0');
  });

  it('documents exactly the routes the app serves', () => {
    const served = new Set(
      app.routes
        .filter((route) => route.method !== 'ALL' && !route.path.includes('*'))
        .map((route) => `${route.method} ${route.path.replace(/:(\w+)/g, '{$1}')}`)
        .filter((route) => !undocumented.has(route)),
    );
    const documented = new Set(
      Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`)),
    );
    expect([...served].sort()).toEqual([...documented].sort());
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        expect(Object.keys(operation.responses ?? {}), `${method} ${path} documents its responses`).not.toEqual([]);
      }
    }
  });

  it('is readable at /docs: one self-contained page listing every operation', async () => {
    const response = await app.request('/docs');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const page = await response.text();
    for (const [path, item] of Object.entries(document.paths)) {
      for (const method of Object.keys(item)) expect(page).toContain(`id="${`${method}-${path}`.replace(/[^\w-]+/g, '-')}"`);
    }
    expect(page).toContain('question');
    expect(page).not.toMatch(/<script|(?:src|href)="https?:/);
  });
});
