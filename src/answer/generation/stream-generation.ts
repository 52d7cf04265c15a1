import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { AIMessageChunk, BaseMessageChunk } from '@langchain/core/messages';
import { OrioleError, type TokenUsage } from '../../core/index.ts';

/**
 * Text generation with Oriole's own timeout and retry policy on top of any LangChain
 * chat model. Every failure of the model becomes `upstream_unavailable` (the caller
 * falls back to extractive answers on that code); a caller's abort is passed through
 * unchanged as the signal's reason.
 */

/**
 * One message of a prompt, in the role/content shape every LangChain chat model accepts.
 * Plain objects rather than LangChain's message classes: building a prompt then loads none
 * of LangChain (about 250 modules), so commands that never call a model start faster.
 */
export type ChatMessage = {
  role: 'system' | 'user' | 'assistant';
  content: string;
};

export const systemMessage = (content: string): ChatMessage => ({ role: 'system', content });
export const userMessage = (content: string): ChatMessage => ({ role: 'user', content });

export interface GenerationOptions {
  /** The client went away: cancel the upstream request and stop. */
  signal?: AbortSignal;
  /** The whole generation, retries and backoff included, from call to last token. */
  timeoutMs: number;
  /** Per attempt: from sending the request to the first text delta. Default: only `timeoutMs` applies. */
  firstTokenTimeoutMs?: number;
  /** Attempts in all, for retryable failures before the first token. Default 3. */
  maxAttempts?: number;
  /** Backoff before retry n is up to retryBaseDelayMs·2ⁿ⁻¹, jittered, and at most retryMaxDelayMs. */
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
  /**
   * Told the token counts the model reports (LangChain's `usage_metadata`, which ChatOpenAI
   * fills from the last chunk of a stream asked for `include_usage`); once per successful attempt.
   */
  onUsage?: (usage: TokenUsage) => void;
}

export const defaultGenerationRetry = {
  maxAttempts: 3,
  retryBaseDelayMs: 250,
  retryMaxDelayMs: 2_000,
} as const;

/** Yields the model's text deltas as they arrive. */
export async function* streamGeneration(
  model: BaseChatModel,
  messages: ChatMessage[],
  options: GenerationOptions,
): AsyncGenerator<string, void, undefined> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? defaultGenerationRetry.maxAttempts);
  const callerSignal = options.signal;
  callerSignal?.throwIfAborted();

  const deadline = new AbortController();
  const startedAt = Date.now();
  const deadlineTimer = setTimeout(() => deadline.abort(), options.timeoutMs);
  let tokensYielded = false;

  try {
    for (let attempt = 1; ; attempt += 1) {
      const request = new AbortController();
      const cancel = () => request.abort();
      callerSignal?.addEventListener('abort', cancel, { once: true });
      deadline.signal.addEventListener('abort', cancel, { once: true });
      if (callerSignal?.aborted || deadline.signal.aborted) cancel();

      let firstTokenExpired = false;
      const firstTokenTimer =
        options.firstTokenTimeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              firstTokenExpired = true;
              cancel();
            }, options.firstTokenTimeoutMs);

      let iterator: AsyncIterator<BaseMessageChunk> | undefined;
      let failure: UpstreamFailure;
      try {
        const stream = await untilAborted(model.stream(messages, { signal: request.signal }), request.signal);
        iterator = stream[Symbol.asyncIterator]();
        for (;;) {
          const next = await untilAborted(iterator.next(), request.signal);
          if (next.done === true) return;
          reportUsage(next.value, options.onUsage);
          const text = textOf(next.value);
          if (text === '') continue;
          clearTimeout(firstTokenTimer);
          tokensYielded = true;
          yield text;
        }
      } catch (error) {
        if (callerSignal?.aborted) throw callerSignal.reason;
        if (deadline.signal.aborted) throw timeoutError(options.timeoutMs, 'total', tokensYielded, error);
        if (firstTokenExpired) throw timeoutError(options.firstTokenTimeoutMs!, 'first_token', false, error);
        if (error instanceof OrioleError) throw error;
        // The HTTP client's own per-request limit (createChatModel's timeoutMs).
        if (isTimeoutError(error)) throw timeoutError(undefined, 'request', tokensYielded, error);
        failure = describeFailure(error);
      } finally {
        clearTimeout(firstTokenTimer);
        callerSignal?.removeEventListener('abort', cancel);
        deadline.signal.removeEventListener('abort', cancel);
        // Cancels the HTTP request when the consumer stopped early or an attempt failed.
        request.abort();
        iterator?.return?.().catch(() => undefined);
      }

      const retryDelay = failure.retryable ? retryDelayMs(attempt, failure.retryAfterMs, options) : undefined;
      const remainingMs = options.timeoutMs - (Date.now() - startedAt);
      if (retryDelay === undefined || tokensYielded || attempt >= maxAttempts || retryDelay >= remainingMs) {
        throw failure.toError({ attempts: attempt, partial: tokensYielded });
      }
      const waited = await pause(retryDelay, callerSignal, deadline.signal);
      if (!waited) {
        if (callerSignal?.aborted) throw callerSignal.reason;
        throw timeoutError(options.timeoutMs, 'total', false, undefined);
      }
    }
  } finally {
    clearTimeout(deadlineTimer);
  }
}

