import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { ServiceMetrics } from '../core/index.ts';
import type { AppEnvironment, RequestLogger } from './context.ts';
import { clientClosedStatus, isClientAbort, toOrioleError } from './error-response.ts';

/** The route label of a request no route matched: raw paths never become label values. */
export const unmatchedRoute = 'unmatched';

const knownMethods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export interface ObservabilityOptions {
  metrics: ServiceMetrics;
  /** One JSON line per request; none logs nothing. */
  logger?: RequestLogger | undefined;
}

/**
 * Request metrics and the access log: one observation and one log line per request,
 * labelled by the route pattern that matched (`/documents/{id}`), never the raw path,
 * so the number of series stays bounded. A streamed answer counts until its response
 * starts; the answer metrics time the whole answer.
 */
export function observeRequests(options: ObservabilityOptions): MiddlewareHandler<AppEnvironment> {
  const { metrics, logger } = options;
  return async function observeRequests(context, next) {
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1000;
    const route = routePattern(context);
    const method = knownMethods.has(context.req.method) ? context.req.method : 'OTHER';
    const aborted = context.error !== undefined && isClientAbort(context, context.error);
    const status = aborted ? clientClosedStatus : context.res.status;
    metrics.observeRequest({ route, method, status, seconds });
    if (!logger) return;
    const level = aborted || status < 500 ? 'info' : 'error';
    // Below the logger's level the line is dropped anyway: skip building it.
    if (logger.isLevelEnabled && !logger.isLevelEnabled(level)) return;
    const fields: Record<string, unknown> = {
      requestId: context.get('requestId'),
      method,
      route,
      status,
      ms: Math.round(seconds * 10_000) / 10,
    };
    const kb = requestedKb(context);
    if (kb) fields.kb = kb;
    const keyId = principalKeyId(context);
    if (keyId) fields.keyId = keyId;
    // Hono keeps the error a handler threw; its code says why without the message's details.
    if (context.error && !aborted) fields.errorCode = toOrioleError(context.error).code;
    if (aborted) logger.info(fields, 'client closed the request before it was answered');
    else if (status >= 500) logger.error(fields, 'request failed');
    else logger.info(fields, 'request');
  };
}

/**
 * The pattern of the route that answered, or would have answered had a middleware
 * not stopped the request first (a body limit, an auth check); 'unmatched' when only
 * middleware matched. Patterns are written as in the OpenAPI document: `/documents/{id}`.
 */
export function routePattern(context: Context): string {
  const routes = matchedRoutes(context);
  const responding = routes[context.req.routeIndex];
  const route = responding && responding.method !== 'ALL' ? responding : routes.find((candidate) => candidate.method !== 'ALL');
  if (!route) return unmatchedRoute;
  let pattern = patterns.get(route.path);
  if (pattern === undefined) {
    pattern = route.path.replace(/:(\w+)(\{[^}]*\})?/g, '{$1}');
    // Route paths are the app's own, a bounded set; the guard only keeps a bug from growing it.
    if (patterns.size < 10_000) patterns.set(route.path, pattern);
  }
  return pattern;
}

/** Hono route path → OpenAPI-style pattern, computed once per route. */
const patterns = new Map<string, string>();

/** The knowledge base the request named (JSON body, form field or query), once validated by its route. */
function requestedKb(context: Context): string | undefined {
  const validated = context.req as unknown as { valid(target: string): unknown };
  for (const target of ['json', 'form', 'query']) {
    const data = validated.valid(target);
    if (data && typeof data === 'object' && 'kb' in data && typeof data.kb === 'string') return data.kb;
  }
  return undefined;
}

/** The API key's id when an authentication middleware set a `principal` (read loosely: it may not exist). */
function principalKeyId(context: Context): string | undefined {
  const principal: unknown = (context.var as Record<string, unknown>).principal;
  if (!principal || typeof principal !== 'object') return undefined;
  for (const field of ['keyId', 'id']) {
    const value = (principal as Record<string, unknown>)[field];
    if (typeof value === 'string') return value;
  }
  return undefined;
}
