import type { Context, MiddlewareHandler } from 'hono';
import { OrioleError } from '../core/index.ts';
import type { AppEnvironment } from './context.ts';

/**
 * Uploads are exempt: their time is mostly the client's sending, bounded by the body
 * limit and the server's own request timeout (Node's `requestTimeout`, 5 minutes).
 */
const exempt = (method: string, path: string) => method === 'POST' && path === '/documents';

/**
 * Stops a request that has not produced its response within `timeoutMs`: 503
 * `upstream_unavailable`, and the request's signal (`requestSignal`) is aborted so the
 * work it started stops too. A streamed response counts as produced once its stream
 * opens; the LLM's own timeouts bound the rest.
 *
 * The request itself is left alone: rebuilding it with a combined signal made every
 * request, /health included, materialise a full WHATWG Request (a third of the
 * per-request floor in the profile); routes that pass a signal on ask `requestSignal`.
 */
export function requestTimeout(timeoutMs: number): MiddlewareHandler<AppEnvironment> {
  return async function limitRequestTime(context, next) {
    if (exempt(context.req.method, context.req.path)) return next();
    // Made only when a route asks for the request's signal: most requests never do.
    let deadline: AbortController | undefined;
    context.set('deadline', () => (deadline ??= new AbortController()).signal);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new OrioleError(
          'upstream_unavailable',
          `The request took longer than ${timeoutMs} ms and was stopped; try again, or ask the operator to raise ORIOLE_REQUEST_TIMEOUT_MS`,
          { details: { timeoutMs } },
        );
        (deadline ??= new AbortController()).abort(error);
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

/**
 * The signal work started by a request listens to: it fires when the client goes away
 * and, behind `requestTimeout`, at the deadline. Built on first use, once a request.
 */
export function requestSignal(context: Context<AppEnvironment>): AbortSignal {
  const built = context.get('signal');
  if (built) return built;
  const deadline = context.get('deadline');
  const signal = deadline ? AbortSignal.any([context.req.raw.signal, deadline()]) : context.req.raw.signal;
  context.set('signal', signal);
  return signal;
}
