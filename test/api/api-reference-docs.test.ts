import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpStatusOf } from '../../src/api/index.ts';
import { errorCodes } from '../../src/core/index.ts';
import type { Database } from '../../src/db/index.ts';
import { createTestApp } from '../helpers/app.ts';
import { openMigrated, testBackends } from '../helpers/databases.ts';
import { readReferencePage } from '../helpers/reference-docs.ts';

/**
 * docs/api.md is the HTTP reference a user reads without a running server: it must have a
 * section for every route the app serves (as its OpenAPI document lists them, and the two
 * it serves beside them), no section for a route that does not exist, and every error
 * code with the HTTP status the app sends for it.
 */

const [backend] = testBackends();

/** "GET /documents/:id" and "GET /documents/{id}" are one route. */
const routeKey = (method: string, path: string) => `${method.toUpperCase()} ${path.replace(/:(\w+)/g, '{$1}')}`;

describe('docs/api.md, the HTTP API reference', () => {
  let database: Database;
  let served: Set<string>;
  let documented: Set<string>;
  let errorRows: Map<string, number>;
  beforeAll(async () => {
    database = await openMigrated(backend!);
    const { app } = createTestApp(database, { worker: false });
    const openapi = (await (await app.request('/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    served = new Set([
      ...Object.entries(openapi.paths).flatMap(([path, item]) => Object.keys(item).map((method) => routeKey(method, path))),
      ...app.routes.filter((route) => route.method !== 'ALL' && !route.path.includes('*')).map((route) => routeKey(route.method, route.path)),
    ]);
    const { text, sections } = await readReferencePage('api.md');
    documented = new Set(
      sections.flatMap((section) => {
        const match = /^`(GET|POST|PUT|PATCH|DELETE) (\/\S*)`$/.exec(section.heading);
        return match ? [routeKey(match[1]!, match[2]!)] : [];
      }),
    );
    errorRows = new Map([...text.matchAll(/^\| `(\w+)` \| (\d{3}) \|/gm)].map((match) => [match[1]!, Number(match[2])]));
  });
  afterAll(() => backend!.cleanup());

  it('has a section for every route the app serves, and none for a route it does not', () => {
    const problems = [
      ...[...served].filter((route) => !documented.has(route)).map((route) => `no section "\`${route}\`" for a route the app serves`),
      ...[...documented].filter((route) => !served.has(route)).map((route) => `a section for \`${route}\`, which the app does not serve`),
    ];
    expect(problems).toEqual([]);
    expect(served.size).toBeGreaterThan(20);
  });

  it('lists every error code with the HTTP status the app sends for it', () => {
    const problems: string[] = [];
    for (const code of errorCodes) {
      const status = errorRows.get(code);
      if (status === undefined) problems.push(`the error code \`${code}\` (HTTP ${httpStatusOf(code)}) is missing from the table`);
      else if (status !== httpStatusOf(code)) problems.push(`\`${code}\` is listed with ${status}; the app sends ${httpStatusOf(code)}`);
    }
    for (const code of errorRows.keys()) {
      if (!(errorCodes as readonly string[]).includes(code)) problems.push(`the table lists \`${code}\`, which is not an error code`);
    }
    expect(problems).toEqual([]);
  });
});
