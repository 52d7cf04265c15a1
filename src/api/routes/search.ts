import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { webUrlOrNull, type Passage } from '../../core/index.ts';
import { requestKb } from '../auth.ts';
import type { AppEnvironment } from '../context.ts';
import { requestLimits } from '../limits.ts';
import { cleanText, ErrorSchema, KnowledgeBaseNameSchema, PassageSchema, RetrievalInfoSchema, SearchFiltersSchema, errorResponses } from '../schemas.ts';

const SearchRequestSchema = z
  .object({
    query: cleanText().trim().min(1).max(requestLimits.questionChars).openapi({ example: 'refund annual plan' }),
    kb: KnowledgeBaseNameSchema.optional(),
    topK: z.number().int().min(1).max(requestLimits.searchTopK).optional().openapi({ description: 'Passages to return; default 10' }),
    filters: SearchFiltersSchema.optional(),
  })
  .strict()
  .openapi('SearchRequest');

const searchRoute = createRoute({
  method: 'post',
  path: '/search',
  summary: 'Search a knowledge base: the passages an answer would be grounded in',
  request: { body: { required: true, content: { 'application/json': { schema: SearchRequestSchema } } } },
  responses: {
    200: {
      description: 'Passages, best first',
      content: { 'application/json': { schema: z.object({ results: z.array(PassageSchema), retrieval: RetrievalInfoSchema }) } },
    },
    400: errorResponses[400],
    404: { description: 'No such knowledge base', content: { 'application/json': { schema: ErrorSchema } } },
    409: { description: 'The KB was embedded with another model (embedder_mismatch)', content: { 'application/json': { schema: ErrorSchema } } },
    503: errorResponses[503],
  },
});

const defaultSearchTopK = 10;

export function searchRoutes(): OpenAPIHono<AppEnvironment> {
  const app = new OpenAPIHono<AppEnvironment>();
  app.openapi(searchRoute, async (context) => {
    const { answers } = context.get('dependencies');
    const body = context.req.valid('json');
    const { passages, info } = await answers.search({
      query: body.query,
      topK: body.topK ?? defaultSearchTopK,
      kb: requestKb(context, body.kb),
      ...(body.filters ? { filters: body.filters } : {}),
    });
    return context.json({ results: passages.map(passageResponse), retrieval: info }, 200);
  });
  return app;
}

export function passageResponse(passage: Passage): z.infer<typeof PassageSchema> {
  return {
    chunkId: passage.chunkId,
    documentId: passage.documentId,
    source: passage.source,
    title: passage.title,
    url: webUrlOrNull(passage.url),
    heading: passage.heading,
    text: passage.text,
    score: passage.score,
  };
}
