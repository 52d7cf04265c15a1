import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { isWidgetRoute, widgetRoutes } from './auth.ts';
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

/**
 * CORS answered per key, for widget keys (docs/auth.md, "Widget keys"). Registered
 * before `corsFor` and authentication, whatever ORIOLE_CORS_ORIGINS says:
 *
 * - A preflight of a widget route (POST /answer, POST /feedback) is allowed for any
 *   origin. It carries no key, so it cannot be decided per key; allowing it grants
 *   nothing, because the real request is still refused (403, no CORS headers) unless
 *   its key lists that origin, and no credentials are allowed (Oriole never uses
 *   cookies, so a reflected origin cannot ride on a visitor's session).
 * - The real request's response is shared with its origin when auth accepted a widget
 *   key from it (`keyOrigin`), refusals included, so the widget can show why.
 */
export function corsForWidgetKeys(): MiddlewareHandler<AppEnvironment> {
  const allowMethods = [...new Set(widgetRoutes.map((route) => route.method)), 'OPTIONS'].join(',');
  return async function allowWidgetKeyOrigins(context, next) {
    const origin = context.req.header('origin');
    const requestedMethod = context.req.header('access-control-request-method');
    if (context.req.method === 'OPTIONS' && origin !== undefined && requestedMethod !== undefined) {
      if (isWidgetRoute(requestedMethod.toUpperCase(), context.req.path)) {
        return context.body(null, 204, {
          'Access-Control-Allow-Origin': origin,
          'Access-Control-Allow-Methods': allowMethods,
          'Access-Control-Allow-Headers': allowHeaders.join(','),
          'Access-Control-Max-Age': String(preflightMaxAgeSeconds),
          Vary: 'Origin',
        });
      }
      return next();
    }
    await next();
    const keyOrigin = context.get('keyOrigin');
    if (keyOrigin === undefined) return;
    context.header('Access-Control-Allow-Origin', keyOrigin);
    context.header('Access-Control-Expose-Headers', exposeHeaders.join(','));
    if (!(context.res.headers.get('Vary') ?? '').includes('Origin')) context.header('Vary', 'Origin', { append: true });
  };
}
