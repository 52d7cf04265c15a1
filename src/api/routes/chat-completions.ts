import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { OrioleError } from '../../core/index.ts';
import type { AnswerRequest, AnswerResponse, ChatTurn, Citation } from '../../core/index.ts';
import { citationMarker } from '../../answer/index.ts';
import { listKnowledgeBases } from '../../db/index.ts';
import { canSeeKb, requestKb } from '../auth.ts';
import type { AppEnvironment } from '../context.ts';
import { requestLimits as limits } from '../limits.ts';
import { requestSignal } from '../request-timeout.ts';
import { streamAnswerEvents, type AnswerEventEncoding } from '../sse.ts';
import { CitationSchema, cleanText, ErrorSchema, errorResponses } from '../schemas.ts';

// OpenAI's content may be a string or a list of parts; only text parts carry a question.
const ContentSchema = z.union([
  cleanText().max(limits.turnChars),
  z
    .array(z.object({ type: z.string(), text: cleanText().max(limits.turnChars).optional() }).passthrough())
    .max(limits.chatContentParts),
]);

const ChatCompletionRequestSchema = z
  .object({
    model: z.string().min(1).max(64).openapi({ description: 'The knowledge base to answer from', example: 'default' }),
    messages: z
      .array(
        z
          .object({
            role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
            content: ContentSchema.nullable().optional(),
          })
          .passthrough(),
      )
      .min(1)
      .max(limits.chatMessages),
    stream: z.boolean().optional(),
    user: cleanText().max(limits.userIdChars).optional(),
  })
  // Sampling parameters (temperature, max_tokens…) are accepted and ignored: the answer is grounded, not sampled.
  .passthrough()
  .openapi('ChatCompletionRequest');

const ChatCompletionSchema = z
  .object({
    id: z.string(),
    object: z.literal('chat.completion'),
    created: z.number().int(),
    model: z.string(),
    choices: z.array(
      z.object({
        index: z.number().int(),
        message: z.object({ role: z.literal('assistant'), content: z.string() }),
        finish_reason: z.literal('stop'),
      }),
    ),
    usage: z.object({ prompt_tokens: z.number().int(), completion_tokens: z.number().int(), total_tokens: z.number().int() }),
    citations: z.array(CitationSchema),
    confidence: z.number().min(0).max(1).openapi({ description: "Oriole's extra field: the answer's confidence, as on /answer" }),
  })
  .openapi('ChatCompletion');

const chatRoute = createRoute({
  method: 'post',
  path: '/v1/chat/completions',
  summary: 'OpenAI-compatible chat: `model` names the knowledge base',
  description:
    'The last user message is the question and earlier turns are its history. The grounded answer comes back as the ' +
    'assistant message with its numbered sources appended, and in an extra `citations` field (on the last chunk when streamed).',
  request: { body: { required: true, content: { 'application/json': { schema: ChatCompletionRequestSchema } } } },
  responses: {
    200: {
      description: 'A chat completion (or chat.completion.chunk events when `stream` is true)',
      content: { 'application/json': { schema: ChatCompletionSchema }, 'text/event-stream': { schema: z.string() } },
    },
    400: errorResponses[400],
    404: { description: 'No knowledge base of that name', content: { 'application/json': { schema: ErrorSchema } } },
    503: errorResponses[503],
  },
});

const modelsRoute = createRoute({
  method: 'get',
  path: '/v1/models',
  summary: 'OpenAI-compatible model list: one model per knowledge base',
  responses: {
    200: {
      description: 'The knowledge bases as models',
      content: {
        'application/json': {
          schema: z.object({
            object: z.literal('list'),
            data: z.array(z.object({ id: z.string(), object: z.literal('model'), created: z.number().int(), owned_by: z.string() })),
          }),
        },
      },
    },
    503: errorResponses[503],
  },
});

type ChatCompletionRequest = z.infer<typeof ChatCompletionRequestSchema>;

