import { UnstructuredClient } from 'unstructured-client';
import { LoggerHook } from 'unstructured-client/hooks/custom/LoggerHook.js';
import { SplitPdfHook } from 'unstructured-client/hooks/custom/SplitPdfHook.js';
import { SDKHooks } from 'unstructured-client/hooks/hooks.js';
import { HTTPClient } from 'unstructured-client/lib/http.js';
import {
  ConnectionError,
  HTTPValidationError,
  RequestTimeoutError,
  ServerError,
  UnstructuredClientError,
} from 'unstructured-client/sdk/models/errors';
import { Strategy } from 'unstructured-client/sdk/models/shared';
import { z } from 'zod';
import type { Loader, LoaderInput, ParsedDocument } from '../../src/core/index.ts';
import { OrioleError } from '../../src/core/index.ts';
import { decodePercents } from '../../src/text/index.ts';
import { elementsToDocument, unstructuredElementSchema } from './elements-to-document.ts';
import { unstructuredContentTypes, unstructuredFileExtensions } from './unstructured-content-types.ts';

export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export type UnstructuredStrategy = 'fast' | 'hi_res' | 'auto';

export interface UnstructuredLoaderOptions {
  /**
   * The API's base URL (UNSTRUCTURED_API_URL): `https://api.unstructuredapp.io`, or a
   * self-hosted `http://localhost:8000`. The full endpoint URL, ending in
   * `/general/v0/general` as Unstructured's docs write it, is accepted too.
   */
  apiUrl: string;
  /** Sent as `unstructured-api-key` (UNSTRUCTURED_API_KEY); a self-hosted API may need none. */
  apiKey?: string;
  /** The MIME types this loader takes; `unstructuredContentTypes` by default. */
  contentTypes?: readonly string[];
  /** Injected HTTP client; the global `fetch` by default. */
  fetch?: FetchFunction;
  /** Per attempt. Partitioning a large deck can take minutes. */
  timeoutMs?: number;
  /** Attempts per document, the first included; only retryable failures are tried again. */
  maxAttempts?: number;
  /** Wait before the first retry; doubled for each further one, or the server's Retry-After. */
  retryDelayMs?: number;
  /**
   * Partitioning strategy. Unset: `fast` for documents (rule-based, ~100× faster than
   * the layout model) and `hi_res` for images, which `fast` cannot read.
   */
  strategy?: UnstructuredStrategy;
}

export const defaultUnstructuredSettings = {
  timeoutMs: 120_000,
  maxAttempts: 3,
  retryDelayMs: 1_000,
  /** Cap on any single wait, Retry-After included, so one document cannot stall ingestion. */
  maxRetryDelayMs: 30_000,
} as const;

const strategies = { fast: Strategy.Fast, hi_res: Strategy.HiRes, auto: Strategy.Auto } as const satisfies Record<
  UnstructuredStrategy,
  Strategy
>;

/** The SDK's default path, stripped from an apiUrl given as the full endpoint. */
const partitionPath = '/general/v0/general';

const responseSchema = z.array(unstructuredElementSchema);

/**
 * A Loader that sends the file to Unstructured's partition endpoint through the
 * `unstructured-client` SDK and maps the returned elements to blocks. The SDK's own
 * retries (up to 30 minutes of backoff by default) are off; this loader retries
 * 408, 429, 5xx and connection failures itself, `maxAttempts` times in all.
 * A timeout is not retried: a document that took too long will take too long again.
 *
 * Errors: a rejected key (401/403) → `upstream_unavailable`; a file Unstructured
 * cannot read (400/422) → `invalid_request`; 5xx, network, timeout → `upstream_unavailable`.
 */
