import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { kbSettingsLimits, OrioleError } from '../../core/index.ts';
import type { AnswerRequest, ChatTurn } from '../../core/index.ts';
import { listKnowledgeBases } from '../../db/index.ts';
import { canSeeKb, requestKb } from '../auth.ts';
import type { AppEnvironment } from '../context.ts';
import { requestLimits as limits } from '../limits.ts';
import { requestSignal } from '../request-timeout.ts';
import { streamAnswerEvents, type AnswerEventEncoding } from '../sse.ts';
import { cleanText, ConversationIdSchema, ErrorSchema, errorResponses } from '../schemas.ts';
import {
  AnswerExtrasShape,
  answerExtras,
  chatCompletionUsage,
  checkLength,
  seconds,
  sourcesSuffix,
  textOfContent,
  usageNoteSchema,
  withSources,
} from './openai-compatible.ts';

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
    stream_options: z
      .object({ include_usage: z.boolean().optional() })
      .passthrough()
      .nullable()
      .optional()
      .openapi({ description: 'With `include_usage`, a last chunk with empty `choices` carries `usage`, as OpenAI sends it' }),
    user: cleanText().max(limits.userIdChars).optional(),
    conversationId: ConversationIdSchema.optional().openapi({
      description:
        "Oriole's extension: continue this conversation (the response's `conversationId`); with only the new user message in " +
        '`messages`, its stored turns are the history (earlier messages, when sent, win). Unknown, or of another KB: 404 not_found',
    }),
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
    usage: z.object({
      prompt_tokens: z.number().int(),
      completion_tokens: z.number().int(),
      total_tokens: z.number().int(),
      note: usageNoteSchema,
    }),
    ...AnswerExtrasShape,
  })
  .openapi('ChatCompletion');

const chatRoute = createRoute({
  method: 'post',
  path: '/v1/chat/completions',
  summary: 'OpenAI-compatible chat: `model` names the knowledge base',
  description:
    'The last user message is the question and earlier turns are its history; `system` (and `developer`) messages are ' +
    "this request's persona, in place of the KB's `persona` setting: appended to the grounded prompt, never replacing its " +
    `rules, at most ${kbSettingsLimits.personaChars} characters in all. The grounded answer comes back as the ` +
    'assistant message with its numbered sources appended. Extra fields a program acts on: `abstained`, `reason`, `citations`, ' +
    'and `handoff`/`confidence` when the answer carries them, and the `conversationId` to send back to continue (on the last chunk when streamed). `usage` counts the tokens the ' +
    'language model reported for this answer; an extractive or cached answer reports 0 with a `usage.note`.',
  request: { body: { required: true, content: { 'application/json': { schema: ChatCompletionRequestSchema } } } },
  responses: {
    200: {
      description: 'A chat completion (or chat.completion.chunk events when `stream` is true)',
      content: { 'application/json': { schema: ChatCompletionSchema }, 'text/event-stream': { schema: z.string() } },
    },
    400: errorResponses[400],
    404: { description: 'No knowledge base of that name, or no such conversation in it', content: { 'application/json': { schema: ErrorSchema } } },
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
    if (body.stream) {
      const encoding = completionEncoding(body.model, body.stream_options?.include_usage === true);
      return streamAnswerEvents(context, request, encoding) as never;
    }
    const { answers } = context.get('dependencies');
    const response = await answers.answer(request, requestSignal(context));
    return context.json(
      {
        id: `chatcmpl-${response.answerId}`,
        object: 'chat.completion' as const,
        created: seconds(new Date()),
        model: body.model,
        choices: [{ index: 0, message: { role: 'assistant' as const, content: withSources(response) }, finish_reason: 'stop' as const }],
        usage: chatCompletionUsage(response),
        ...answerExtras(response),
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
  checkLength(last.content, `messages.${last.index}.content`, limits.questionChars, 'the question (the last user message)');
  for (const turn of history) checkLength(turn.content, `messages.${turn.index}.content`, limits.turnChars, 'an earlier message');
  const persona = personaFrom(body);
  return {
    question: last.content,
    kb: body.model,
    history: history.map(({ role, content }) => ({ role, content })),
    ...(persona ? { persona } : {}),
    ...(body.conversationId ? { conversationId: body.conversationId } : {}),
    ...(body.user ? { metadata: { userId: body.user, channel: 'openai-compatible' } } : { metadata: { channel: 'openai-compatible' } }),
  };
}

/**
 * The `system` and `developer` messages, joined: this request's persona. Held to the
 * bound of the KB's persona setting, and refused past it rather than cut, so a client
 * learns its instruction was not used whole.
 */
function personaFrom(body: ChatCompletionRequest): string | undefined {
  const instructions = body.messages
    .map((message, index) => ({ index, role: message.role, content: textOf(message.content) }))
    .filter((message) => (message.role === 'system' || message.role === 'developer') && message.content.length > 0);
  if (instructions.length === 0) return undefined;
  const persona = instructions.map((message) => message.content).join('\n\n');
  checkLength(persona, `messages.${instructions.at(-1)!.index}.content`, kbSettingsLimits.personaChars, 'the system messages (the persona)');
  return persona;
}

function textOf(content: ChatCompletionRequest['messages'][number]['content']): string {
  return textOfContent(content, ['text']);
}

/**
 * OpenAI's chunk format: a role chunk, content deltas, a last chunk with the sources and
 * the extra fields, then (asked with `stream_options.include_usage`) a chunk with empty
 * `choices` and the usage, every chunk before it carrying `usage: null`; then [DONE].
 */
function completionEncoding(model: string, includeUsage: boolean): AnswerEventEncoding {
  const id = `chatcmpl-${crypto.randomUUID()}`;
  const created = seconds(new Date());
  const usageNull = includeUsage ? { usage: null } : {};
  const chunk = (delta: Record<string, unknown>, finishReason: 'stop' | null, extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      choices: [{ index: 0, delta, finish_reason: finishReason }],
      ...usageNull,
      ...extra,
    });
  return {
    opening: [{ data: chunk({ role: 'assistant', content: '' }, null) }],
    encode(event) {
      if (event.type === 'delta') return [{ data: chunk({ content: event.text }, null) }];
      if (event.type !== 'done') return [];
      const footer = sourcesSuffix(event.response.citations);
      const last = { data: chunk(footer ? { content: footer } : {}, 'stop', answerExtras(event.response)) };
      if (!includeUsage) return [last];
      const usage = { id, object: 'chat.completion.chunk', created, model, choices: [], usage: chatCompletionUsage(event.response) };
      return [last, { data: JSON.stringify(usage) }];
    },
    closing: [{ data: '[DONE]' }],
    failure: (oriole) => ({ data: JSON.stringify({ error: { code: oriole.code, message: oriole.message } }) }),
  };
}

