import { OrioleError } from '../../src/core/index.ts';
import type { FetchFunction } from './crawl-settings.ts';
import { describeFetchError as describe, networkRefusal, readBodyWithin } from './response-body.ts';

export interface FetchResourceSettings {
  fetch: FetchFunction;
  userAgent: string;
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  /** Past `maxBytes`: keep the first `maxBytes` (robots.txt) instead of failing (pages). */
  truncate?: boolean;
  /** Aborts everything when the crawl stops. */
  signal: AbortSignal;
  /**
   * Decides on each redirect target before it is requested: null to follow it, a skip
   * reason to drop the request quietly, or an error to report.
   */
  admitRedirect: (target: URL, from: URL) => Promise<string | OrioleError | null>;
}

export type FetchOutcome =
  | { kind: 'fetched'; url: URL; bytes: Uint8Array; contentType: string | null }
  | { kind: 'failed'; url: URL; error: OrioleError; status?: number }
  | { kind: 'skipped'; url: URL; reason: string };

const redirectStatuses = new Set([301, 302, 303, 307, 308]);

/**
 * GETs a URL, following redirects by hand so every hop passes `admitRedirect` (host,
 * private-network and robots checks) before it is requested, and reads the body up to
 * `maxBytes`. Never throws: every way a request can go wrong is an outcome.
 */
export async function fetchResource(url: URL, settings: FetchResourceSettings): Promise<FetchOutcome> {
  let current = url;
  for (let hop = 0; ; hop += 1) {
    const answer = await requestOnce(current, settings);
    if (answer.kind !== 'redirect') return answer;
    if (hop >= settings.maxRedirects) {
      return failed(current, 'upstream_unavailable', `${url.href} redirected more than ${settings.maxRedirects} times`);
    }
    const target = answer.location;
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      return failed(current, 'upstream_unavailable', `${current.href} redirected to ${target.href}, which is not http(s)`);
    }
    const verdict = await settings.admitRedirect(target, current);
    if (verdict instanceof OrioleError) return { kind: 'failed', url: current, error: verdict };
    if (verdict !== null) return { kind: 'skipped', url: target, reason: verdict };
    current = target;
  }
}

type SingleAnswer = Exclude<FetchOutcome, { kind: 'skipped' }> | { kind: 'redirect'; location: URL };

async function requestOnce(url: URL, settings: FetchResourceSettings): Promise<SingleAnswer> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, settings.timeoutMs);
  const stop = () => controller.abort();
  if (settings.signal.aborted) controller.abort();
  settings.signal.addEventListener('abort', stop, { once: true });
  try {
    const response = await settings.fetch(url.href, {
      redirect: 'manual',
      headers: { 'user-agent': settings.userAgent, accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8' },
      signal: controller.signal,
    });
    if (redirectStatuses.has(response.status)) {
      await discard(response);
      const location = response.headers.get('location');
      const target = location === null ? null : parseUrl(location, url);
      if (target === null) {
        return failed(url, 'upstream_unavailable', `${url.href} answered HTTP ${response.status} without a usable Location`);
      }
      target.hash = '';
      return { kind: 'redirect', location: target };
    }
    if (response.status < 200 || response.status > 299) {
      await discard(response);
      return { ...failed(url, codeForStatus(response.status), `${url.href} answered HTTP ${response.status}`), status: response.status };
    }
    const bytes = await readBodyWithin(response, settings.maxBytes, settings.truncate === true);
    if (bytes === null) {
      return failed(url, 'payload_too_large', `${url.href} is larger than the ${settings.maxBytes}-byte limit per page`);
    }
    return { kind: 'fetched', url, bytes, contentType: mediaType(response.headers.get('content-type')) };
  } catch (error) {
    if (timedOut) {
      return failed(url, 'upstream_unavailable', `${url.href} did not answer within ${settings.timeoutMs} ms`, error);
    }
    if (settings.signal.aborted) return failed(url, 'upstream_unavailable', `the crawl stopped before ${url.href} was read`, error);
    const refused = networkRefusal(error);
    if (refused) return { kind: 'failed', url, error: refused };
    return failed(url, 'upstream_unavailable', `${url.href} could not be fetched: ${describe(error)}`, error);
  } finally {
    clearTimeout(timer);
    settings.signal.removeEventListener('abort', stop);
  }
}

function codeForStatus(status: number): OrioleError['code'] {
  if (status === 404 || status === 410) return 'not_found';
  if (status === 401 || status === 403) return 'forbidden';
  if (status === 429) return 'rate_limited';
  if (status >= 400 && status < 500) return 'invalid_request';
  return 'upstream_unavailable';
}

// An unread body keeps its connection busy; cancelling frees it.
async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}

/** `text/html; charset=utf-8` → `text/html`; null when absent. */
export function mediaType(header: string | null): string | null {
  const type = header?.split(';')[0]?.trim().toLowerCase();
  return type ? type : null;
}

function parseUrl(location: string, base: URL): URL | null {
  try {
    return new URL(location, base);
  } catch {
    return null;
  }
}

function failed(url: URL, code: OrioleError['code'], message: string, cause?: unknown): { kind: 'failed'; url: URL; error: OrioleError } {
  return { kind: 'failed', url, error: new OrioleError(code, message, cause === undefined ? { details: { url: url.href } } : { details: { url: url.href }, cause }) };
}
