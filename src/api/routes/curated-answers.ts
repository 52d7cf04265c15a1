import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { createCurated, getCurated, listCurated, removeCurated, updateCurated } from '../../answer/index.ts';
import { getKnowledgeBase, type CuratedAnswer, type KnowledgeBase } from '../../db/index.ts';
import { authorizeKb, requestKb } from '../auth.ts';
import type { AppEnvironment } from '../context.ts';
import { CreateCuratedAnswerSchema, CuratedAnswerSchema, UpdateCuratedAnswerSchema } from '../curated-answer-schemas.ts';
import { ErrorSchema, KnowledgeBaseNameSchema, errorResponses } from '../schemas.ts';

const tags = ['Curated answers'];
const kbParams = z.object({ name: KnowledgeBaseNameSchema });
const itemParams = z.object({ name: KnowledgeBaseNameSchema, id: z.string().min(1).max(64) });
const notFoundResponse = { description: 'No such knowledge base or curated answer', content: { 'application/json': { schema: ErrorSchema } } };
const forbiddenResponse = { description: 'A key bound to another knowledge base', content: { 'application/json': { schema: ErrorSchema } } };

const createRouteDefinition = createRoute({
  method: 'post',
  path: '/kbs/{name}/curated-answers',
  tags,
  summary: 'Add a curated answer: served word for word when a question matches one of its phrasings',
  description:
    'Needs the admin or ingest scope. Each cited source must name a document of the KB (400 naming the field otherwise). ' +
    'With `fromAnswerId` the question of that logged answer becomes the first phrasing. See docs/curated-answers.md.',
  request: { params: kbParams, body: { required: true, content: { 'application/json': { schema: CreateCuratedAnswerSchema } } } },
  responses: {
    201: { description: 'Created', content: { 'application/json': { schema: CuratedAnswerSchema } } },
    400: errorResponses[400],
    403: forbiddenResponse,
    404: notFoundResponse,
    503: errorResponses[503],
  },
});

const listRouteDefinition = createRoute({
  method: 'get',
  path: '/kbs/{name}/curated-answers',
  tags,
  summary: "The KB's curated answers, oldest first, with their hit counts",
  request: { params: kbParams },
  responses: {
    200: {
      description: 'Curated answers',
      content: { 'application/json': { schema: z.object({ curatedAnswers: z.array(CuratedAnswerSchema) }) } },
    },
    403: forbiddenResponse,
    404: notFoundResponse,
    503: errorResponses[503],
  },
});

const getRouteDefinition = createRoute({
  method: 'get',
  path: '/kbs/{name}/curated-answers/{id}',
  tags,
  summary: 'One curated answer',
  request: { params: itemParams },
  responses: {
    200: { description: 'The curated answer', content: { 'application/json': { schema: CuratedAnswerSchema } } },
    403: forbiddenResponse,
    404: notFoundResponse,
    503: errorResponses[503],
  },
});

const patchRouteDefinition = createRoute({
  method: 'patch',
  path: '/kbs/{name}/curated-answers/{id}',
  tags,
  summary: 'Change a curated answer (the fields given replace the stored ones); takes effect on the next question',
  request: { params: itemParams, body: { required: true, content: { 'application/json': { schema: UpdateCuratedAnswerSchema } } } },
  responses: {
    200: { description: 'The changed curated answer', content: { 'application/json': { schema: CuratedAnswerSchema } } },
    400: errorResponses[400],
    403: forbiddenResponse,
    404: notFoundResponse,
    503: errorResponses[503],
  },
});

const deleteRouteDefinition = createRoute({
  method: 'delete',
  path: '/kbs/{name}/curated-answers/{id}',
  tags,
  summary: 'Delete a curated answer',
  request: { params: itemParams },
  responses: {
    204: { description: 'Deleted' },
    403: forbiddenResponse,
    404: notFoundResponse,
    503: errorResponses[503],
  },
});

export function curatedAnswerRoutes(): OpenAPIHono<AppEnvironment> {
  const app = new OpenAPIHono<AppEnvironment>();
  app.openapi(createRouteDefinition, async (context) => {
    const kb = await knowledgeBase(context, context.req.valid('param').name);
    const created = await createCurated(context.get('dependencies').database, kb, context.req.valid('json'));
    return context.json(curatedAnswerResponse(created, kb), 201);
  });
  app.openapi(listRouteDefinition, async (context) => {
    const kb = await knowledgeBase(context, context.req.valid('param').name);
    const answers = await listCurated(context.get('dependencies').database, kb);
    return context.json({ curatedAnswers: answers.map((answer) => curatedAnswerResponse(answer, kb)) }, 200);
  });
  app.openapi(getRouteDefinition, async (context) => {
    const { name, id } = context.req.valid('param');
    const kb = await knowledgeBase(context, name);
    return context.json(curatedAnswerResponse(await getCurated(context.get('dependencies').database, kb, id), kb), 200);
  });
  app.openapi(patchRouteDefinition, async (context) => {
    const { name, id } = context.req.valid('param');
    const kb = await knowledgeBase(context, name);
    const updated = await updateCurated(context.get('dependencies').database, kb, id, context.req.valid('json'));
    return context.json(curatedAnswerResponse(updated, kb), 200);
  });
  app.openapi(deleteRouteDefinition, async (context) => {
    const { name, id } = context.req.valid('param');
    const kb = await knowledgeBase(context, name);
    await removeCurated(context.get('dependencies').database, kb, id);
    return context.body(null, 204);
  });
  return app;
}

/** The KB named in the path, when the key may reach it: a key bound to another KB is `forbidden`. */
async function knowledgeBase(context: Context<AppEnvironment>, name: string): Promise<KnowledgeBase> {
  const kb = await getKnowledgeBase(context.get('dependencies').database, requestKb(context, name));
  authorizeKb(context, kb);
  return kb;
}

export function curatedAnswerResponse(answer: CuratedAnswer, kb: Pick<KnowledgeBase, 'name'>): z.infer<typeof CuratedAnswerSchema> {
  return {
    id: answer.id,
    kb: kb.name,
    questions: answer.questions,
    answer: answer.answer,
    citations: answer.citations,
    tags: answer.tags,
    enabled: answer.enabled,
    hits: answer.hits,
    createdAt: answer.createdAt.toISOString(),
    updatedAt: answer.updatedAt.toISOString(),
  };
}
