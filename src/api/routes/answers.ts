import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AnswerEvent, AnswerRequest } from '../../core/index.ts';
import { answerKbOfCaller, principalOf } from '../auth.ts';
import type { AppEnvironment } from '../context.ts';
import { requestSignal } from '../request-timeout.ts';
import { streamAnswerEvents, type AnswerEventEncoding } from '../sse.ts';
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
    404: { description: 'No such knowledge base, or conversation', content: { 'application/json': { schema: ErrorSchema } } },
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
      ...kbOfConversation(context, body.kb, body.conversationId),
      ...(body.history ? { history: body.history } : {}),
      ...(body.filters ? { filters: body.filters } : {}),
      ...(body.topK ? { topK: body.topK } : {}),
      ...(body.metadata ? { metadata: body.metadata } : {}),
      ...(body.conversationId ? { conversationId: body.conversationId } : {}),
    };
    const wantsStream = body.stream ?? (context.req.header('accept') ?? '').includes('text/event-stream');
    if (wantsStream) return streamAnswerEvents(context, request, answerEncoding(context)) as never;
    const { answers } = context.get('dependencies');
    const response = await answers.answer(request, requestSignal(context));
    return context.json(response, 200);
  });
  return app;
}

/** The KB an answer request answers from (auth.ts `answerKbOfCaller`), for this request's key. */
export function kbOfConversation(
  context: Context<AppEnvironment>,
  kb: string | undefined,
  conversationId: string | undefined,
): { kb?: string } {
  return answerKbOfCaller(principalOf(context), kb, conversationId, context.get('dependencies').defaultKb);
}

/** `/answer`'s events: numbered, each named by its type; a failure carries the request id. */
function answerEncoding(context: Context<AppEnvironment>): AnswerEventEncoding {
  let sequence = 0;
  return {
    encode: (event) => [{ id: String(sequence++), ...sseMessage(event) }],
    failure: (oriole) => ({
      event: 'error',
      data: JSON.stringify({ error: { code: oriole.code, message: oriole.message, requestId: context.get('requestId') } }),
    }),
  };
}

function sseMessage(event: Exclude<AnswerEvent, { type: 'error' }>): { event: string; data: string } {
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
  }
}
