import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { KbAccessCheck } from '../../core/index.ts';
import { authorizeKb, authorizeKbResource, requestKb } from '../auth.ts';
import type { AppEnvironment } from '../context.ts';
import { ErrorSchema, KnowledgeBaseNameSchema, errorResponses } from '../schemas.ts';
import { CreateSourceSchema, SourceSchema, SyncRequestSchema, UpdateSourceSchema } from '../source-schemas.ts';

const tags = ['Sources'];
const kbParams = z.object({ name: KnowledgeBaseNameSchema });
const idParams = z.object({ id: z.string().min(1).max(64) });
const notFoundResponse = { description: 'No such knowledge base or source', content: { 'application/json': { schema: ErrorSchema } } };
const forbiddenResponse = { description: 'A key bound to another knowledge base', content: { 'application/json': { schema: ErrorSchema } } };
const conflictResponse = { description: 'The knowledge base has a source of that name', content: { 'application/json': { schema: ErrorSchema } } };

const createRouteDefinition = createRoute({
  method: 'post',
  path: '/kbs/{name}/sources',
  tags,
  summary: 'Add a source the KB stays in sync with (a help center, a repository, a site); its first sync is queued at once',
  description:
    'Needs the admin scope. Credentials in `config` (`token`) are sealed with ORIOLE_SECRET_KEY (refused without it) and never returned. ' +
    'See docs/sources.md for each type.',
  request: { params: kbParams, body: { required: true, content: { 'application/json': { schema: CreateSourceSchema } } } },
  responses: {
    201: { description: 'Created; `jobId` is its first sync', content: { 'application/json': { schema: SourceSchema } } },
    400: errorResponses[400],
    403: forbiddenResponse,
    404: notFoundResponse,
    409: conflictResponse,
    503: errorResponses[503],
  },
});

const listRouteDefinition = createRoute({
  method: 'get',
  path: '/kbs/{name}/sources',
  tags,
  summary: "The KB's sources by name, each with its last run and next run",
  request: { params: kbParams },
  responses: {
    200: { description: 'Sources', content: { 'application/json': { schema: z.object({ sources: z.array(SourceSchema) }) } } },
    403: forbiddenResponse,
    404: notFoundResponse,
    503: errorResponses[503],
  },
});

const getRouteDefinition = createRoute({
  method: 'get',
  path: '/sources/{id}',
  tags,
  summary: 'One source: status, last run (added, updated, unchanged, deleted, failed), next run, last error',
  request: { params: idParams },
  responses: {
    200: { description: 'The source', content: { 'application/json': { schema: SourceSchema } } },
    404: notFoundResponse,
    503: errorResponses[503],
  },
});

const patchRouteDefinition = createRoute({
  method: 'patch',
  path: '/sources/{id}',
  tags,
  summary: 'Change a source: name, schedule, or config (merged; a changed setting lists everything on the next run)',
  request: { params: idParams, body: { required: true, content: { 'application/json': { schema: UpdateSourceSchema } } } },
  responses: {
    200: { description: 'The changed source', content: { 'application/json': { schema: SourceSchema } } },
    400: errorResponses[400],
    404: notFoundResponse,
    409: conflictResponse,
    503: errorResponses[503],
  },
});

const deleteRouteDefinition = createRoute({
  method: 'delete',
  path: '/sources/{id}',
  tags,
  summary: 'Remove a source and every document it brought in (documents added by hand stay)',
  request: { params: idParams },
  responses: {
    200: {
      description: 'Removed',
      content: { 'application/json': { schema: z.object({ id: z.string(), documentsRemoved: z.number().int() }) } },
    },
    404: notFoundResponse,
    503: errorResponses[503],
  },
});

const syncRouteDefinition = createRoute({
  method: 'post',
  path: '/sources/{id}/sync',
  tags,
  summary: 'Sync now: queues a sync (or returns the one already queued or running); follow it with GET /jobs/:id',
  request: { params: idParams, body: { required: false, content: { 'application/json': { schema: SyncRequestSchema } } } },
  responses: {
    202: {
      description: 'Queued',
      content: { 'application/json': { schema: z.object({ jobId: z.string(), queued: z.boolean().openapi({ description: 'false: a sync was already pending; its job is returned' }) }) } },
    },
    400: errorResponses[400],
    404: notFoundResponse,
    503: errorResponses[503],
  },
});

export function sourceRoutes(): OpenAPIHono<AppEnvironment> {
  const app = new OpenAPIHono<AppEnvironment>();
  app.openapi(createRouteDefinition, async (context) => {
    const kbName = requestKb(context, context.req.valid('param').name);
    const { source, jobId } = await context.get('dependencies').sources.create(kbName, context.req.valid('json'), kbAccess(context, kbName));
    return context.json({ ...source, jobId }, 201);
  });
  app.openapi(listRouteDefinition, async (context) => {
    const kbName = requestKb(context, context.req.valid('param').name);
    const sources = await context.get('dependencies').sources.list(kbName, kbAccess(context, kbName));
    return context.json({ sources }, 200);
  });
  app.openapi(getRouteDefinition, async (context) => {
    const { id } = context.req.valid('param');
    return context.json(await context.get('dependencies').sources.get(id, resourceAccess(context, id)), 200);
  });
  app.openapi(patchRouteDefinition, async (context) => {
    const { id } = context.req.valid('param');
    return context.json(await context.get('dependencies').sources.update(id, context.req.valid('json'), resourceAccess(context, id)), 200);
  });
  app.openapi(deleteRouteDefinition, async (context) => {
    const { id } = context.req.valid('param');
    const removed = await context.get('dependencies').sources.remove(id, resourceAccess(context, id));
    return context.json({ id, ...removed }, 200);
  });
  app.openapi(syncRouteDefinition, async (context) => {
    const { id } = context.req.valid('param');
    const body = (context.req.valid('json') as z.infer<typeof SyncRequestSchema> | undefined) ?? {};
    const queued = await context.get('dependencies').sources.sync(id, body, resourceAccess(context, id));
    return context.json(queued, 202);
  });
  return app;
}

/** A key bound to one KB reaches only that KB's sources; another's are `forbidden` by name. */
function kbAccess(context: Context<AppEnvironment>, kbName: string): KbAccessCheck {
  return (kbId) => authorizeKb(context, { id: kbId, name: kbName });
}

/** By id: a source of another KB answers as an unknown id. */
function resourceAccess(context: Context<AppEnvironment>, id: string): KbAccessCheck {
  return (kbId) => authorizeKbResource(context, kbId, 'source', id);
}
