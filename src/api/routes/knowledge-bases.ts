import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import {
  createKnowledgeBase,
  deleteKnowledgeBase,
  listKnowledgeBases,
  type KnowledgeBase,
  type KnowledgeBaseSummary,
} from '../../db/index.ts';
import { canSeeKb, forgetCachedKeys, requestKb } from '../auth.ts';
import type { AppEnvironment } from '../context.ts';
import {
  CreateKnowledgeBaseSchema,
  ErrorSchema,
  KnowledgeBaseNameSchema,
  KnowledgeBaseSchema,
  errorResponses,
} from '../schemas.ts';

const listRoute = createRoute({
  method: 'get',
  path: '/kbs',
  summary: 'List knowledge bases',
  responses: {
    200: {
      description: 'Knowledge bases with their sizes',
      content: { 'application/json': { schema: z.object({ kbs: z.array(KnowledgeBaseSchema) }) } },
    },
    503: errorResponses[503],
  },
});

const createKbRoute = createRoute({
  method: 'post',
  path: '/kbs',
  summary: 'Create a knowledge base',
  request: { body: { required: true, content: { 'application/json': { schema: CreateKnowledgeBaseSchema } } } },
  responses: {
    201: { description: 'Created', content: { 'application/json': { schema: KnowledgeBaseSchema } } },
    400: errorResponses[400],
    409: { description: 'A KB of that name exists', content: { 'application/json': { schema: ErrorSchema } } },
    503: errorResponses[503],
  },
});

const deleteRoute = createRoute({
  method: 'delete',
  path: '/kbs/{name}',
  summary: 'Delete a knowledge base and everything in it',
  request: { params: z.object({ name: KnowledgeBaseNameSchema }) },
  responses: {
    204: { description: 'Deleted' },
    404: { description: 'No such KB', content: { 'application/json': { schema: ErrorSchema } } },
    503: errorResponses[503],
  },
});

export function knowledgeBaseRoutes(): OpenAPIHono<AppEnvironment> {
  const app = new OpenAPIHono<AppEnvironment>();
  app.openapi(listRoute, async (context) => {
    const { database } = context.get('dependencies');
    const kbs = await listKnowledgeBases(database);
    return context.json({ kbs: kbs.filter((kb) => canSeeKb(context, kb)).map(toResponse) }, 200);
  });
  app.openapi(createKbRoute, async (context) => {
    const { database, defaultEmbedder } = context.get('dependencies');
    const body = context.req.valid('json');
    // A bound admin key may not create other KBs (its own exists already: a conflict).
    const name = requestKb(context, body.name);
    const kb = await createKnowledgeBase(database, { name, embedder: body.embedder ?? defaultEmbedder });
    return context.json(toResponse(kb), 201);
  });
  app.openapi(deleteRoute, async (context) => {
    const { database } = context.get('dependencies');
    await deleteKnowledgeBase(database, requestKb(context, context.req.valid('param').name));
    // Its keys went with it.
    forgetCachedKeys(context);
    return context.body(null, 204);
  });
  return app;
}

function toResponse(kb: KnowledgeBase | KnowledgeBaseSummary): z.infer<typeof KnowledgeBaseSchema> {
  return {
    name: kb.name,
    embedder: kb.embedder,
    embeddingDim: kb.embeddingDim,
    version: kb.version,
    ...('documentCount' in kb ? { documentCount: kb.documentCount, chunkCount: kb.chunkCount } : {}),
    createdAt: kb.createdAt.toISOString(),
    updatedAt: kb.updatedAt.toISOString(),
  };
}
