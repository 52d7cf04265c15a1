import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { openMigrated, testBackends } from '../helpers/databases.ts';

/**
 * Every operation of the OpenAPI document, fed hostile text in every string it takes:
 * the cases are generated from the document itself (request body schemas, path and
 * query parameters), so a route or field added later is covered without editing this
 * file. Each case starts from a valid baseline body and replaces one string (or one
 * record key) with a NUL, a lone surrogate or deep nesting. Every answer is a 4xx with
 * a JSON error code naming the field, never a 500; document text is repaired and
 * reported instead; and the server still answers /health.
 */

type Schema = Record<string, unknown> & {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  example?: unknown;
  minLength?: number;
  minimum?: number;
};

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  schema: Schema;
}

interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}

interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Step = string | number | { key: string };

interface HostileCase {
  name: string;
  method: string;
  path: string;
  query?: string;
  body?: string | FormData;
  /** The field the 400 must name; none when only "a 4xx with a code" is promised. */
  field?: string;
  /** Document text: repaired, reported in `warnings`, and accepted. */
  repaired?: boolean;
}

const uuid = '6f1c2a9e-3b7d-4c1e-9a55-0d2e8f7b1c3a';
const hostileStrings = { NUL: 'refund\u0000policy', 'a lone surrogate': 'refund \ud800 policy', 'a lone low surrogate': '\udc00' };
const deepPlaceholder = '\u2603deep\u2603';
/** Written as text: building and serialising 5,000 nested objects would itself overflow the stack. */
const withDeepNesting = (json: string, levels: number) =>
  json.replace(JSON.stringify(deepPlaceholder), `${'{"a":'.repeat(levels)}"x"${'}'.repeat(levels)}`);
/** Percent-encoded URL components: NUL, and the UTF-8-like bytes of a lone surrogate (not valid UTF-8). */
const hostileComponents = { NUL: 'a%00b', 'a lone surrogate': '%ED%A0%80', 'an invalid escape': '%FF%FE' };
/** Fields whose text is a document's content: indexed after repair rather than refused. */
const repairedFields = new Set(['POST /documents content']);

function resolve(document: OpenApiDocument, schema: Schema): Schema {
  let resolved = schema;
  while (resolved.$ref) resolved = document.components.schemas[resolved.$ref.replace('#/components/schemas/', '')]!;
  return resolved;
}

function typeOf(schema: Schema): string | undefined {
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  return types.find((type) => type !== 'null') ?? (schema.properties ? 'object' : undefined);
}

/** A valid value of a string schema: its example, or a candidate that fits its pattern and format. */
function baselineString(schema: Schema): string {
  if (schema.format === 'uuid') return uuid;
  if (schema.format === 'uri' || schema.format === 'url') return 'https://example.com/help';
  if (typeof schema.example === 'string') return schema.example;
  const candidates = ['default', 'golden', 'refund', 'a', '2026-03-01'];
  const fitting = schema.pattern ? candidates.find((candidate) => new RegExp(schema.pattern!).test(candidate)) : 'refund';
  return (fitting ?? 'a').padEnd(schema.minLength ?? 0, 'a');
}

/** A valid-looking instance of a schema, with every optional field present so each can be attacked. */
function baseline(document: OpenApiDocument, raw: Schema): Json {
  const schema = resolve(document, raw);
  if (schema.const !== undefined) return schema.const as Json;
  if (schema.enum) return schema.enum[0] as Json;
  const options = schema.anyOf ?? schema.oneOf;
  if (options) return baseline(document, options.find((option) => typeOf(resolve(document, option)) !== 'null') ?? options[0]!);
  switch (typeOf(schema)) {
    case 'string':
      return baselineString(schema);
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 1;
    case 'boolean':
      return false;
    case 'array':
      return schema.items ? [baseline(document, schema.items)] : [];
    case 'object': {
      const value: Record<string, Json> = {};
      for (const [key, property] of Object.entries(schema.properties ?? {})) value[key] = baseline(document, property);
      if (typeof schema.additionalProperties === 'object') value.key = baseline(document, schema.additionalProperties);
      return value;
    }
    default:
      // An unconstrained value (a document's metadata entries): a string, so it is attacked too.
      return 'value';
  }
}

/** The place of every string and every object key in a value, in document order. */
function stringPlaces(value: Json, path: Step[] = []): Step[][] {
  if (typeof value === 'string') return [path];
  if (Array.isArray(value)) return value.flatMap((item, index) => stringPlaces(item, [...path, index]));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => [[...path, { key }], ...stringPlaces(item, [...path, key])]);
  }
  return [];
}

/** The value with the string at `place` replaced, or the key at `place` renamed. */
function replaced(value: Json, place: Step[], replacement: Json): Json {
  const copy = structuredClone(value);
  const parentPath = place.slice(0, -1);
  const last = place.at(-1)!;
  let parent = copy as Record<string | number, Json>;
  for (const step of parentPath) parent = parent[step as string | number] as Record<string | number, Json>;
  if (typeof last === 'object') {
    const entries = Object.entries(parent).map(([key, item]) => [key === last.key ? (replacement as string) : key, item]);
    for (const key of Object.keys(parent)) delete parent[key];
    Object.assign(parent, Object.fromEntries(entries));
  } else {
    parent[last] = replacement;
  }
  return copy;
}

function fieldName(place: Step[]): string {
  const keyPlace = typeof place.at(-1) === 'object';
  const path = (keyPlace ? place.slice(0, -1) : place).map(String);
  return path.length === 0 ? 'body' : path.join('.');
}

