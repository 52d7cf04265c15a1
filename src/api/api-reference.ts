/**
 * The API reference page (`GET /docs`): the OpenAPI document rendered as one readable,
 * self-contained HTML page. Server-side and without scripts or assets from a CDN, so it
 * works offline, behind a strict CSP and on Workers, and always shows the same schemas
 * that validate requests.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface OpenApiDocumentLike {
  info: { title: string; version: string; description?: string };
  paths?: object;
  components?: { schemas?: object };
}

const methods = ['get', 'post', 'put', 'patch', 'delete'] as const;
/** Nesting shown before a schema is summarised as "object"; keeps deep schemas readable. */
const maxSchemaDepth = 4;

export function renderApiReference(document: OpenApiDocumentLike): string {
  const operations = listOperations(document);
  const schemas = (document.components?.schemas ?? {}) as Record<string, JsonObject>;
  const toc = operations.map((operation) => `<li><a href="#${operation.anchor}">${methodBadge(operation.method)} ${escapeHtml(operation.path)}</a></li>`);
  const sections = operations.map((operation) => renderOperation(operation, schemas));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(document.info.title)} ${escapeHtml(document.info.version)}: API reference</title>
<style>${style}</style>
</head>
<body>
<nav><h2>${escapeHtml(document.info.title)}</h2><p class="muted">v${escapeHtml(document.info.version)} · <a href="/openapi.json">openapi.json</a></p><ul>${toc.join('')}</ul></nav>
<main>
<h1>${escapeHtml(document.info.title)} <span class="muted">v${escapeHtml(document.info.version)}</span></h1>
<p>${escapeHtml(document.info.description ?? '')}</p>
<p>Errors are <code>{"error": {"code", "message", "requestId"}}</code> with a stable <code>code</code>. Send <code>Authorization: Bearer &lt;key&gt;</code> when API keys are configured.</p>
${sections.join('\n')}
</main>
</body>
</html>
`;
}

interface Operation {
  method: string;
  path: string;
  anchor: string;
  spec: JsonObject;
}

function listOperations(document: OpenApiDocumentLike): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries((document.paths ?? {}) as Record<string, Record<string, unknown>>)) {
    for (const method of methods) {
      const spec = item[method] as JsonObject | undefined;
      if (spec) operations.push({ method, path, anchor: `${method}-${path}`.replace(/[^\w-]+/g, '-'), spec });
    }
  }
  return operations;
}

function renderOperation(operation: Operation, schemas: Record<string, JsonObject>): string {
  const { spec } = operation;
  const parameters = ((spec.parameters ?? []) as JsonObject[]).map(
    (parameter) =>
      `<tr><td><code>${escapeHtml(String(parameter.name))}</code></td><td>${escapeHtml(String(parameter.in))}${parameter.required ? ', required' : ''}</td><td>${renderSchema(parameter.schema as JsonObject, schemas, 0)}</td></tr>`,
  );
  const body = firstContent((spec.requestBody as JsonObject | undefined)?.content as JsonObject | undefined);
  const responses = Object.entries((spec.responses ?? {}) as Record<string, JsonObject>).map(([status, response]) => {
    const content = firstContent(response.content as JsonObject | undefined);
    return `<tr><td><code>${escapeHtml(status)}</code></td><td>${escapeHtml(String(response.description ?? ''))}${content ? `<div class="type">${escapeHtml(content.type)}</div>${renderSchema(content.schema, schemas, 0)}` : ''}</td></tr>`;
  });
  return `<section id="${operation.anchor}">
