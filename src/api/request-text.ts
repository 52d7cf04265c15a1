import type { Context, MiddlewareHandler } from 'hono';
import { OrioleError } from '../core/index.ts';
import { decodePercents, decodePercentsStrictly, repairText, textFlaw, textFlawDescriptions } from '../text/index.ts';
import type { AppEnvironment, TextRepair } from './context.ts';
import { requestLimits } from './limits.ts';
import { routePattern } from './observability.ts';

/**
 * The one edge check of request text, for every route, before any route reads it:
 * the path, every query key and value, and every key and string of a JSON body.
 * A NUL or a lone UTF-16 surrogate (JSON's `"\ud800"`), invalid UTF-8, a key named
 * `__proto__`, or JSON nested deeper than `requestLimits.jsonDepth` is a 400
 * `invalid_request` naming the first bad field. Left alone, these fail later as 500s
 * (PostgreSQL refuses NUL and unencodable text) or, for `__proto__`, vanish from a
 * parsed record and silently widen a filter. Document text is the exception: it is
 * indexed, not refused, so its flaws are repaired and reported (`documentTextFields`).
 */

/** JSON body fields holding the text of a document: repaired (U+FFFD for a lone surrogate, NULs removed), not refused. */
export const documentTextFields: readonly { method: string; path: string; field: string }[] = [
  { method: 'POST', path: '/documents', field: 'content' },
];

export interface TextIssue {
  /** Where the flaw is: `history.0.content`, `query.kb`, `path.id`, or `body` for the body as a whole. */
  path: string;
  message: string;
}

/** The content types whose bodies are checked here as JSON (application/json, application/*+json). */
export const jsonContentType = /^application\/(?:[\w.+-]+\+)?json\b/i;

export function validateRequestText(): MiddlewareHandler<AppEnvironment> {
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  return async function validateRequestText(context, next) {
    const target = requestTarget(context.req.url);
    // Printable ASCII without '%' decodes to itself and holds no flaw: most requests stop here.
    if (!plainTarget.test(target)) {
      const url = new URL(context.req.url);
      const issue = pathIssue(url.pathname, routePattern(context)) ?? queryIssue(url.search);
      if (issue) throw refusal(issue);
    }
    // The header first: reading `raw.body` makes Node's lightweight request build a full Request.
    if (jsonContentType.test(context.req.header('content-type') ?? '') && context.req.raw.body) {
      // Read once and cached by Hono; the route's json() then reads the text set below.
      const bytes = await context.req.arrayBuffer();
      // No body at all, as some clients send on DELETE with their default JSON header: nothing to check.
      if (bytes.byteLength === 0) return next();
      let text: string;
      try {
        text = utf8.decode(bytes);
      } catch {
        throw new OrioleError('invalid_request', 'The request body is not valid UTF-8');
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new OrioleError('invalid_request', 'Malformed JSON in request body');
      }
      const repairs = repairDocumentText(context, body);
      const bodyIssue = jsonIssue(body, requestLimits.jsonDepth);
      if (bodyIssue) throw refusal(bodyIssue);
      context.set('textRepairs', repairs);
      // The route parses these bytes again; repaired text replaces what was sent.
      // Hono's cache holds promises of bodies, though its type says otherwise.
      (context.req.bodyCache as { text?: Promise<string> }).text = Promise.resolve(repairs.length > 0 ? JSON.stringify(body) : text);
    }
    await next();
  };
}

/** Path and query, with no '%', control character or non-ASCII in them. */
const plainTarget = /^[\x20-\x24\x26-\x7e]*$/;

/** The path and query of a URL as sent (a fragment, which never reaches a server, cut off). */
function requestTarget(url: string): string {
  const start = url.indexOf('/', url.indexOf(':') + 3);
  const hash = url.indexOf('#', start);
  return start === -1 ? '' : url.slice(start, hash === -1 ? undefined : hash);
}

function refusal(issue: TextIssue): OrioleError {
  return new OrioleError('invalid_request', `Invalid request: ${issue.path}: ${issue.message}`, { details: { issues: [issue] } });
}

