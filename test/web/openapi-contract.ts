import { afterAll, beforeAll, expect } from 'vitest';
import { createTestApp } from '../helpers/app.ts';
import { openMigrated, testBackends } from '../helpers/databases.ts';

/**
 * Checks a web client's field lists (web/shared/*-types.ts) against the app's own OpenAPI
 * document, so a renamed server field fails in a unit test instead of in a browser.
 */
type Schema = { $ref?: string; properties?: Record<string, Schema>; items?: Schema; anyOf?: Schema[]; oneOf?: Schema[]; allOf?: Schema[] };
type Operation = { requestBody?: { content: Record<string, { schema: Schema }> }; responses: Record<string, { content?: Record<string, { schema: Schema }> }> };
export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}
export type FieldTree = { readonly [field: string]: true | FieldTree };
/** What a page sends and reads on one operation, keyed `METHOD /path`. */
export type FieldContract = { request?: FieldTree; response?: FieldTree };

/** Registers the suite's hooks; the returned getter gives the document once `beforeAll` ran. */
export function useOpenApiDocument(): () => OpenApiDocument {
  const [backend] = testBackends();
  let document: OpenApiDocument;
  beforeAll(async () => {
    const { app } = createTestApp(await openMigrated(backend!), { worker: false });
    document = (await (await app.request('/openapi.json')).json()) as OpenApiDocument;
  });
  afterAll(() => backend!.cleanup());
  return () => document;
}

/** A schema with its `$ref` followed and its `anyOf`/`oneOf`/`allOf` variants merged into one object. */
function resolve(document: OpenApiDocument, schema: Schema): Schema {
  if (schema.$ref) return resolve(document, document.components!.schemas![schema.$ref.replace('#/components/schemas/', '')]!);
  const variants = schema.anyOf ?? schema.oneOf ?? schema.allOf;
  if (!variants) return schema;
  const resolved = variants.map((variant) => resolve(document, variant));
  const items = resolved.map((variant) => variant.items).find(Boolean);
  return {
    properties: Object.assign({}, ...resolved.map((variant) => variant.properties ?? {})) as Record<string, Schema>,
    ...(items ? { items } : {}),
  };
}

/** The paths (`at.field.nested`) of the fields the schema lacks; an array schema is checked through its items. */
export function missingFields(document: OpenApiDocument, schema: Schema, fields: FieldTree, at: string): string[] {
  let object = resolve(document, schema);
  if (object.items) object = resolve(document, object.items);
  return Object.entries(fields).flatMap(([field, nested]) => {
    const property = object.properties?.[field];
    if (!property) return [`${at}.${field}`];
    return nested === true ? [] : missingFields(document, property, nested, `${at}.${field}`);
  });
}

/** The JSON schema of the operation's first 2xx response. */
export function successSchema(document: OpenApiDocument, path: string, method: string): Schema | undefined {
  const success = Object.entries(document.paths[path]?.[method]?.responses ?? {}).find(([status]) => status.startsWith('2'))?.[1];
  return success?.content?.['application/json']?.schema;
}

/** Expects the operation `name` (`METHOD /path`) to exist with every field of its contract. */
export function expectContractHolds(document: OpenApiDocument, name: string, contract: FieldContract, requestLabel: string): void {
  const [method, path] = name.split(' ') as [string, string];
  const operation = document.paths[path]?.[method.toLowerCase()];
  expect(operation, name).toBeDefined();
  if (contract.request) {
    const schema = operation!.requestBody?.content['application/json']?.schema;
    expect(schema, `${name} ${requestLabel}`).toBeDefined();
    expect(missingFields(document, schema!, contract.request, 'request')).toEqual([]);
  }
  if (contract.response) {
    const schema = successSchema(document, path, method.toLowerCase());
    expect(schema, `${name} response`).toBeDefined();
    expect(missingFields(document, schema!, contract.response, 'response')).toEqual([]);
  }
}