export function createUnstructuredLoader(options: UnstructuredLoaderOptions): Loader {
  const serverUrl = parseApiUrl(options.apiUrl);
  const timeoutMs = options.timeoutMs ?? defaultUnstructuredSettings.timeoutMs;
  const maxAttempts = options.maxAttempts ?? defaultUnstructuredSettings.maxAttempts;
  const retryDelayMs = options.retryDelayMs ?? defaultUnstructuredSettings.retryDelayMs;
  for (const [name, value, minimum] of [
    ['timeoutMs', timeoutMs, 1],
    ['maxAttempts', maxAttempts, 1],
    ['retryDelayMs', retryDelayMs, 0],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < minimum) {
      throw new OrioleError('config_invalid', `Unstructured ${name} must be a whole number of at least ${minimum}`, {
        details: { option: name },
      });
    }
  }
  const injectedFetch = options.fetch;
  const sdkOptions = {
    serverURL: serverUrl,
    security: options.apiKey === undefined ? undefined : { apiKeyAuth: options.apiKey },
    httpClient: new HTTPClient(injectedFetch === undefined ? {} : { fetcher: (input, init) => injectedFetch(input, init) }),
    retryConfig: { strategy: 'none' } as const,
    timeoutMs,
    hooks: quietHooks(),
  };
  const client = new UnstructuredClient(sdkOptions);

  async function partitionOnce(input: LoaderInput, contentType: string | undefined): Promise<unknown> {
    const fileName = fileNameFor(input.source, contentType);
    const file = new File([input.bytes as Uint8Array<ArrayBuffer>], fileName, { type: contentType ?? '' });
    return client.general.partition(
      {
        partitionParameters: {
          files: file,
          strategy: strategies[options.strategy ?? (contentType?.startsWith('image/') ? 'hi_res' : 'fast')],
          // Splitting is for large PDFs, which Oriole parses itself; it also brings its own unbounded retries.
          splitPdfPage: false,
        },
      },
      // Passed per call as well: the SDK resets the client-wide URL's path to '/'.
      { retries: { strategy: 'none' }, serverURL: serverUrl, timeoutMs },
    );
  }

  return {
    contentTypes: options.contentTypes ?? unstructuredContentTypes,
    async load(input: LoaderInput): Promise<ParsedDocument> {
      const contentType = mediaType(input.contentType);
      for (let attempt = 1; ; attempt += 1) {
        let answer: unknown;
        try {
          answer = await partitionOnce(input, contentType);
        } catch (error) {
          const retryable = isRetryable(error);
          if (retryable && attempt < maxAttempts) {
            await sleep(retryDelay(error, attempt, retryDelayMs));
            continue;
          }
          throw toOrioleError(error, input.source, serverUrl, timeoutMs, attempt);
        }
        const elements = responseSchema.safeParse(answer);
        if (!elements.success) {
          throw new OrioleError('upstream_unavailable', `Unstructured answered '${input.source}' with something other than a list of elements`, {
            details: { source: input.source },
          });
        }
        const filetype = elements.data.find((element) => element.metadata.filetype !== undefined)?.metadata.filetype;
        return elementsToDocument(elements.data, contentType ?? filetype ?? 'application/octet-stream');
      }
    },
  };
}

/**
 * The SDK's hooks without the two that print to the console on every error status
 * (outside Oriole's logs, and about retries Oriole does not make). PDF splitting, the
 * other's job, is off anyway. The SDK takes `hooks` in its options for its own
 * sub-clients; it is not in the option type.
 */
function quietHooks(): SDKHooks {
  const hooks = new SDKHooks();
  const keep = (hook: object) => !(hook instanceof LoggerHook) && !(hook instanceof SplitPdfHook);
  hooks.sdkInitHooks = hooks.sdkInitHooks.filter(keep);
  hooks.beforeRequestHooks = hooks.beforeRequestHooks.filter(keep);
  hooks.afterSuccessHooks = hooks.afterSuccessHooks.filter(keep);
  hooks.afterErrorHooks = hooks.afterErrorHooks.filter(keep);
  return hooks;
}

function parseApiUrl(apiUrl: string): string {
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch {
    url = new URL('invalid:');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new OrioleError('config_invalid', `Unstructured apiUrl '${apiUrl}' is not an http(s) URL (set UNSTRUCTURED_API_URL)`, {
      details: { option: 'apiUrl', variable: 'UNSTRUCTURED_API_URL' },
    });
  }
  url.search = '';
  url.hash = '';
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = path.endsWith(partitionPath) ? path.slice(0, -partitionPath.length) || '/' : path || '/';
  return url.href.replace(/\/$/, '');
}

