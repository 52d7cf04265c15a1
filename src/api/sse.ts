import type { Context } from 'hono';
import { streamSSE, type SSEMessage } from 'hono/streaming';
import type { AnswerEvent, AnswerRequest } from '../core/index.ts';
import type { AppEnvironment } from './context.ts';
import { toOrioleError } from './error-response.ts';
import { requestSignal } from './request-timeout.ts';
import type { OrioleError } from '../core/index.ts';

/** How one route writes a streamed answer: its own wire format over the same events. */
export interface AnswerEventEncoding {
  /** Written as the stream opens, before the first event. */
  opening?: SSEMessage[];
  /** The messages for one event (none: the event is not sent). */
  encode(event: Exclude<AnswerEvent, { type: 'error' }>): SSEMessage[];
  /** Written after the last event of a stream that ended well. */
  closing?: SSEMessage[];
  /** The last message of a stream that failed after it opened. */
  failure(error: OrioleError): SSEMessage;
}

/**
 * Streams an answer as server-sent events. The first event is awaited before the stream
 * opens, so a request that fails early (unknown KB, storage down) gets a plain HTTP error
 * with its status; a later failure (an `error` event, or a throw) is written as the
 * encoding's failure message and ends the stream. A client that goes away aborts the
 * generation upstream.
 */
export async function streamAnswerEvents(
  context: Context<AppEnvironment>,
  request: AnswerRequest,
  encoding: AnswerEventEncoding,
): Promise<Response> {
  const { answers } = context.get('dependencies');
  const disconnected = new AbortController();
  requestSignal(context).addEventListener('abort', () => disconnected.abort(), { once: true });
  const events = answers.stream(request, disconnected.signal);
  const first = await events.next();
  return streamSSE(context, async (stream) => {
    stream.onAbort(() => disconnected.abort());
    const all = (async function* () {
      if (!first.done) yield first.value;
      yield* events;
    })();
    try {
      for (const message of encoding.opening ?? []) await stream.writeSSE(message);
      for await (const event of all) {
        if (stream.aborted) break;
        if (event.type === 'error') return await stream.writeSSE(encoding.failure(toOrioleError(event.error)));
        for (const message of encoding.encode(event)) await stream.writeSSE(message);
      }
      for (const message of encoding.closing ?? []) await stream.writeSSE(message);
    } catch (error) {
      if (disconnected.signal.aborted) return;
      await stream.writeSSE(encoding.failure(toOrioleError(error)));
    } finally {
      if (stream.aborted) await events.return(undefined);
    }
  });
}
