export interface FetchTimeouts {
  /** Longest wait for a response's status and headers. */
  responseTimeoutMs: number;
  /** Longest wait for the next chunk of a response body: a stalled download fails instead of hanging. */
  stallTimeoutMs: number;
}

/**
 * Wraps `fetch` so an unreachable or stalled server fails in bounded time. A total
 * timeout would not do for model downloads, which may take minutes while making
 * progress; these bound the silence instead.
 */
export function fetchWithTimeouts(baseFetch: typeof fetch, timeouts: FetchTimeouts): typeof fetch {
  return async function fetchWithTimeouts(input, init) {
    const controller = new AbortController();
    const callerSignal = init?.signal;
    const signal = callerSignal ? AbortSignal.any([callerSignal, controller.signal]) : controller.signal;
    let timer = setTimeout(() => controller.abort(timeoutError('response', timeouts.responseTimeoutMs)), timeouts.responseTimeoutMs);
    let response: Response;
    try {
      response = await baseFetch(input, { ...init, signal });
    } finally {
      clearTimeout(timer);
    }
    if (!response.body || nullBodyStatuses.has(response.status)) return response;

    const reader = response.body.getReader();
    const restartStallTimer = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        const error = timeoutError('stall', timeouts.stallTimeoutMs);
        controller.abort(error);
        void reader.cancel(error).catch(() => undefined);
      }, timeouts.stallTimeoutMs);
    };
    const body = new ReadableStream<Uint8Array>({
      async pull(streamController) {
        restartStallTimer();
        try {
          const { done, value } = await reader.read();
          clearTimeout(timer);
          if (done) streamController.close();
          else streamController.enqueue(value);
        } catch (error) {
          clearTimeout(timer);
          streamController.error(controller.signal.aborted ? controller.signal.reason : error);
        }
      },
      cancel(reason) {
        clearTimeout(timer);
        return reader.cancel(reason);
      },
    });
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

/** Statuses a `Response` may not be constructed with a body for. */
const nullBodyStatuses = new Set([101, 204, 205, 304]);

function timeoutError(kind: 'response' | 'stall', milliseconds: number): Error {
  const what = kind === 'response' ? 'no response' : 'the download stalled';
  const error = new Error(`${what} within ${milliseconds >= 1000 ? `${milliseconds / 1000} s` : `${milliseconds} ms`}`);
  error.name = 'TimeoutError';
  return error;
}
