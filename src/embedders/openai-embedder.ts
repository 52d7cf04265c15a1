import { z } from 'zod';
import { OrioleError } from '../core/index.ts';
import type { Embedder } from '../core/index.ts';
import { l2Normalize } from './l2-normalize.ts';
import { lexicalOnlyFix, modelLoadError } from './model-load-error.ts';

/**
 * `openai:<model>`: any OpenAI-compatible `POST /embeddings` (OpenAI, Ollama, vLLM,
 * TEI, llama.cpp). Web-standard APIs only (fetch, AbortSignal, timers), so the
 * Workers build can use it too.
 */

export interface OpenAIEmbedderOptions {
  /** OPENAI_API_KEY; required for api.openai.com, optional for self-hosted servers. */
  apiKey?: string;
  /** OPENAI_BASE_URL, e.g. 'http://localhost:11434/v1' for Ollama. */
  baseUrl?: string;
  fetch?: typeof fetch;
}

export interface OpenAIEmbedderSettings {
  /** Inputs per request; well under OpenAI's 2048-input and 300k-token request limits for chunk-sized texts. */
  maxBatchSize: number;
  /** One attempt's limit, response body included. */
  requestTimeoutMs: number;
  /** Attempts after the first, for retryable failures only. */
  maxRetries: number;
  /** Backoff before retry n is up to retryBaseDelayMs·2ⁿ, jittered, and at most retryMaxDelayMs. */
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  /** A Retry-After longer than this is not waited for; the usual backoff applies instead. */
  maxRetryAfterMs: number;
}

export const defaultOpenAIEmbedderSettings: OpenAIEmbedderSettings = {
  maxBatchSize: 96,
  requestTimeoutMs: 60_000,
  maxRetries: 4,
  retryBaseDelayMs: 500,
  retryMaxDelayMs: 20_000,
  maxRetryAfterMs: 60_000,
};

export const defaultOpenAIBaseUrl = 'https://api.openai.com/v1';

/** Only the fields read; anything else the server sends is ignored. */
const embeddingsResponseSchema = z.object({
  data: z.array(z.object({ index: z.number().int().nonnegative(), embedding: z.array(z.number()) })),
});
const errorResponseSchema = z.object({ error: z.object({ message: z.string() }) });

/** The vector length comes from a one-text probe request made here, so `dimension` is known before the first use. */
export async function createOpenAIEmbedder(
  model: string,
  options: OpenAIEmbedderOptions = {},
  settings: OpenAIEmbedderSettings = defaultOpenAIEmbedderSettings,
): Promise<Embedder> {
  const spec = `openai:${model}`;
  const baseUrl = (options.baseUrl ?? defaultOpenAIBaseUrl).replace(/\/+$/, '');
  if (options.apiKey === undefined && options.baseUrl === undefined) {
    throw new OrioleError(
      'config_invalid',
      `Embedder '${spec}' needs an API key for ${defaultOpenAIBaseUrl}: set OPENAI_API_KEY (option openai.apiKey), ` +
        `or OPENAI_BASE_URL (option openai.baseUrl) for a server that needs none.`,
      { details: { embedder: spec, variables: ['OPENAI_API_KEY', 'OPENAI_BASE_URL'] } },
    );
  }
  const request = embeddingsRequester({
    url: `${baseUrl}/embeddings`,
    model,
    apiKey: options.apiKey,
    fetch: options.fetch ?? globalThis.fetch,
    settings,
  });

  let dimension: number;
  try {
    const [probe] = await request(['dimension probe']);
    dimension = probe!.length;
  } catch (error) {
    if (!(error instanceof OrioleError)) throw error;
    const fix = `Check that ${baseUrl} serves the model '${model}' (OPENAI_BASE_URL, OPENAI_API_KEY). ${lexicalOnlyFix}`;
    throw modelLoadError(spec, error.message, fix, error, error.details);
  }

  async function embed(texts: string[]): Promise<number[][]> {
    const vectors: number[][] = [];
    for (let start = 0; start < texts.length; start += settings.maxBatchSize) {
      const batch = await request(texts.slice(start, start + settings.maxBatchSize));
      for (const vector of batch) {
        if (vector.length !== dimension) {
          throw upstreamError(`${spec} returned a vector of ${vector.length} numbers; expected ${dimension}`, {});
        }
        vectors.push(vector);
      }
    }
    return vectors;
  }

  return {
    id: spec,
    dimension,
    maxBatchSize: settings.maxBatchSize,
    embedDocuments: embed,
    embedQuery: async (text) => (await embed([text]))[0]!,
  };
}

