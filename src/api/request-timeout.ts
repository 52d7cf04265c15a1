import type { MiddlewareHandler } from 'hono';
import { OrioleError } from '../core/index.ts';
import type { AppEnvironment } from './context.ts';

/**
 * Uploads are exempt: their time is mostly the client's sending, bounded by the body
 * limit and the server's own request timeout (Node's `requestTimeout`, 5 minutes).
 */
const exempt = (method: string, path: string) => method === 'POST' && path === '/documents';

/**
 * Stops a request that has not produced its response within `timeoutMs`: 503
 * `upstream_unavailable`, and the request's signal is aborted so the work it started
 * (routes pass `context.req.raw.signal` on) stops too. A streamed response counts as
 * produced once its stream opens; the LLM's own timeouts bound the rest.
 */
export function requestTimeout(timeoutMs: number): MiddlewareHandler<AppEnvironment> {
  return async function limitRequestTime(context, next) {
    if (exempt(context.req.method, context.req.path)) return next();
    const deadline = new AbortController();
    const original = context.req.raw;
    // The same request with a signal that also fires at the deadline; a client that goes away still aborts it.
    context.req.raw = new Request(original, { signal: AbortSignal.any([original.signal, deadline.signal]) });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new OrioleError(
          'upstream_unavailable',
          `The request took longer than ${timeoutMs} ms and was stopped; try again, or ask the operator to raise ORIOLE_REQUEST_TIMEOUT_MS`,
          { details: { timeoutMs } },
        );
        deadline.abort(error);
        reject(error);
      }, timeoutMs);
    });
    try {
      await Promise.race([next(), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  };
}
