import { randomUUID } from 'node:crypto';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { SSEMessage } from 'hono/streaming';
import { OrioleError } from '../../core/index.ts';
import type { AnswerRequest, AnswerResponse, ChatTurn, Citation } from '../../core/index.ts';
import { findConversationOfAnswer, findLoggedAnswer, getKnowledgeBase, type Database } from '../../db/index.ts';
import { requestKb } from '../auth.ts';
import type { AppEnvironment } from '../context.ts';
import { requestLimits as limits } from '../limits.ts';
import { requestSignal } from '../request-timeout.ts';
import { streamAnswerEvents, type AnswerEventEncoding } from '../sse.ts';
import { cleanText, ErrorSchema, errorResponses } from '../schemas.ts';
import {
  AnswerExtrasShape,
  answerExtras,
  checkLength,
  responsesUsage,
  seconds,
  sourcesSuffix,
  textOfContent,
  usageNoteSchema,
} from './openai-compatible.ts';

/**
 * `POST /v1/responses`: the part of OpenAI's Responses API a chat client uses (the
 * official client's `responses.create`, the Vercel AI SDK's default `openai(model)`,
 * LangChain's `useResponsesApi`). `model` names the knowledge base; the answer is the
 * grounded one /answer gives, as one assistant message.
 */

/** Text parts of an input message: `input_text` (user, system) and `output_text` (an earlier assistant turn resent). */
const textPartTypes = ['input_text', 'output_text', 'text'] as const;

const InputContentSchema = z.union([
  cleanText().max(limits.turnChars),
  z
    .array(z.object({ type: z.string(), text: cleanText().max(limits.turnChars).optional() }).passthrough())
    .max(limits.chatContentParts),
]);

const InputItemSchema = z
  .object({
    // Items other than messages (tool calls and their outputs, item references) carry no role and are ignored.
    type: z.string().optional(),
    role: z.enum(['user', 'assistant', 'system', 'developer']).optional(),
    content: InputContentSchema.nullable().optional(),
  })
  .passthrough();

const ResponseRequestSchema = z
  .object({
    model: z.string().min(1).max(64).openapi({ description: 'The knowledge base to answer from', example: 'default' }),
    input: z
      .union([cleanText().max(limits.questionChars), z.array(InputItemSchema).min(1).max(limits.chatMessages)])
      .openapi({ description: 'The question, or messages ending with the user message holding it (earlier ones are its history)' }),
    instructions: cleanText()
      .max(limits.instructionsChars)
      .nullable()
      .optional()
      .openapi({
        description:
          "This request's persona: appended to the grounded prompt's rules (voice and tone), never replacing them; " +
          '`system` and `developer` messages in `input` are added to it. Extractive answers (no LLM) ignore it.',
      }),
    stream: z.boolean().nullable().optional(),
    previous_response_id: z
      .string()
      .max(100)
      .nullable()
      .optional()
      .openapi({ description: 'Continues that exchange: its question and answer, and their own history, become the history of this question' }),
    user: cleanText().max(limits.userIdChars).optional(),
  })
  // Sampling and storage parameters (temperature, store, text, tools…) are accepted and ignored: the answer is grounded.
  .passthrough()
  .openapi('ResponseRequest');

const UrlCitationSchema = z.object({
  type: z.literal('url_citation'),
  url: z.string(),
  title: z.string(),
  start_index: z.number().int(),
  end_index: z.number().int(),
});

const OutputMessageSchema = z.object({
  id: z.string(),
  type: z.literal('message'),
  status: z.enum(['in_progress', 'completed']),
  role: z.literal('assistant'),
  content: z.array(
    z.object({
      type: z.literal('output_text'),
      text: z.string(),
      annotations: z.array(UrlCitationSchema).openapi({ description: 'A `url_citation` at the first `[n]` marker of each cited source with a web URL' }),
      logprobs: z.array(z.unknown()),
    }),
  ),
});

