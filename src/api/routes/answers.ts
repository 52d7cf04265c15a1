import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { AnswerEvent, AnswerRequest } from '../../core/index.ts';
import { requestKb } from '../auth.ts';
import type { AppEnvironment } from '../context.ts';
import { toOrioleError } from '../error-response.ts';
import { AnswerRequestSchema, AnswerResponseSchema, ErrorSchema, errorResponses } from '../schemas.ts';
import { passageResponse } from './search.ts';

const answerRoute = createRoute({
  method: 'post',
  path: '/answer',
  summary: 'Answer a question from the knowledge base, with checked citations, or abstain',
  description:
    'With `stream: true` or `Accept: text/event-stream` the response is server-sent events: `sources` (the retrieved ' +
    'passages), then `delta` ({text}) and `citation` (as a marker is emitted), then `done` (the full response object) ' +
    'or `error` ({error:{code,message}}).',
  request: { body: { required: true, content: { 'application/json': { schema: AnswerRequestSchema } } } },
  responses: {
    200: {
      description: 'The answer, or an abstention with its reason',
      content: {
        'application/json': { schema: AnswerResponseSchema },
        'text/event-stream': { schema: z.string().openapi({ description: 'SSE events: sources, delta, citation, done, error' }) },
      },
    },
    400: errorResponses[400],
    404: { description: 'No such knowledge base', content: { 'application/json': { schema: ErrorSchema } } },
    409: { description: 'The KB was embedded with another model (embedder_mismatch)', content: { 'application/json': { schema: ErrorSchema } } },
    503: errorResponses[503],
  },
});

export function answerRoutes(): OpenAPIHono<AppEnvironment> {
  const app = new OpenAPIHono<AppEnvironment>();
  app.openapi(answerRoute, async (context) => {
    const body = context.req.valid('json');
    const request: AnswerRequest = {
      question: body.question,
      kb: requestKb(context, body.kb),
      ...(body.history ? { history: body.history } : {}),
      ...(body.filters ? { filters: body.filters } : {}),
      ...(body.topK ? { topK: body.topK } : {}),
      ...(body.metadata ? { metadata: body.metadata } : {}),
    };
    const wantsStream = body.stream ?? (context.req.header('accept') ?? '').includes('text/event-stream');
    if (wantsStream) return streamAnswer(context, request) as never;
    const { answers } = context.get('dependencies');
    const response = await answers.answer(request, context.req.raw.signal);
    return context.json(response, 200);
  });
  return app;
}

/**
 * Streams the answer as SSE. The first event is awaited before the stream opens, so a
 * request that fails early (unknown KB, storage down) gets a plain HTTP error with its
 * status; later failures arrive as an `error` event. A client that goes away aborts the
 * generation upstream.
 */
async function streamAnswer(context: Context<AppEnvironment>, request: AnswerRequest): Promise<Response> {
  const { answers } = context.get('dependencies');
  const disconnected = new AbortController();
  context.req.raw.signal.addEventListener('abort', () => disconnected.abort(), { once: true });
  const events = answers.stream(request, disconnected.signal);
  const first = await events.next();
  return streamSSE(context, async (stream) => {
    stream.onAbort(() => disconnected.abort());
    let sequence = 0;
    const send = (event: AnswerEvent) => stream.writeSSE({ id: String(sequence++), ...sseMessage(event) });
    try {
      if (!first.done) await send(first.value);
      for await (const event of events) {
        if (stream.aborted) break;
        await send(event);
      }
    } catch (error) {
      if (disconnected.signal.aborted) return;
      const oriole = toOrioleError(error);
      await stream.writeSSE({
        event: 'error',
        data: JSON.stringify({ error: { code: oriole.code, message: oriole.message, requestId: context.get('requestId') } }),
      });
    } finally {
      if (stream.aborted) await events.return(undefined);
    }
  });
}

function sseMessage(event: AnswerEvent): { event: string; data: string } {
  switch (event.type) {
    case 'sources':
      return {
        event: 'sources',
        data: JSON.stringify({ sources: event.passages.map((passage, index) => ({ index: index + 1, ...passageResponse(passage) })) }),
      };
    case 'delta':
      return { event: 'delta', data: JSON.stringify({ text: event.text }) };
    case 'citation':
      return { event: 'citation', data: JSON.stringify(event.citation) };
    case 'done':
      return { event: 'done', data: JSON.stringify(event.response) };
    case 'error':
      return { event: 'error', data: JSON.stringify({ error: { code: event.code, message: event.message } }) };
  }
}