<h2>${methodBadge(operation.method)} <code>${escapeHtml(operation.path)}</code></h2>
<p>${escapeHtml(String(spec.summary ?? ''))}</p>
${parameters.length > 0 ? `<h3>Parameters</h3><table>${parameters.join('')}</table>` : ''}
${body ? `<h3>Request body <span class="type">${escapeHtml(body.type)}</span></h3>${renderSchema(body.schema, schemas, 0)}` : ''}
<h3>Responses</h3><table>${responses.join('')}</table>
</section>`;
}

function firstContent(content: JsonObject | undefined): { type: string; schema: JsonObject } | undefined {
  const [type, media] = Object.entries(content ?? {})[0] ?? [];
  return type ? { type, schema: ((media as JsonObject | undefined)?.schema ?? {}) as JsonObject } : undefined;
}

/** A schema as nested lists of fields with their types and constraints. */
function renderSchema(schema: JsonObject | undefined, schemas: Record<string, JsonObject>, depth: number): string {
  if (!schema) return '';
  const resolved = resolve(schema, schemas);
  const properties = resolved.properties as Record<string, JsonObject> | undefined;
  if (properties && depth < maxSchemaDepth) {
    const required = new Set((resolved.required ?? []) as string[]);
    const fields = Object.entries(properties).map(
      ([name, property]) =>
        `<li><code>${escapeHtml(name)}</code>${required.has(name) ? '' : '<span class="muted">?</span>'} <span class="type">${escapeHtml(typeLabel(property, schemas))}</span>${describe(property)}${nested(property, schemas, depth)}</li>`,
    );
    return `<ul class="schema">${fields.join('')}</ul>`;
  }
  return `<span class="type">${escapeHtml(typeLabel(schema, schemas))}</span>${describe(resolved)}`;
}

function nested(property: JsonObject, schemas: Record<string, JsonObject>, depth: number): string {
  const resolved = resolve(property, schemas);
  if (resolved.properties) return renderSchema(resolved, schemas, depth + 1);
  const items = resolved.items as JsonObject | undefined;
  if (items && resolve(items, schemas).properties) return renderSchema(items, schemas, depth + 1);
  return '';
}

function resolve(schema: JsonObject, schemas: Record<string, JsonObject>): JsonObject {
  const reference = typeof schema.$ref === 'string' ? schema.$ref.replace('#/components/schemas/', '') : undefined;
  return reference && schemas[reference] ? schemas[reference] : schema;
}

function typeLabel(schema: JsonObject, schemas: Record<string, JsonObject>): string {
  if (typeof schema.$ref === 'string') return schema.$ref.replace('#/components/schemas/', '');
  const variants = (schema.anyOf ?? schema.oneOf) as JsonObject[] | undefined;
  if (variants) return variants.map((variant) => typeLabel(variant, schemas)).join(' | ');
  if (Array.isArray(schema.enum)) return schema.enum.map((value) => JSON.stringify(value)).join(' | ');
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.type === 'array') return `${typeLabel((schema.items ?? {}) as JsonObject, schemas)}[]`;
  return Array.isArray(schema.type) ? schema.type.join(' | ') : String(schema.type ?? 'any');
}

/** Bounds and descriptions a client must respect. */
function describe(schema: JsonObject): string {
  const bounds = [
    ['minLength', '≥', ' chars'],
    ['maxLength', '≤', ' chars'],
    ['minimum', '≥', ''],
    ['maximum', '≤', ''],
    ['minItems', '≥', ' items'],
    ['maxItems', '≤', ' items'],
  ]
    .filter(([key]) => typeof schema[key!] === 'number')
    .map(([key, sign, unit]) => `${sign} ${String(schema[key!])}${unit}`);
  if (schema.default !== undefined) bounds.push(`default ${JSON.stringify(schema.default)}`);
  const text = [typeof schema.description === 'string' ? schema.description : '', bounds.join(', ')].filter(Boolean).join(' · ');
  return text ? ` <span class="muted">${escapeHtml(text)}</span>` : '';
}

function methodBadge(method: string): string {
  return `<span class="method ${method}">${method.toUpperCase()}</span>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

const style = `
body{margin:0;display:flex;font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2937;background:#f8fafc}
nav{position:sticky;top:0;height:100vh;overflow:auto;width:300px;flex:none;padding:16px;background:#fff;border-right:1px solid #e5e7eb;box-sizing:border-box}
nav ul{list-style:none;padding:0;margin:0;font-size:13px}nav li{margin:4px 0}nav a{color:#1f2937;text-decoration:none}
main{padding:24px 40px;max-width:1000px}section{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:8px 20px;margin:16px 0}
h2{font-size:18px}h3{font-size:14px;margin-bottom:4px}table{border-collapse:collapse;width:100%}td{border-top:1px solid #f1f5f9;padding:6px;vertical-align:top}
code{font:13px ui-monospace,monospace}.muted{color:#6b7280}.type{color:#7c3aed;font:12px ui-monospace,monospace}
ul.schema{margin:2px 0;padding-left:18px}.method{display:inline-block;min-width:52px;text-align:center;border-radius:4px;color:#fff;font:bold 11px ui-monospace,monospace;padding:2px 4px}
.get{background:#2563eb}.post{background:#059669}.delete{background:#dc2626}.put,.patch{background:#d97706}`;