interface RequesterInput {
  url: string;
  model: string;
  apiKey: string | undefined;
  fetch: typeof fetch;
  settings: OpenAIEmbedderSettings;
}

type AttemptFailure = { error: OrioleError; retryable: boolean; retryAfterMs?: number | undefined };

function embeddingsRequester({ url, model, apiKey, fetch, settings }: RequesterInput) {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (apiKey !== undefined) headers.Authorization = `Bearer ${apiKey}`;

  async function attempt(input: string[]): Promise<number[][] | AttemptFailure> {
    let response: Response;
    let body: unknown;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers,
        // OpenAI refuses an empty string as an input; a space embeds as "nothing" just the same.
        body: JSON.stringify({ model, input: input.map((text) => (text === '' ? ' ' : text)) }),
        signal: AbortSignal.timeout(settings.requestTimeoutMs),
      });
      if (!response.ok) {
        const status = response.status;
        const detail = await errorDetail(response);
        return {
          error: upstreamError(`Embedding request to ${url} failed with HTTP ${status}${detail}`, { status }),
          retryable: isRetryableStatus(status),
          retryAfterMs: retryAfterMs(response.headers),
        };
      }
      const text = await response.text();
      try {
        body = JSON.parse(text);
      } catch {
        return { error: upstreamError(`Embedding response from ${url} is not JSON`, { status: response.status }), retryable: false };
      }
    } catch (error) {
      // Connection refused or reset, DNS failure, timeout: transient as far as we can tell.
      return { error: upstreamError(`Embedding request to ${url} failed: ${networkReason(error)}`, {}, error), retryable: true };
    }
    const parsed = embeddingsResponseSchema.safeParse(body);
    if (!parsed.success) {
      return { error: upstreamError(`Embedding response from ${url} has an unexpected shape`, {}), retryable: false };
    }
    const vectors = new Array<number[] | undefined>(input.length).fill(undefined);
    for (const item of parsed.data.data) {
      if (item.index >= input.length || vectors[item.index]) {
        return { error: upstreamError(`Embedding response from ${url} has a wrong or repeated index ${item.index}`, {}), retryable: false };
      }
      vectors[item.index] = l2Normalize(item.embedding);
    }
    if (vectors.some((vector) => vector === undefined)) {
      const received = parsed.data.data.length;
      return { error: upstreamError(`Embedding response from ${url} has ${received} vectors for ${input.length} inputs`, {}), retryable: false };
    }
    return vectors as number[][];
  }

  return async function request(input: string[]): Promise<number[][]> {
    if (input.length === 0) return [];
    for (let retry = 0; ; retry += 1) {
      const outcome = await attempt(input);
      if (Array.isArray(outcome)) return outcome;
      if (!outcome.retryable) throw outcome.error;
      if (retry >= settings.maxRetries) {
        throw upstreamError(
          `${outcome.error.message} (gave up after ${retry + 1} attempts)`,
          { ...outcome.error.details, attempts: retry + 1 },
          outcome.error.cause,
        );
      }
      await sleep(retryDelayMs(retry, outcome.retryAfterMs, settings));
    }
  };
}

/** 408 timeout, 409 conflict (lock), 429 rate limit and 5xx are worth another try; other 4xx will fail the same way again. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

function retryDelayMs(retry: number, retryAfter: number | undefined, settings: OpenAIEmbedderSettings): number {
  if (retryAfter !== undefined && retryAfter <= settings.maxRetryAfterMs) return retryAfter;
  const ceiling = Math.min(settings.retryMaxDelayMs, settings.retryBaseDelayMs * 2 ** retry);
  // Jitter spreads out clients that failed together, so they do not retry together.
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** `retry-after-ms` (OpenAI), else `Retry-After` in seconds or as an HTTP date. */
function retryAfterMs(headers: Headers): number | undefined {
  const milliseconds = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(milliseconds) && milliseconds >= 0) return milliseconds;
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

async function errorDetail(response: Response): Promise<string> {
  const maxDetailLength = 300;
  try {
    const text = await response.text();
    let message = text;
    try {
      const parsed = errorResponseSchema.safeParse(JSON.parse(text));
      if (parsed.success) message = parsed.data.error.message;
    } catch {
      // Not JSON: the text itself is the detail.
    }
    const trimmed = message.trim().replace(/\s+/g, ' ').slice(0, maxDetailLength);
    return trimmed === '' ? '' : `: ${trimmed}`;
  } catch {
    return '';
  }
}

function networkReason(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError') return 'no response in time';
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}

function upstreamError(message: string, details: Record<string, unknown>, cause?: unknown): OrioleError {
  return new OrioleError('upstream_unavailable', message, { details, cause });
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
