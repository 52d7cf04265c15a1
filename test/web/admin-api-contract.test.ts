import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.ts';
import { adminApiContract } from '../../web/shared/admin-api-types.ts';
import { createTestApp } from '../helpers/app.ts';
import { openMigrated, testBackends } from '../helpers/databases.ts';

/**
 * The admin console's types (web/shared/admin-api-types.ts) against the app's own OpenAPI
 * document: every route the console calls exists, and every field it sends or reads is in
 * its schema, so a renamed server field fails here instead of in a browser.
 */
type Schema = { $ref?: string; properties?: Record<string, Schema>; items?: Schema; anyOf?: Schema[]; oneOf?: Schema[]; allOf?: Schema[] };
type Operation = { requestBody?: { content: Record<string, { schema: Schema }> }; responses: Record<string, { content?: Record<string, { schema: Schema }> }> };
type OpenApi = { paths: Record<string, Record<string, Operation>>; components?: { schemas?: Record<string, Schema> } };
type FieldTree = { readonly [field: string]: true | FieldTree };

const [backend] = testBackends();

describe('the admin console client against /openapi.json', () => {
  let database: Database;
  let openApi: OpenApi;
  beforeAll(async () => {
    database = await openMigrated(backend!);
    const { app } = createTestApp(database, { worker: false });
    openApi = (await (await app.request('/openapi.json')).json()) as OpenApi;
  });
  afterAll(() => backend!.cleanup());

  const resolve = (schema: Schema): Schema => {
    if (schema.$ref) return resolve(openApi.components!.schemas![schema.$ref.replace('#/components/schemas/', '')]!);
    const variants = schema.anyOf ?? schema.oneOf ?? schema.allOf;
    if (!variants) return schema;
    const resolved = variants.map(resolve);
    return {
      properties: Object.assign({}, ...resolved.map((variant) => variant.properties ?? {})) as Record<string, Schema>,
      ...(resolved.find((variant) => variant.items) ? { items: resolved.find((variant) => variant.items)!.items! } : {}),
    };
  };
  const missingFields = (schema: Schema, fields: FieldTree, at: string): string[] => {
    let object = resolve(schema);
    if (object.items) object = resolve(object.items);
    return Object.entries(fields).flatMap(([field, nested]) => {
      const property = object.properties?.[field];
      if (!property) return [`${at}.${field}`];
      return nested === true ? [] : missingFields(property, nested, `${at}.${field}`);
    });
  };

  for (const [name, contract] of Object.entries(adminApiContract) as [string, { request?: FieldTree; response?: FieldTree }][]) {
    it(`${name}: the route and the fields the console uses exist`, () => {
      const [method, path] = name.split(' ') as [string, string];
      const operation = openApi.paths[path]?.[method.toLowerCase()];
      expect(operation, name).toBeDefined();
      if (contract.request) {
        const schema = operation!.requestBody?.content['application/json']?.schema;
        expect(schema, `${name} request`).toBeDefined();
        expect(missingFields(schema!, contract.request, 'request')).toEqual([]);
      }
      if (contract.response) {
        const success = Object.entries(operation!.responses).find(([status]) => status.startsWith('2'))?.[1];
        const schema = success?.content?.['application/json']?.schema;
        expect(schema, `${name} response`).toBeDefined();
        expect(missingFields(schema!, contract.response, 'response')).toEqual([]);
      }
    });
  }

  it('notices a field the server does not have', () => {
    const schema = openApi.paths['/keys']!.get!.responses['200']!.content!['application/json']!.schema;
    expect(missingFields(schema, { keys: { prefix: true, secret: true } }, 'response')).toEqual(['response.keys.secret']);
  });
});