function reportUsage(chunk: BaseMessageChunk, onUsage: GenerationOptions['onUsage']): void {
  if (!onUsage || !('usage_metadata' in chunk)) return;
  const usage = (chunk as AIMessageChunk).usage_metadata;
  if (!usage) return;
  onUsage({ inputTokens: usage.input_tokens, outputTokens: usage.output_tokens, totalTokens: usage.total_tokens });
}

/** The whole text of one generation (streamed underneath, so the same timeouts and retries apply). */
export async function generateText(model: BaseChatModel, messages: ChatMessage[], options: GenerationOptions): Promise<string> {
  let text = '';
  for await (const delta of streamGeneration(model, messages, options)) text += delta;
  return text;
}

/** 408 timeout, 409 conflict, 429 rate limit and 5xx may pass; other 4xx fail the same way again. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

interface UpstreamFailure {
  retryable: boolean;
  retryAfterMs: number | undefined;
  toError(facts: { attempts: number; partial: boolean }): OrioleError;
}

const retryableNetworkCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

function describeFailure(error: unknown): UpstreamFailure {
  const status = statusOf(error);
  if (status !== undefined) {
    // The upstream's own message, scrubbed: OpenAI echoes (part of) a wrong key in its 401 message.
    const detail = redactSecrets(upstreamMessage(error)).replace(/\s+/g, ' ').trim().slice(0, 300);
    return {
      retryable: isRetryableStatus(status),
      retryAfterMs: retryAfterMs(error),
      toError: ({ attempts, partial }) =>
        new OrioleError(
          'upstream_unavailable',
          `The language model failed with HTTP ${status}${detail === '' ? '' : `: ${detail}`}${attemptsNote(attempts)}`,
          // No `cause`: the client's error carries the upstream's unredacted message.
          { details: { reason: 'http_status', status, attempts, partial } },
        ),
    };
  }
  const network = isNetworkError(error);
  return {
    retryable: network,
    retryAfterMs: undefined,
    toError: ({ attempts, partial }) =>
      new OrioleError(
        'upstream_unavailable',
        `The language model ${network ? 'could not be reached' : 'failed'}: ${redactSecrets(describe(error))}${attemptsNote(attempts)}`,
        { details: { reason: network ? 'connection' : 'error', attempts, partial }, cause: error },
      ),
  };
}

type TimeoutPhase = 'total' | 'first_token' | 'request';

function timeoutError(timeoutMs: number | undefined, phase: TimeoutPhase, partial: boolean, cause: unknown): OrioleError {
  const after = timeoutMs === undefined ? '' : ` after ${timeoutMs} ms`;
  const what = { total: 'before finishing its answer', first_token: 'without sending a first token', request: 'before answering the request' }[phase];
  return new OrioleError('upstream_unavailable', `The language model timed out${after} ${what}`, {
    details: { reason: 'timeout', phase, ...(timeoutMs === undefined ? {} : { timeoutMs }), partial },
    cause,
  });
}

/** The openai client's APIConnectionTimeoutError, which LangChain re-throws as an Error named TimeoutError. */
function isTimeoutError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.constructor.name === 'APIConnectionTimeoutError');
}