export function chatCompletionRoutes(): OpenAPIHono<AppEnvironment> {
  const app = new OpenAPIHono<AppEnvironment>();
  app.openapi(modelsRoute, async (context) => {
    const { database } = context.get('dependencies');
    const kbs = await listKnowledgeBases(database);
    const data = kbs
      .filter((kb) => canSeeKb(context, kb))
      .map((kb) => ({ id: kb.name, object: 'model' as const, created: seconds(kb.createdAt), owned_by: 'oriole' }));
    return context.json({ object: 'list' as const, data }, 200);
  });
  app.openapi(chatRoute, async (context) => {
    const body = context.req.valid('json');
    // A key bound to a KB may only name that KB as its model.
    const request = { ...answerRequestFrom(body), kb: requestKb(context, body.model) };
    if (body.stream) return streamAnswerEvents(context, request, completionEncoding(body.model)) as never;
    const { answers } = context.get('dependencies');
    const response = await answers.answer(request, requestSignal(context));
    return context.json(
      {
        id: `chatcmpl-${response.answerId}`,
        object: 'chat.completion' as const,
        created: seconds(new Date()),
        model: body.model,
        choices: [{ index: 0, message: { role: 'assistant' as const, content: withSources(response) }, finish_reason: 'stop' as const }],
        usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
        citations: response.citations,
        confidence: response.confidence,
      },
      200,
    );
  });
  return app;
}

/**
 * The last user message is the question; earlier user and assistant turns are its
 * history, the most recent `chatHistoryTurns` of them (chat UIs resend the whole conversation).
 */
function answerRequestFrom(body: ChatCompletionRequest): AnswerRequest {
  const turns = body.messages
    .map((message, index) => ({ index, role: message.role, content: textOf(message.content) }))
    .filter((turn): turn is ChatTurn & { index: number } => (turn.role === 'user' || turn.role === 'assistant') && turn.content.length > 0);
  const last = turns.at(-1);
  if (!last || last.role !== 'user') {
    throw new OrioleError('invalid_request', 'messages must end with a user message holding the question');
  }
  const history = turns.slice(0, -1).slice(-limits.chatHistoryTurns);
  checkLength(last, limits.questionChars, 'the question (the last user message)');
  for (const turn of history) checkLength(turn, limits.turnChars, 'an earlier message');
  return {
    question: last.content,
    kb: body.model,
    history: history.map(({ role, content }) => ({ role, content })),
    ...(body.user ? { metadata: { userId: body.user, channel: 'openai-compatible' } } : { metadata: { channel: 'openai-compatible' } }),
  };
}

/** Refuses a message whose text (its text parts joined) is longer than `max`, naming it as the validator would. */
function checkLength(turn: { index: number; content: string }, max: number, what: string): void {
  if (turn.content.length <= max) return;
  const path = `messages.${turn.index}.content`;
  const message = `${what} has ${turn.content.length} characters; at most ${max}`;
  throw new OrioleError('invalid_request', `Invalid request: ${path}: ${message}`, { details: { issues: [{ path, message }] } });
}

function textOf(content: ChatCompletionRequest['messages'][number]['content']): string {
  if (typeof content === 'string') return content.trim();
  if (!content) return '';
  return content
    .map((part) => (part.type === 'text' && typeof part.text === 'string' ? part.text : ''))
    .join('\n')
    .trim();
}

/** The answer with its numbered sources, for chat UIs that only show the message text. */
function withSources(response: AnswerResponse): string {
  if (response.citations.length === 0) return response.answer;
  return `${response.answer}\n\n${sourcesFooter(response.citations)}`;
}

function sourcesFooter(citations: Citation[]): string {
  const lines = citations.map((citation) => {
    const label = [citation.title ?? citation.source, citation.heading && citation.heading !== citation.title ? citation.heading : null]
      .filter(Boolean)
      .join(' › ');
    return `${citationMarker(citation.index)} ${label}${citation.url ? ` (${citation.url})` : ` (${citation.source})`}`;
  });
  return `Sources:\n${lines.join('\n')}`;
}

/** OpenAI's chunk format: a role chunk, content deltas, a last chunk with the sources and citations, then [DONE]. */
function completionEncoding(model: string): AnswerEventEncoding {
  const id = `chatcmpl-${crypto.randomUUID()}`;
  const created = seconds(new Date());
  const chunk = (delta: Record<string, unknown>, finishReason: 'stop' | null, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finishReason }], ...extra });
  return {
    opening: [{ data: chunk({ role: 'assistant', content: '' }, null) }],
    encode(event) {
      if (event.type === 'delta') return [{ data: chunk({ content: event.text }, null) }];
      if (event.type !== 'done') return [];
      const footer = event.response.citations.length > 0 ? `\n\n${sourcesFooter(event.response.citations)}` : '';
      return [{ data: chunk(footer ? { content: footer } : {}, 'stop', { citations: event.response.citations, confidence: event.response.confidence }) }];
    },
    closing: [{ data: '[DONE]' }],
    failure: (oriole) => ({ data: JSON.stringify({ error: { code: oriole.code, message: oriole.message } }) }),
  };
}

function seconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}