function statusOf(error: unknown): number | null {
  return error instanceof UnstructuredClientError ? error.statusCode : null;
}

function isRetryable(error: unknown): boolean {
  if (error instanceof ConnectionError) return true;
  const status = statusOf(error);
  return status !== null && (status === 408 || status === 429 || status >= 500);
}

function retryDelay(error: unknown, attempt: number, retryDelayMs: number): number {
  const retryAfter = error instanceof UnstructuredClientError ? Number(error.headers.get('retry-after') ?? Number.NaN) : Number.NaN;
  const wait = Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : retryDelayMs * 2 ** (attempt - 1);
  return Math.min(wait, defaultUnstructuredSettings.maxRetryDelayMs);
}

function toOrioleError(error: unknown, source: string, serverUrl: string, timeoutMs: number, attempts: number): OrioleError {
  const details = { source, attempts };
  const options = { details, cause: error };
  if (error instanceof RequestTimeoutError) {
    return new OrioleError('upstream_unavailable', `Unstructured did not partition '${source}' within ${timeoutMs} ms`, options);
  }
  if (error instanceof ConnectionError) {
    return new OrioleError('upstream_unavailable', `Unstructured at ${serverUrl} could not be reached (${attempts} attempts)`, options);
  }
  const status = statusOf(error);
  if (status === 401 || status === 403) {
    return new OrioleError('upstream_unavailable', 'Unstructured rejected the API key (check UNSTRUCTURED_API_KEY)', {
      details: { ...details, status },
      cause: error,
    });
  }
  if (status === 400 || status === 415 || status === 422) {
    return new OrioleError('invalid_request', `Unstructured could not partition '${source}': ${detailOf(error)}`, {
      details: { ...details, status },
      cause: error,
    });
  }
  if (status === 413) {
    return new OrioleError('payload_too_large', `Unstructured refused '${source}' as too large`, { details: { ...details, status }, cause: error });
  }
  if (status === 429) {
    return new OrioleError('rate_limited', `Unstructured is rate limiting requests (${attempts} attempts for '${source}')`, {
      details: { ...details, status },
      cause: error,
    });
  }
  if (status !== null) {
    return new OrioleError('upstream_unavailable', `Unstructured answered HTTP ${status} for '${source}' (${attempts} attempts): ${detailOf(error)}`, {
      details: { ...details, status },
      cause: error,
    });
  }
  return new OrioleError('upstream_unavailable', `Unstructured could not be asked to partition '${source}': ${String(error)}`, options);
}

/** The API's `detail`: a sentence, or FastAPI's list of field problems. */
function detailOf(error: unknown): string {
  if (error instanceof HTTPValidationError) {
    const { detail } = error;
    if (typeof detail === 'string') return detail;
    if (Array.isArray(detail) && detail.length > 0) {
      return detail.map((problem) => `${problem.loc.join('.')}: ${problem.msg}`).join('; ');
    }
  }
  if (error instanceof ServerError && error.detail !== undefined) return error.detail;
  if (error instanceof UnstructuredClientError) return error.body.slice(0, 300) || `HTTP ${error.statusCode}`;
  return String(error);
}

/** A name Unstructured can route on: the source's last path segment, with an extension. */
function fileNameFor(source: string, contentType: string | undefined): string {
  let path = source;
  try {
    path = new URL(source).pathname;
  } catch {
    // A relative path such as 'slides/q3-review.pptx'.
  }
  const last = path.split(/[?#]/)[0]?.split('/').filter((segment) => segment !== '').at(-1) ?? '';
  const name = decodePercents(last).replace(/[\\/:*?"<>|\r\n]/g, '_') || 'document';
  const extension = contentType === undefined ? undefined : (unstructuredFileExtensions as Record<string, string>)[contentType];
  return extension !== undefined && !/\.[a-z0-9]{1,8}$/i.test(name) ? `${name}.${extension}` : name;
}

function mediaType(contentType: string | undefined): string | undefined {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  return type ? type : undefined;
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