function attemptsNote(attempts: number): string {
  return attempts > 1 ? ` (gave up after ${attempts} attempts)` : '';
}

function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('status' in error)) return undefined;
  return typeof error.status === 'number' ? error.status : undefined;
}

function upstreamMessage(error: unknown): string {
  // The openai client's APIError keeps the parsed body in `error`; its `message` prefixes the status.
  if (typeof error === 'object' && error !== null && 'error' in error) {
    const body = error.error;
    if (typeof body === 'object' && body !== null && 'message' in body && typeof body.message === 'string') return body.message;
  }
  return error instanceof Error ? error.message.replace(/^\d{3}\s+/, '') : '';
}

function isNetworkError(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth += 1) {
    const name = current.constructor.name;
    if (name === 'APIConnectionError') return true;
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && retryableNetworkCodes.has(code)) return true;
    // undici: a response body cut off mid-way ("terminated", "other side closed").
    if (current.message === 'terminated' || current.message === 'other side closed') return true;
  }
  return false;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error && error.cause.message !== error.message ? ` (${error.cause.message})` : '';
  return `${error.message}${cause}`;
}

/** API keys and bearer tokens never leave this module in a message. */
export function redactSecrets(text: string): string {
  return text
    .replace(/\b(Bearer)\s+\S+/gi, '$1 [redacted]')
    .replace(/\b(?:sk|pk|rk|gsk|xai|key)[-_][A-Za-z0-9*._-]{3,}/g, '[redacted]');
}

/** `retry-after-ms` (OpenAI) or `Retry-After` in seconds, from the client error's response headers. */
function retryAfterMs(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('headers' in error)) return undefined;
  const headers = error.headers;
  if (!(headers instanceof Headers)) return undefined;
  const milliseconds = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(milliseconds) && milliseconds >= 0) return milliseconds;
  const seconds = Number.parseFloat(headers.get('retry-after') ?? '');
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

function retryDelayMs(attempt: number, retryAfter: number | undefined, options: GenerationOptions): number {
  const base = options.retryBaseDelayMs ?? defaultGenerationRetry.retryBaseDelayMs;
  const max = options.retryMaxDelayMs ?? defaultGenerationRetry.retryMaxDelayMs;
  // A longer Retry-After than we would wait anyway is honoured only while it fits the deadline (checked by the caller).
  if (retryAfter !== undefined) return retryAfter;
  const ceiling = Math.min(max, base * 2 ** (attempt - 1));
  // Jitter spreads out clients that failed together, so they do not retry together.
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

function textOf(chunk: BaseMessageChunk): string {
  if (typeof chunk.content === 'string') return chunk.content;
  return chunk.content.map((part) => (part.type === 'text' && typeof part.text === 'string' ? part.text : '')).join('');
}

/** Settles as `promise` does, or rejects with the signal's reason as soon as it aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error as Error);
      },
    );
  });
}

/** Resolves true after the pause, false as soon as either signal aborts. */
function pause(milliseconds: number, ...signals: Array<AbortSignal | undefined>): Promise<boolean> {
  const active = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  if (active.some((signal) => signal.aborted)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (waited: boolean) => {
      clearTimeout(timer);
      for (const signal of active) signal.removeEventListener('abort', onAbort);
      resolve(waited);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), milliseconds);
    for (const signal of active) signal.addEventListener('abort', onAbort, { once: true });
  });
}