const ResponseObjectSchema = z
  .object({
    id: z.string().openapi({ description: '`resp_` and the answer id (answerId, for /feedback) without dashes', example: 'resp_0f8fad5bd9cb469fa16570867728950e' }),
    object: z.literal('response'),
    created_at: z.number().int(),
    completed_at: z.number().int().nullable(),
    status: z.enum(['in_progress', 'completed']),
    error: z.null(),
    incomplete_details: z.null(),
    instructions: z.string().nullable(),
    model: z.string(),
    output: z.array(OutputMessageSchema),
    output_text: z.string().openapi({ description: "The assistant message's text (with its numbered sources)" }),
    parallel_tool_calls: z.boolean(),
    previous_response_id: z.string().nullable(),
    tool_choice: z.literal('none'),
    tools: z.array(z.unknown()),
    temperature: z.null(),
    top_p: z.null(),
    metadata: z.record(z.string(), z.string()),
    usage: z
      .object({
        input_tokens: z.number().int(),
        input_tokens_details: z.object({ cached_tokens: z.number().int() }),
        output_tokens: z.number().int(),
        output_tokens_details: z.object({ reasoning_tokens: z.number().int() }),
        total_tokens: z.number().int(),
        note: usageNoteSchema,
      })
      .nullable(),
    answerId: z.string().optional().openapi({ description: 'Oriole: the answer id, as /answer gives it (for /feedback)' }),
    abstained: AnswerExtrasShape.abstained.optional(),
    reason: AnswerExtrasShape.reason,
    citations: AnswerExtrasShape.citations.optional(),
    handoff: AnswerExtrasShape.handoff,
    confidence: AnswerExtrasShape.confidence,
  })
  .openapi('Response');

const responsesRoute = createRoute({
  method: 'post',
  path: '/v1/responses',
  summary: 'OpenAI Responses API (the subset a chat client uses): `model` names the knowledge base',
  description:
    '`input` is the question, or messages whose last user message is the question and earlier user and assistant turns its ' +
    'history; `previous_response_id` continues an earlier response (its exchange and history come first). The answer is one ' +
    'assistant message with its numbered sources appended. Extra fields a program acts on: `abstained`, `reason`, `citations`, ' +
    'and `handoff`/`confidence` when the answer carries them. With `stream`, typed events: `response.created`, ' +
    '`response.in_progress`, `response.output_item.added`, `response.content_part.added`, `response.output_text.delta`…, ' +
    '`response.output_text.done`, `response.content_part.done`, `response.output_item.done`, `response.completed` ' +
    '(each with its `sequence_number`; a failure after the stream opened is an `error` event).',
  request: { body: { required: true, content: { 'application/json': { schema: ResponseRequestSchema } } } },
  responses: {
    200: {
      description: 'The response (or its events as server-sent events when `stream` is true)',
      content: { 'application/json': { schema: ResponseObjectSchema }, 'text/event-stream': { schema: z.string() } },
    },
    400: errorResponses[400],
    404: {
      description: 'No knowledge base of that name, or no response `previous_response_id` in it',
      content: { 'application/json': { schema: ErrorSchema } },
    },
    503: errorResponses[503],
  },
});

type ResponseRequest = z.infer<typeof ResponseRequestSchema>;

export function responsesRoutes(): OpenAPIHono<AppEnvironment> {
  const app = new OpenAPIHono<AppEnvironment>();
  app.openapi(responsesRoute, async (context) => {
    const body = context.req.valid('json');
    const { database, answers } = context.get('dependencies');
    // A key bound to a KB may only name that KB as its model.
    const kb = requestKb(context, body.model);
    const earlier = body.previous_response_id ? await continuedTurns(database, body.previous_response_id, kb) : [];
    // The answer joins the conversation of the response it continues (docs/conversations.md); the
    // history above, sent explicitly, still decides what the question follows.
    const previousAnswer = body.previous_response_id ? answerIdOf(body.previous_response_id) : undefined;
    const conversationId = previousAnswer ? await findConversationOfAnswer(database, previousAnswer) : undefined;
    const answerId = randomUUID();
    const request: AnswerRequest = { ...answerRequestFrom(body, earlier), kb, answerId, ...(conversationId ? { conversationId } : {}) };
    const envelope = responseEnvelope(body, answerId);
    if (body.stream) return streamAnswerEvents(context, request, responseEventsEncoding(envelope)) as never;
    const response = await answers.answer(request, requestSignal(context));
    return context.json(responseObject(envelope, response), 200);
  });
  return app;
}

