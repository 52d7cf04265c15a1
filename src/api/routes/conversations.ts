import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { isIsoDate, parseInstant } from '../../analytics/index.ts';
import { notFound } from '../../core/index.ts';
import { conversationTranscript, type ConversationTranscript } from '../../conversations/index.ts';
import {
  conversationOutcomes,
  findConversation,
  getKnowledgeBase,
  handOffConversation,
  listConversations,
  listConversationTurns,
  resolveConversation,
  type ConversationRecord,
} from '../../db/index.ts';
import { authorizeKbResource, principalOf, requestKb } from '../auth.ts';
import type { AppEnvironment } from '../context.ts';
import { CitationSchema, cleanText, ErrorSchema, errorResponses, KnowledgeBaseNameSchema } from '../schemas.ts';

const OutcomeSchema = z.enum(conversationOutcomes as ['answered', 'abstained', 'handed_off', 'resolved']).openapi({
  description:
    'answered / abstained: as its last turn; resolved: the user said so (POST …/resolve, or a thumbs-up on the last answer); handed_off: passed to a human (POST …/handoff)',
});

const TurnSchema = z.object({
  answerId: z.string().openapi({ description: "The answer's id in the answers log (POST /feedback rates it)" }),
  question: z.string(),
  answer: z.string(),
  citations: z.array(CitationSchema),
  abstained: z.boolean(),
  feedback: z
    .object({ rating: z.enum(['up', 'down']), comment: z.string().nullable(), createdAt: z.string() })
    .nullable()
    .openapi({ description: "The answer's latest rating, or null" }),
  createdAt: z.string(),
});

const ConversationSchema = z
  .object({
    id: z.string(),
    kb: z.string(),
    outcome: OutcomeSchema,
    createdAt: z.string(),
    updatedAt: z.string().openapi({ description: 'The last turn or change of outcome; retention counts from it' }),
    resolvedAt: z.string().nullable(),
    handedOffAt: z.string().nullable().openapi({ description: 'The first hand-off; the webhook fired for it alone' }),
    handoffReason: z.string().nullable(),
    turns: z.array(TurnSchema),
  })
  .openapi('Conversation');

const ConversationSummarySchema = z
  .object({
    id: z.string(),
    kb: z.string(),
    outcome: OutcomeSchema,
    turnCount: z.number().int(),
    firstQuestion: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    resolvedAt: z.string().nullable(),
    handedOffAt: z.string().nullable(),
  })
  .openapi('ConversationSummary');

const IsoDateSchema = z
  .string()
  .refine(isIsoDate, 'must be an ISO 8601 date (2026-03-01) or date-time with a zone (2026-03-01T09:30:00Z)');

const IdParams = z.object({ id: z.string().max(64).openapi({ param: { name: 'id', in: 'path' }, example: '0b6c1f4e-8c2a-4d0e-9a43-5d1f0e7b2c11' }) });

const notFoundResponse = { description: 'No such conversation', content: { 'application/json': { schema: ErrorSchema } } } as const;

