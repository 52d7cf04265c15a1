import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { analyticsDefaults, buildAnalyticsSummary, isIsoDate, resolvePeriod } from '../../analytics/index.ts';
import { valueKinds } from '../../answer/index.ts';
import { getKnowledgeBase } from '../../db/index.ts';
import { authorizeKb, requestKb } from '../auth.ts';
import type { AppEnvironment } from '../context.ts';
import { ErrorSchema, KnowledgeBaseNameSchema, errorResponses } from '../schemas.ts';

const IsoDateSchema = z
  .string()
  .refine(isIsoDate, 'must be an ISO 8601 date (2026-03-01) or date-time with a zone (2026-03-01T09:30:00Z)');

const SummaryQuerySchema = z.object({
  kb: KnowledgeBaseNameSchema.optional(),
  from: IsoDateSchema.optional().openapi({ description: 'Start, inclusive; default 30 days before `to`', example: '2026-03-01' }),
  to: IsoDateSchema.optional().openapi({
    description: 'End, exclusive; a date alone means the end of that day (UTC); default now',
    example: '2026-03-31',
  }),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(analyticsDefaults.maxLimit)
    .optional()
    .openapi({ description: `Entries per list; default ${analyticsDefaults.limit}` }),
});

const CitedDocumentSchema = z.object({ source: z.string(), title: z.string().nullable() });

const ConversationRatesSchema = z.object({
  conversations: z.number().int(),
  resolved: z.number().int(),
  handedOff: z.number().int(),
  abstained: z.number().int().openapi({ description: 'Conversations whose outcome is abstained: their last turn abstained' }),
  resolutionRate: z.number().nullable(),
  handoffRate: z.number().nullable(),
  abstentionRate: z.number().nullable(),
});

const AnalyticsSummarySchema = z
  .object({
    kb: z.string(),
    period: z.object({ from: z.string(), to: z.string() }).openapi({ description: 'ISO date-times; `to` exclusive' }),
    totals: z.object({
      answers: z.number().int(),
      abstained: z.number().int(),
      abstentionRate: z.number().nullable().openapi({ description: 'abstained / answers; null without answers' }),
      feedbackUp: z.number().int().openapi({ description: 'Answers whose latest rating is up' }),
      feedbackDown: z.number().int().openapi({ description: 'Answers whose latest rating is down' }),
      documents: z.number().int().openapi({ description: 'Ready documents that existed before the period ended' }),
      neverCitedDocuments: z.number().int().openapi({ description: 'Of those, how many no answer of the period cited' }),
    }),
    topQuestions: z.array(
      z.object({
        question: z.string().openapi({ description: 'The most frequent wording of the group' }),
        count: z.number().int(),
        abstainedCount: z.number().int(),
        lastAskedAt: z.string(),
      }),
    ),
    unansweredGroups: z.array(
      z.object({
        representative: z.string(),
        count: z.number().int().openapi({ description: 'Abstained answers to questions of the group' }),
        questions: z.array(z.string()).openapi({ description: 'Up to 5 wordings, most frequent first' }),
        lastAskedAt: z.string(),
      }),
    ),
    lowRatedAnswers: z.array(
      z.object({
        answerId: z.string(),
        question: z.string(),
        answer: z.string(),
        citations: z.array(CitedDocumentSchema),
        comment: z.string().nullable(),
        ratedAt: z.string(),
      }),
    ),
    neverCitedDocuments: z.array(z.object({ documentId: z.string(), source: z.string(), title: z.string().nullable() })),
    byDay: z.array(z.object({ day: z.string(), answers: z.number().int(), abstained: z.number().int() })),
    curatedAnswers: z
      .array(
        z.object({
          id: z.string(),
          question: z.string().openapi({ description: 'Its first phrasing' }),
          enabled: z.boolean(),
          hits: z.number().int().openapi({ description: 'Answers served from it since it was written' }),
          periodHits: z.number().int().openapi({ description: 'Of those, answers of the period (eval runs left out)' }),
        }),
      )
      .openapi({ description: 'Curated answers of the KB, most served in the period first (docs/curated-answers.md)' }),
    conversations: ConversationRatesSchema.extend({ byDay: z.array(ConversationRatesSchema.extend({ day: z.string() })) }).openapi({
      description:
        'Conversations started in the period, by their outcome now: in all and per UTC day (every day of the period). ' +
        'Rates are shares of the conversations, null when there were none (docs/conversations.md)',
    }),
    conflictingDocuments: z
      .array(
        z.object({
          kind: z.enum(valueKinds),
          documents: z
            .array(z.object({ source: z.string(), title: z.string().nullable(), value: z.string(), text: z.string() }))
            .openapi({ description: 'The two documents, by source, with the value each stated the last time and the sentence stating it' }),
          count: z.number().int().openapi({ description: 'Answers of the period whose sources showed this disagreement' }),
          question: z.string().openapi({ description: 'The latest question that exposed it' }),
          lastAskedAt: z.string(),
        }),
      )
      .openapi({
        description:
          'Pairs of documents that stated different values for what a question asked (a price, a limit, a duration, a date, a version), ' +
          'most often exposed first (docs/answers.md, "Sources that disagree")',
      }),
  })
  .openapi('AnalyticsSummary');

const summaryRoute = createRoute({
  method: 'get',
  path: '/analytics/summary',
  summary: "A KB's questions over a period: top and unanswered questions (similar ones grouped), low-rated answers, documents never cited",
  description: "Eval runs (answers logged with channel 'eval') are left out. See docs/analytics.md.",
  request: { query: SummaryQuerySchema },
  responses: {
    200: { description: 'The summary', content: { 'application/json': { schema: AnalyticsSummarySchema } } },
    400: errorResponses[400],
    404: { description: 'No such knowledge base', content: { 'application/json': { schema: ErrorSchema } } },
    503: errorResponses[503],
  },
});

export function analyticsRoutes(): OpenAPIHono<AppEnvironment> {
  const app = new OpenAPIHono<AppEnvironment>();
  app.openapi(summaryRoute, async (context) => {
    const { database } = context.get('dependencies');
    const query = context.req.valid('query');
    const period = resolvePeriod({ from: query.from, to: query.to }, new Date());
    const kb = await getKnowledgeBase(database, requestKb(context, query.kb));
    authorizeKb(context, kb);
    const summary = await buildAnalyticsSummary(database, { kb, period, limit: query.limit ?? analyticsDefaults.limit });
    return context.json(summary, 200);
  });
  return app;
}