function repairDocumentText(context: Context<AppEnvironment>, body: unknown): TextRepair[] {
  if (!isRecord(body)) return [];
  const repairs: TextRepair[] = [];
  for (const { method, path, field } of documentTextFields) {
    if (context.req.method !== method || context.req.path !== path) continue;
    const value = body[field];
    if (typeof value !== 'string') continue;
    const repaired = repairText(value);
    if (repaired.replacedSurrogates === 0 && repaired.removedNuls === 0) continue;
    body[field] = repaired.text;
    repairs.push({ field, replacedSurrogates: repaired.replacedSurrogates, removedNuls: repaired.removedNuls });
  }
  return repairs;
}

/**
 * The first flaw in a parsed JSON body, in document order, or null. Walks with its own
 * stack, not recursion, so no nesting can overflow the call stack while checking it.
 */
export function jsonIssue(body: unknown, maxDepth: number): TextIssue | null {
  const stack: { value: unknown; path: string[]; depth: number }[] = [{ value: body, path: [], depth: 0 }];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'string') {
      const flaw = textFlaw(value);
      if (flaw) return { path: fieldName(path), message: textFlawDescriptions[flaw] };
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= maxDepth) {
      return { path: fieldName(path), message: `nested deeper than ${maxDepth} levels of objects and arrays` };
    }
    const isArray = Array.isArray(value);
    const entries: [string, unknown][] = isArray
      ? value.map((item, index) => [String(index), item])
      : Object.entries(value as Record<string, unknown>);
    const issue = isArray ? null : keysIssue(entries.map(([key]) => key), path);
    if (issue) return issue;
    for (let index = entries.length - 1; index >= 0; index -= 1) {
      const [key, item] = entries[index]!;
      stack.push({ value: item, path: [...path, key], depth: depth + 1 });
    }
  }
  return null;
}

function keysIssue(keys: readonly string[], path: readonly string[]): TextIssue | null {
  for (const key of keys) {
    const flaw = textFlaw(key);
    if (flaw) return { path: fieldName(path), message: `a key ${textFlawDescriptions[flaw]}` };
    // JSON.parse keeps it as an ordinary key, but copying the object (zod's records do) makes it the prototype: the entry vanishes.
    if (key === '__proto__') return { path: fieldName([...path, key]), message: 'the key __proto__ is not accepted' };
  }
  return null;
}

/** The route's name for each path segment (`/documents/{id}` names the second `path.id`). */
function pathIssue(rawPath: string, pattern: string): TextIssue | null {
  const names = pattern.split('/');
  const segments = rawPath.split('/');
  for (const [index, segment] of segments.entries()) {
    const parameter = /^\{(\w+)\}$/.exec(names[index] ?? '')?.[1];
    const field = parameter ? `path.${parameter}` : 'path';
    const flaw = decodingFlaw(segment);
    if (flaw) return { path: field, message: flaw };
  }
  return null;
}

function queryIssue(search: string): TextIssue | null {
  for (const pair of search.replace(/^\?/, '').split('&')) {
    if (pair === '') continue;
    const [rawKey = '', ...rest] = pair.split('=');
    const keyFlaw = decodingFlaw(rawKey);
    if (keyFlaw) return { path: 'query', message: `a key ${keyFlaw}` };
    const flaw = decodingFlaw(rest.join('='));
    if (flaw) return { path: `query.${decodePercents(rawKey)}`, message: flaw };
  }
  return null;
}

/** Why a percent-encoded URL component cannot be accepted as text, or null. */
function decodingFlaw(component: string): string | null {
  const decoded = decodePercentsStrictly(component.replace(/\+/g, ' '));
  if (decoded === null) return 'is not valid percent-encoded UTF-8';
  const flaw = textFlaw(decoded);
  return flaw ? textFlawDescriptions[flaw] : null;
}

function fieldName(path: readonly string[]): string {
  return path.length === 0 ? 'body' : path.join('.');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