function hostileCases(document: OpenApiDocument): { cases: HostileCase[]; operations: string[] } {
  const cases: HostileCase[] = [];
  const operations: string[] = [];
  for (const [template, item] of Object.entries(document.paths)) {
    for (const [lowerMethod, operation] of Object.entries(item)) {
      const method = lowerMethod.toUpperCase();
      const operationName = `${method} ${template}`;
      operations.push(operationName);
      const parameters = operation.parameters ?? [];
      const pathWith = (name?: string, component?: string) =>
        template.replace(/\{(\w+)\}/g, (_, parameter: string) =>
          parameter === name ? component! : encodeURIComponent(baselineString(parameters.find((p) => p.name === parameter)!.schema)),
        );
      const jsonSchema = operation.requestBody?.content['application/json']?.schema;
      const jsonBaseline = jsonSchema ? JSON.stringify(baseline(document, jsonSchema)) : undefined;
      const baseRequest = { method, ...(jsonBaseline ? { body: jsonBaseline } : {}) };
      for (const parameter of parameters.filter((candidate) => candidate.in !== 'header')) {
        for (const [label, component] of Object.entries(hostileComponents)) {
          const field = `${parameter.in}.${parameter.name}`;
          cases.push(
            parameter.in === 'path'
              ? { ...baseRequest, name: `${operationName}: ${label} in ${field}`, path: pathWith(parameter.name, component), field }
              : { ...baseRequest, name: `${operationName}: ${label} in ${field}`, path: pathWith(), query: `${parameter.name}=${component}`, field },
          );
        }
      }
      if (jsonSchema) {
        const body = baseline(document, jsonSchema);
        for (const place of stringPlaces(body)) {
          const isKey = typeof place.at(-1) === 'object';
          const field = fieldName(place);
          const label = `${isKey ? 'a key in' : ''} ${field}`.trim();
          for (const [what, hostile] of Object.entries(hostileStrings)) {
            const repaired = !isKey && repairedFields.has(`${operationName} ${field}`);
            cases.push({
              name: `${operationName}: ${what} in ${label}`,
              method,
              path: pathWith(),
              body: JSON.stringify(replaced(body, place, hostile)),
              ...(repaired ? { repaired } : { field }),
            });
          }
          if (!isKey) {
            for (const levels of [40, 5_000]) {
              cases.push({
                name: `${operationName}: ${levels} levels of nesting in ${field}`,
                method,
                path: pathWith(),
                body: withDeepNesting(JSON.stringify(replaced(body, place, deepPlaceholder)), levels),
              });
            }
          }
        }
      }
      const formSchema = operation.requestBody?.content['multipart/form-data']?.schema;
      for (const [field, property] of Object.entries(resolve(document, formSchema ?? {}).properties ?? {})) {
        // Form data is encoded as UTF-8 by the client, which turns a lone surrogate into U+FFFD: only a NUL can reach the wire.
        for (const [what, hostile] of Object.entries({ NUL: hostileStrings.NUL })) {
          const form = new FormData();
          const isFile = property.format === 'binary';
          form.append('file', new File(['# Refunds\n\nRefunds take 5 days.'], isFile ? `${hostile}.md` : 'refunds.md', { type: 'text/markdown' }));
          if (!isFile) form.append(field, hostile);
          cases.push({ name: `${operationName} (multipart): ${what} in ${isFile ? 'the file name' : field}`, method, path: pathWith(), body: form });
        }
      }
    }
  }
  return { cases, operations };
}

describe.each(testBackends())('hostile text in every field of every operation on $name', { timeout: 300_000 }, (backend) => {
  let database: Database;
  let app: TestApp;
  let generated: ReturnType<typeof hostileCases>;

  beforeAll(async () => {
    database = await openMigrated(backend);
    ({ app } = createTestApp(database, { worker: false }));
    const created = await app.request('/kbs', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"name":"default"}' });
    expect(created.status).toBe(201);
    generated = hostileCases((await (await app.request('/openapi.json')).json()) as OpenApiDocument);
  });
  afterAll(() => backend.cleanup());

  it('generates cases for every operation that takes input', () => {
    const withInput = new Set(generated.cases.map((hostile) => hostile.name.split(':')[0]!.replace(' (multipart)', '')));
    const inputless = generated.operations.filter((operation) => !withInput.has(operation));
    // These take neither a body nor parameters.
    expect(inputless.sort()).toEqual(['GET /health', 'GET /kbs', 'GET /keys', 'GET /metrics', 'GET /ready', 'GET /v1/models']);
    expect(generated.cases.length).toBeGreaterThan(300);
  });

  it('answers each with a 4xx and a code naming the field, never a 500', async () => {
    const failures: string[] = [];
    for (const hostile of generated.cases) {
      const url = `${hostile.path}${hostile.query ? `?${hostile.query}` : ''}`;
      const response = await app.request(url, {
        method: hostile.method,
        ...(typeof hostile.body === 'string' ? { headers: { 'Content-Type': 'application/json' } } : {}),
        ...(hostile.body !== undefined ? { body: hostile.body } : {}),
      });
      const text = await response.text();
      const body = JSON.parse(text) as {
        error?: { code: string; details?: { issues?: { path: string }[] } };
        warnings?: { field: string }[];
      };
      if (hostile.repaired) {
        if (response.status !== 202 || body.warnings?.[0]?.field !== 'content') failures.push(`${hostile.name}: ${response.status} ${text}`);
        continue;
      }
      const named = hostile.field === undefined || body.error?.details?.issues?.[0]?.path === hostile.field;
      if (response.status < 400 || response.status >= 500 || !body.error?.code || !named) {
        failures.push(`${hostile.name}: ${response.status} ${text.slice(0, 300)}`);
      }
    }
    expect(failures).toEqual([]);
    expect((await app.request('/health')).status).toBe(200);
  });
});