const listRoute = createRoute({
  method: 'get',
  path: '/conversations',
  summary: 'List conversations, newest first (admin scope)',
  description:
    'Conversations started in [from, to), of one KB or (unbound keys naming none) of every KB, optionally with one outcome. ' +
    'Paged: pass `nextCursor` back as `cursor`.',
  request: {
    query: z.object({
      kb: KnowledgeBaseNameSchema.optional(),
      from: IsoDateSchema.optional().openapi({ description: 'Started at or after; a date alone is its midnight UTC', example: '2026-03-01' }),
      to: IsoDateSchema.optional().openapi({ description: 'Started before; a date alone means the end of that day (UTC)', example: '2026-03-31' }),
      outcome: OutcomeSchema.optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
      cursor: z.string().max(200).optional(),
    }),
  },
  responses: {
    200: {
      description: 'A page of conversations',
      content: {
        'application/json': { schema: z.object({ conversations: z.array(ConversationSummarySchema), nextCursor: z.string().nullable() }) },
      },
    },
    400: errorResponses[400],
    404: { description: 'No such knowledge base', content: { 'application/json': { schema: ErrorSchema } } },
    503: errorResponses[503],
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/conversations/{id}',
  summary: 'A conversation: its outcome and every turn with citations and feedback',
  request: { params: IdParams },
  responses: {
    200: { description: 'The conversation', content: { 'application/json': { schema: ConversationSchema } } },
    404: notFoundResponse,
    503: errorResponses[503],
  },
});

const resolveRoute = createRoute({
  method: 'post',
  path: '/conversations/{id}/resolve',
  summary: 'Mark a conversation resolved: the user got what they needed',
  description: 'A later question reopens it (its outcome follows that turn again).',
  request: { params: IdParams },
  responses: {
    200: { description: 'The conversation, resolved', content: { 'application/json': { schema: ConversationSchema } } },
    404: notFoundResponse,
    503: errorResponses[503],
  },
});

const HandoffRequestSchema = z
  .object({ reason: cleanText().trim().max(500).optional().openapi({ example: 'user asked for a person' }) })
  .strict()
  .openapi('HandoffRequest');

const handoffRoute = createRoute({
  method: 'post',
  path: '/conversations/{id}/handoff',
  summary: 'Hand a conversation to a human: marks it handed off and fires the hand-off webhook',
  description:
    'The webhook (ORIOLE_HANDOFF_WEBHOOK_URL) is delivered once per conversation, off the request path, signed and retried ' +
    '(docs/conversations.md). Calling again is harmless: the conversation stays handed off and the webhook does not fire again ' +
    '(`webhook: "already_handed_off"`).',
  request: { params: IdParams, body: { required: false, content: { 'application/json': { schema: HandoffRequestSchema } } } },
  responses: {
    200: {
      description: 'The conversation, handed off, and what became of the webhook',
      content: {
        'application/json': {
          schema: ConversationSchema.extend({
            webhook: z.enum(['queued', 'not_configured', 'already_handed_off']).openapi({
              description: 'queued: this call handed it off and the webhook will be delivered; not_configured: no webhook is set; already_handed_off: an earlier call did',
            }),
          }).openapi('HandoffResponse'),
        },
      },
    },
    400: errorResponses[400],
    404: notFoundResponse,
    503: errorResponses[503],
  },
});

export function conversationRoutes(): OpenAPIHono<AppEnvironment> {
  const app = new OpenAPIHono<AppEnvironment>();

  app.openapi(listRoute, async (context) => {
    const { database } = context.get('dependencies');
    const query = context.req.valid('query');
    // A bound key lists its own KB's conversations only; an unbound one every KB's unless it names one.
    const kbName = query.kb !== undefined || principalOf(context).kbName !== null ? requestKb(context, query.kb) : undefined;
    const kb = kbName === undefined ? undefined : await getKnowledgeBase(database, kbName);
    const page = await listConversations(database, {
      ...(kb ? { kbId: kb.id } : {}),
      ...(query.from ? { from: parseInstant(query.from, 'start')! } : {}),
      ...(query.to ? { to: parseInstant(query.to, 'end')! } : {}),
      ...(query.outcome ? { outcome: query.outcome } : {}),
      limit: query.limit,
      ...(query.cursor ? { cursor: query.cursor } : {}),
    });
    return context.json(
      {
        conversations: page.conversations.map((conversation) => ({
          id: conversation.id,
          kb: conversation.kbName,
          outcome: conversation.outcome,
          turnCount: conversation.turnCount,
          firstQuestion: conversation.firstQuestion,
          createdAt: conversation.createdAt.toISOString(),
          updatedAt: conversation.updatedAt.toISOString(),
          resolvedAt: conversation.resolvedAt?.toISOString() ?? null,
          handedOffAt: conversation.handedOffAt?.toISOString() ?? null,
        })),
        nextCursor: page.nextCursor,
      },
      200,
    );
  });

  app.openapi(getRoute, async (context) => {
    const conversation = await loadConversation(context, context.req.valid('param').id);
    return context.json(await transcript(context, conversation), 200);
  });

  app.openapi(resolveRoute, async (context) => {
    const { id } = context.req.valid('param');
    const { database } = context.get('dependencies');
    await loadConversation(context, id);
    await resolveConversation(database, id);
    return context.json(await transcript(context, await loadConversation(context, id)), 200);
  });

  app.openapi(handoffRoute, async (context) => {
    const { id } = context.req.valid('param');
    const { database, handoff } = context.get('dependencies');
    const body = context.req.header('content-type')?.includes('application/json') ? context.req.valid('json') : {};
    await loadConversation(context, id);
    const { first } = await handOffConversation(database, id, body.reason ?? null);
    const handedOff = await transcript(context, await loadConversation(context, id));
    // Delivered off the request path: the route answers now, whatever the receiver does.
    if (first && handoff) handoff.notify({ conversation: handedOff });
    const webhook = !first ? 'already_handed_off' : handoff ? 'queued' : 'not_configured';
    return context.json({ ...handedOff, webhook } as const, 200);
  });

  return app;
}

/** The conversation, or `not_found`, also when it belongs to another KB than the key's. */
async function loadConversation(context: Context<AppEnvironment>, id: string): Promise<ConversationRecord> {
  const conversation = await findConversation(context.get('dependencies').database, id);
  if (!conversation) throw notFound('conversation', id);
  authorizeKbResource(context, conversation.kbId, 'conversation', id);
  return conversation;
}

async function transcript(context: Context<AppEnvironment>, conversation: ConversationRecord): Promise<ConversationTranscript> {
  return conversationTranscript(conversation, await listConversationTurns(context.get('dependencies').database, conversation.id));
}
