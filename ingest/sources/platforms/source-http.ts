import { OrioleError } from '../../../src/core/index.ts';
import { describeFetchError, networkRefusal, readBodyWithin } from '../../web/index.ts';
import type { ConnectorDependencies } from '../connector.ts';

export interface SourceRequest {
  headers?: Record<string, string>;
  signal: AbortSignal;
}

export interface SourceResponse {
  status: number;
  headers: Headers;
  bytes: Uint8Array;
}

/** A platform API client's transport: GET with retries, time and size limits, errors as OrioleErrors. */
export interface SourceHttp {
  get(url: string | URL, request: SourceRequest): Promise<SourceResponse>;
  getJson<T>(url: string | URL, request: SourceRequest): Promise<T>;
}

export const defaultSourceHttpSettings = {
  timeoutMs: 30_000,
  maxBytes: 20 * 1024 * 1024,
  maxRetries: 4,
  userAgent: 'OrioleBot/0.1 (self-hosted knowledge-base sync)',
} as const;

/** Longest `Retry-After` honoured; a platform asking for more fails this run, and the next scheduled run tries again. */
export const maxRetryAfterMs = 120_000;

const baseBackoffMs = 500;

/**
 * GETs platform API URLs. A 429 or 5xx answer (or a connection error) is retried up to
 * `maxRetries` times, waiting what `Retry-After` asks (seconds or an HTTP date) or else
 * an exponential backoff with jitter; any other non-2xx answer fails at once with a
 * code a user can act on (401/403 → `forbidden`: check the credentials).
 */
export function createSourceHttp(dependencies: ConnectorDependencies): SourceHttp {
  const settings = {
    timeoutMs: dependencies.timeoutMs ?? defaultSourceHttpSettings.timeoutMs,
    maxBytes: dependencies.maxBytes ?? defaultSourceHttpSettings.maxBytes,
    maxRetries: dependencies.maxRetries ?? defaultSourceHttpSettings.maxRetries,
    userAgent: dependencies.userAgent ?? defaultSourceHttpSettings.userAgent,
    sleep: dependencies.sleep ?? abortableSleep,
  };

  async function get(url: string | URL, request: SourceRequest): Promise<SourceResponse> {
    const href = String(url);
    for (let attempt = 0; ; attempt += 1) {
      const answer = await requestOnce(href, request);
      const retryable = answer.kind === 'error' ? answer.retryable : answer.response.status === 429 || answer.response.status >= 500;
      if (!retryable || attempt >= settings.maxRetries) {
        if (answer.kind === 'error') throw answer.error;
        if (answer.response.status >= 200 && answer.response.status <= 299) return answer.response;
        throw statusError(href, answer.response, attempt);
      }
      const wait = answer.kind === 'response' ? retryAfterMs(answer.response.headers) : null;
      if (wait !== null && wait > maxRetryAfterMs) {
        throw new OrioleError('rate_limited', `${href} asked to wait ${Math.round(wait / 1000)} s before retrying; the next run tries again`, {
          details: { url: href, retryAfterMs: wait },
        });
      }
      await settings.sleep(wait ?? backoffMs(attempt), request.signal);
    }
  }

  type Attempt = { kind: 'response'; response: SourceResponse } | { kind: 'error'; error: OrioleError; retryable: boolean };

  async function requestOnce(href: string, request: SourceRequest): Promise<Attempt> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, settings.timeoutMs);
    const stop = () => controller.abort();
    if (request.signal.aborted) controller.abort();
    request.signal.addEventListener('abort', stop, { once: true });
    try {
      const response = await dependencies.fetch(href, {
        headers: { 'user-agent': settings.userAgent, accept: 'application/json', ...request.headers },
        signal: controller.signal,
      });
      const bytes = await readBodyWithin(response, settings.maxBytes);
      if (bytes === null) {
        return {
          kind: 'error',
          retryable: false,
          error: new OrioleError('payload_too_large', `${href} answered with more than ${settings.maxBytes} bytes`, { details: { url: href } }),
        };
      }
      return { kind: 'response', response: { status: response.status, headers: response.headers, bytes } };
    } catch (error) {
      if (error instanceof OrioleError) return { kind: 'error', error, retryable: false };
      if (request.signal.aborted) {
        return { kind: 'error', retryable: false, error: new OrioleError('upstream_unavailable', `the sync stopped before ${href} was read`, { cause: error }) };
      }
      const message = timedOut ? `${href} did not answer within ${settings.timeoutMs} ms` : `${href} could not be fetched: ${describeFetchError(error)}`;
      // A refusal by the network policy is final; a timeout or reset may pass on retry.
      const refused = networkRefusal(error);
      return {
        kind: 'error',
        retryable: !refused,
        error: refused ? refused : new OrioleError('upstream_unavailable', message, { details: { url: href }, cause: error }),
      };
    } finally {
      clearTimeout(timer);
      request.signal.removeEventListener('abort', stop);
    }
  }

  return {
    get,
    async getJson<T>(url: string | URL, request: SourceRequest): Promise<T> {
      const response = await get(url, request);
      try {
        return JSON.parse(new TextDecoder().decode(response.bytes)) as T;
      } catch (error) {
        throw new OrioleError('upstream_unavailable', `${String(url)} did not answer with JSON`, { details: { url: String(url) }, cause: error });
      }
    },
  };
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | null {
  const value = headers.get('retry-after')?.trim();
  if (!value) return null;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

function backoffMs(attempt: number): number {
  const ceiling = baseBackoffMs * 2 ** attempt;
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

function statusError(href: string, response: SourceResponse, retries: number): OrioleError {
  const { status } = response;
  const details = { url: href, status };
  const snippet = new TextDecoder().decode(response.bytes.subarray(0, 300)).replace(/\s+/g, ' ').trim();
  const said = snippet ? `: ${snippet}` : '';
  if (status === 401 || status === 403) {
    return new OrioleError('forbidden', `${href} refused the credentials (HTTP ${status}); check the source's token${said}`, { details });
  }
  if (status === 404 || status === 410) return new OrioleError('not_found', `${href} answered HTTP ${status}${said}`, { details });
  if (status === 429) {
    return new OrioleError('rate_limited', `${href} kept answering HTTP 429 after ${retries} retries`, { details });
  }
  if (status >= 500) {
    return new OrioleError('upstream_unavailable', `${href} answered HTTP ${status} after ${retries} retries${said}`, { details });
  }
  return new OrioleError('invalid_request', `${href} answered HTTP ${status}${said}`, { details });
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new OrioleError('upstream_unavailable', 'the sync stopped'));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new OrioleError('upstream_unavailable', 'the sync stopped'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