/** `resp_` and the answer id without its dashes: a response id names its answer, and back. */
export function responseIdOf(answerId: string): string {
  return `resp_${answerId.replaceAll('-', '')}`;
}

/** The answer id a response id names, or undefined for an id this server never gave. */
export function answerIdOf(responseId: string): string | undefined {
  const hex = /^resp_([0-9a-f]{32})$/.exec(responseId)?.[1];
  if (hex === undefined) return undefined;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The turns a `previous_response_id` continues: the earlier answer's own history, then its
 * question and answer. The one place a response id is resolved (a response in another KB
 * is as unknown as one never given, so an id does not reveal what other KBs were asked).
 */
async function continuedTurns(database: Database, responseId: string, kbName: string): Promise<ChatTurn[]> {
  const answerId = answerIdOf(responseId);
  const kb = await getKnowledgeBase(database, kbName);
  const logged = answerId === undefined ? undefined : await findLoggedAnswer(database, answerId);
  if (!logged || logged.kbId !== String(kb.id)) {
    throw new OrioleError('not_found', `No response '${responseId}' in knowledge base '${kbName}'`, {
      details: { param: 'previous_response_id', previous_response_id: responseId },
    });
  }
  return [...logged.history, { role: 'user', content: logged.question }, { role: 'assistant', content: logged.answer }];
}

/**
 * The last user message of `input` is the question (a string input is one); earlier user
 * and assistant messages, after the continued turns, are its history (the most recent
 * `chatHistoryTurns`). `instructions` and any system or developer messages are the persona.
 */
function answerRequestFrom(body: ResponseRequest, earlier: ChatTurn[]): AnswerRequest {
  const items = typeof body.input === 'string' ? [{ role: 'user' as const, content: body.input }] : body.input;
  const messages = items
    .map((item, index) => ({ index, role: item.role, content: textOfContent(item.content, textPartTypes) }))
    .filter((message) => message.role !== undefined && message.content.length > 0);
  const turns = messages.filter((message): message is ChatTurn & { index: number } => message.role === 'user' || message.role === 'assistant');
  const last = turns.at(-1);
  if (!last || last.role !== 'user') throw new OrioleError('invalid_request', 'input must end with a user message holding the question');
  const path = (index: number) => (typeof body.input === 'string' ? 'input' : `input.${index}.content`);
  checkLength(last.content, path(last.index), limits.questionChars, 'the question (the last user message)');
  const inputHistory = turns.slice(0, -1);
  for (const turn of inputHistory) checkLength(turn.content, path(turn.index), limits.turnChars, 'an earlier message');
  const history = [...earlier, ...inputHistory.map(({ role, content }) => ({ role, content }))].slice(-limits.chatHistoryTurns);
  const persona = [body.instructions ?? '', ...messages.filter((message) => message.role === 'system' || message.role === 'developer').map((message) => message.content)]
    .map((text) => text.trim())
    .filter((text) => text.length > 0)
    .join('\n\n');
  checkLength(persona, 'instructions', limits.instructionsChars, 'the instructions (with any system and developer messages)');
  return {
    question: last.content,
    history,
    ...(persona ? { persona } : {}),
    metadata: { channel: 'openai-compatible', ...(body.user ? { userId: body.user } : {}) },
  };
}

/** What a response says before its answer exists: its id and the request it answers. */
interface ResponseEnvelope {
  id: string;
  messageId: string;
  createdAt: number;
  model: string;
  instructions: string | null;
  previousResponseId: string | null;
}

function responseEnvelope(body: ResponseRequest, answerId: string): ResponseEnvelope {
  return {
    id: responseIdOf(answerId),
    messageId: `msg_${answerId.replaceAll('-', '')}`,
    createdAt: seconds(new Date()),
    model: body.model,
    instructions: body.instructions ?? null,
    previousResponseId: body.previous_response_id ?? null,
  };
}

/** The response object, in progress (no answer yet) or completed. */
function responseObject(envelope: ResponseEnvelope, answer?: AnswerResponse) {
  const text = answer ? answerText(answer) : '';
  return {
    id: envelope.id,
    object: 'response' as const,
    created_at: envelope.createdAt,
    completed_at: answer ? seconds(new Date()) : null,
    status: answer ? ('completed' as const) : ('in_progress' as const),
    error: null,
    incomplete_details: null,
    instructions: envelope.instructions,
    model: envelope.model,
    output: answer ? [outputMessage(envelope, 'completed', text, answer.citations)] : [],
    output_text: text,
    parallel_tool_calls: false,
    previous_response_id: envelope.previousResponseId,
    tool_choice: 'none' as const,
    tools: [],
    temperature: null,
    top_p: null,
    metadata: {},
    usage: answer ? responsesUsage(answer) : null,
    ...(answer ? { answerId: answer.answerId, ...answerExtras(answer) } : {}),
  };
}

function outputMessage(envelope: ResponseEnvelope, status: 'in_progress' | 'completed', text: string, citations: Citation[]) {
  return {
    id: envelope.messageId,
    type: 'message' as const,
    status,
    role: 'assistant' as const,
    content: status === 'completed' ? [outputText(text, citations)] : [],
  };
}

function outputText(text: string, citations: Citation[]) {
  return { type: 'output_text' as const, text, annotations: urlCitations(text, citations), logprobs: [] };
}

/** The answer as chat clients show it: its text and numbered sources. */
function answerText(answer: AnswerResponse): string {
  return answer.answer + sourcesSuffix(answer.citations);
}

/** OpenAI's `url_citation` annotations: one per cited source with a web URL, over its first `[n]` marker. */
function urlCitations(text: string, citations: Citation[]): Array<z.infer<typeof UrlCitationSchema>> {
  return citations.flatMap((citation) => {
    if (!citation.url) return [];
    const marker = `[${citation.index}]`;
    const start = text.indexOf(marker);
    if (start < 0) return [];
    return [{ type: 'url_citation' as const, url: citation.url, title: citation.title ?? citation.source, start_index: start, end_index: start + marker.length }];
  });
}

/**
 * The Responses API's typed events, in the reference's order, each with the next
 * `sequence_number`: created, in_progress, output_item.added, content_part.added, one
 * output_text.delta per answer delta (and one for the sources), then output_text.done,
 * content_part.done, output_item.done and completed with the whole response. No `[DONE]`.
 */
function responseEventsEncoding(envelope: ResponseEnvelope): AnswerEventEncoding {
  let sequence = 0;
  const event = (type: string, fields: Record<string, unknown>): SSEMessage => ({
    event: type,
    data: JSON.stringify({ type, sequence_number: sequence++, ...fields }),
  });
  const place = { item_id: envelope.messageId, output_index: 0, content_index: 0 };
  return {
    opening: [
      event('response.created', { response: responseObject(envelope) }),
      event('response.in_progress', { response: responseObject(envelope) }),
      event('response.output_item.added', { output_index: 0, item: outputMessage(envelope, 'in_progress', '', []) }),
      event('response.content_part.added', { ...place, part: { type: 'output_text', text: '', annotations: [], logprobs: [] } }),
    ],
    encode(answerEvent) {
      if (answerEvent.type === 'delta') return [event('response.output_text.delta', { ...place, delta: answerEvent.text, logprobs: [] })];
      if (answerEvent.type !== 'done') return [];
      const answer = answerEvent.response;
      const text = answerText(answer);
      const footer = sourcesSuffix(answer.citations);
      const completed = responseObject(envelope, answer);
      return [
        ...(footer ? [event('response.output_text.delta', { ...place, delta: footer, logprobs: [] })] : []),
        event('response.output_text.done', { ...place, text, logprobs: [] }),
        event('response.content_part.done', { ...place, part: outputText(text, answer.citations) }),
        event('response.output_item.done', { output_index: 0, item: completed.output[0] }),
        event('response.completed', { response: completed }),
      ];
    },
    failure: (error) => event('error', { code: error.code, message: error.message, param: null }),
  };
}
