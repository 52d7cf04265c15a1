import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { notFound } from '../../core/index.ts';
import { findAnswerKnowledgeBase, recordFeedback, resolveConversationByAnswer } from '../../db/index.ts';
import { authorizeKbResource } from '../auth.ts';
import type { AppEnvironment } from '../context.ts';
import { cleanText, ErrorSchema, errorResponses } from '../schemas.ts';

const FeedbackRequestSchema = z
  .object({
    answerId: z.uuid().openapi({ description: 'The `answerId` of a POST /answer response' }),
    rating: z.enum(['up', 'down']),
    comment: cleanText().trim().max(2000).optional().openapi({ example: 'The steps are for the old app' }),
  })
  .strict()
  .openapi('FeedbackRequest');

const FeedbackSchema = z
  .object({
    id: z.string(),
    answerId: z.string(),
    rating: z.enum(['up', 'down']),
    createdAt: z.string(),
  })
  .openapi('Feedback');

const feedbackRoute = createRoute({
  method: 'post',
  path: '/feedback',
  summary: "Rate an answer up or down, with an optional comment (the content team's signal)",
  description:
    'Every rating is kept; a user who changes their mind posts again, and analytics count the latest rating of each answer. ' +
    "An `up` on the last answer of a conversation marks the conversation resolved (unless it was handed off).",
  request: { body: { required: true, content: { 'application/json': { schema: FeedbackRequestSchema } } } },
  responses: {
    201: { description: 'Recorded', content: { 'application/json': { schema: FeedbackSchema } } },
    400: errorResponses[400],
    404: { description: 'No such answer', content: { 'application/json': { schema: ErrorSchema } } },
    413: { description: 'Body over its limit (src/api/limits.ts)', content: { 'application/json': { schema: ErrorSchema } } },
    503: errorResponses[503],
  },
});

export function feedbackRoutes(): OpenAPIHono<AppEnvironment> {
  const app = new OpenAPIHono<AppEnvironment>();
  app.openapi(feedbackRoute, async (context) => {
    const { database } = context.get('dependencies');
    const body = context.req.valid('json');
    const kb = await findAnswerKnowledgeBase(database, body.answerId);
    if (!kb) throw notFound('answer', body.answerId);
    // An answer of another KB than the key's looks exactly like an unknown one.
    authorizeKbResource(context, kb.id, 'answer', body.answerId);
    const feedback = await recordFeedback(database, {
      answerId: body.answerId,
      rating: body.rating,
      comment: body.comment ? body.comment : null,
    });
    // A thumbs-up on the last answer of a conversation resolves it (docs/conversations.md).
    if (body.rating === 'up') await resolveConversationByAnswer(database, body.answerId);
    return context.json(
      { id: feedback.id, answerId: feedback.answerId, rating: feedback.rating, createdAt: feedback.createdAt.toISOString() },
      201,
    );
  });
  return app;
}
