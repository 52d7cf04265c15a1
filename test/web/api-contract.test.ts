import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.ts';
import { apiContract } from '../../web/shared/api-types.ts';
import { createTestApp } from '../helpers/app.ts';
import { openMigrated, testBackends } from '../helpers/databases.ts';

/**
 * The web client's types (web/shared/api-types.ts) against the app's own OpenAPI
 * document: every operation the pages call exists, and every field they send or read is
 * in its schema, so renaming a field on the server fails here instead of in a browser.
 */
type Schema = { $ref?: string; type?: string | string[]; properties?: Record<string, Schema>; items?: Schema; anyOf?: Schema[]; oneOf?: Schema[]; allOf?: Schema[] };
type Operation = { requestBody?: { content: Record<string, { schema: Schema }> }; responses: Record<string, { content?: Record<string, { schema: Schema }> }> };
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}
type FieldTree = { readonly [field: string]: true | FieldTree };

const [backend] = testBackends();

describe('the web client against /openapi.json', () => {
  let database: Database;
  let document: Document;
  beforeAll(async () => {
    database = await openMigrated(backend!);
    const { app } = createTestApp(database, { worker: false });
    document = (await (await app.request('/openapi.json')).json()) as Document;
  });
  afterAll(() => backend!.cleanup());

  const resolve = (schema: Schema): Schema => {
    if (schema.$ref) return resolve(document.components!.schemas![schema.$ref.replace('#/components/schemas/', '')]!);
    const variants = schema.anyOf ?? schema.oneOf ?? schema.allOf;
    if (variants) {
      const properties = Object.assign({}, ...variants.map((variant) => resolve(variant).properties ?? {})) as Record<string, Schema>;
      const items = variants.map((variant) => resolve(variant).items).find(Boolean);
      return { properties, ...(items ? { items } : {}) };
    }
    return schema;
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

  for (const [name, contract] of Object.entries(apiContract) as [string, { request?: FieldTree; response?: FieldTree }][]) {
    it(`${name}: the operation and the fields the pages use exist`, () => {
      const [method, path] = name.split(' ') as [string, string];
      const operation = document.paths[path]?.[method.toLowerCase()];
      expect(operation, name).toBeDefined();
      if (contract.request) {
        const schema = operation!.requestBody?.content['application/json']?.schema;
        expect(schema, `${name} request body`).toBeDefined();
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
    const schema = document.paths['/kbs']!.get!.responses['200']!.content!['application/json']!.schema;
    expect(missingFields(schema, { kbs: { name: true, nickname: true } }, 'response')).toEqual(['response.kbs.nickname']);
  });
});
