import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import type { AppEnvironment } from './context.ts';

/** What a browser frontend may send and read (docs/limits.md, "CORS"). */
const allowHeaders = ['Authorization', 'Content-Type', 'X-Request-Id', 'Accept'];
const exposeHeaders = ['X-Request-Id', 'Retry-After', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'];
const allowMethods = ['GET', 'POST', 'DELETE', 'OPTIONS'];
/** Browsers cache a preflight this long (seconds); Chromium caps it at 2 hours. */
const preflightMaxAgeSeconds = 600;

/**
 * CORS for chat frontends on other origins. Registered before authentication: a
 * preflight (OPTIONS) carries no Authorization header and is answered here, 204,
 * without reaching auth or a route. An origin not on the list gets no CORS headers.
 */
export function corsFor(origins: readonly string[]): MiddlewareHandler<AppEnvironment> {
  const any = origins.includes('*');
  const allowed = new Set(origins);
  const handler = cors({
    origin: any ? '*' : (origin) => (allowed.has(origin) ? origin : null),
    allowHeaders,
    exposeHeaders,
    allowMethods,
    maxAge: preflightMaxAgeSeconds,
  });
  return async function allowCrossOrigin(context, next) {
    const origin = context.req.header('origin');
    if (!any && (origin === undefined || !allowed.has(origin))) {
      // A preflight from another origin: answered without CORS headers, so the browser refuses the real request.
      if (context.req.method === 'OPTIONS' && context.req.header('access-control-request-method')) {
        return context.body(null, 204, { Vary: 'Origin' });
      }
      // Caches must not serve one origin's allowed response to another.
      await next();
      context.header('Vary', 'Origin', { append: true });
      return;
    }
    return handler(context, next);
  };
}
