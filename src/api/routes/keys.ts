import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { notFound } from '../../core/index.ts';
import {
  apiKeyScopes,
  createApiKey,
  getKnowledgeBase,
  isUuid,
  listApiKeys,
  maxKeyOrigins,
  maxKeyRatePerMinute,
  revokeApiKey,
  type ApiKeyRecord,
} from '../../db/index.ts';
import { forgetCachedKeys } from '../auth.ts';
import type { AppEnvironment } from '../context.ts';
import { cleanText, ErrorSchema, KnowledgeBaseNameSchema, errorResponses } from '../schemas.ts';

/**
 * Key management for the admin console, the same operations as `oriole keys`
 * (docs/auth.md). Admin keys not bound to a KB only (auth.ts): a bound admin key must
 * not mint a key for every KB.
 */

const ApiKeySchema = z
  .object({
    id: z.string(),
    name: z.string().nullable(),
    prefix: z.string().openapi({ description: "The key's first characters, to tell keys apart", example: 'oriole_Ab3xZ' }),
    scope: z.enum(apiKeyScopes),
    kb: z.string().nullable().openapi({ description: 'The knowledge base the key is bound to; null: every one' }),
    origins: z.array(z.string()).openapi({ description: 'Web origins a widget key is accepted from; empty: any caller' }),
    ratePerMinute: z.number().int().nullable().openapi({ description: "The key's own rate limit; null: the server's" }),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .openapi('ApiKey');

const CreatedApiKeySchema = ApiKeySchema.extend({
  key: z.string().openapi({ description: 'The key itself: shown this once, only its hash is stored' }),
}).openapi('CreatedApiKey');

const CreateApiKeySchema = z
  .object({
    scope: z.enum(apiKeyScopes),
    kb: KnowledgeBaseNameSchema.optional().openapi({ description: 'Bind the key to this knowledge base' }),
    origins: z
      .array(z.string().max(300))
      .max(maxKeyOrigins)
      .optional()
      .openapi({
        description: 'Accept the key only from these browser origins (a widget key: query scope and a kb are required)',
        example: ['https://help.example.com'],
      }),
    ratePerMinute: z.number().int().min(1).max(maxKeyRatePerMinute).optional(),
    name: cleanText().trim().min(1).max(200).optional().openapi({ description: 'A label to tell keys apart' }),
  })
  .strict()
  .openapi('CreateApiKey');

const IdParams = z.object({ id: z.string().max(64).openapi({ param: { name: 'id', in: 'path' } }) });

const listKeysRoute = createRoute({
  method: 'get',
  path: '/keys',
  summary: 'Every API key, revoked ones included; never a key itself',
  responses: {
    200: { description: 'The keys, oldest first', content: { 'application/json': { schema: z.object({ keys: z.array(ApiKeySchema) }) } } },
    503: errorResponses[503],
  },
});

const createKeyRoute = createRoute({
  method: 'post',
  path: '/keys',
  summary: 'Create an API key; the response is the only time the key is shown',
  request: { body: { required: true, content: { 'application/json': { schema: CreateApiKeySchema } } } },
  responses: {
    201: { description: 'Created', content: { 'application/json': { schema: CreatedApiKeySchema } } },
    400: errorResponses[400],
    404: { description: 'No such knowledge base', content: { 'application/json': { schema: ErrorSchema } } },
    503: errorResponses[503],
  },
});

const revokeKeyRoute = createRoute({
  method: 'delete',
  path: '/keys/{id}',
  summary: 'Revoke a key at once',
  request: { params: IdParams },
  responses: {
    204: { description: 'Revoked' },
    404: { description: 'No active key with this id', content: { 'application/json': { schema: ErrorSchema } } },
  },
});

export function keyRoutes(): OpenAPIHono<AppEnvironment> {
  const app = new OpenAPIHono<AppEnvironment>();

  app.openapi(listKeysRoute, async (context) => {
    const keys = await listApiKeys(context.get('dependencies').database);
    return context.json({ keys: keys.map(toResponse) }, 200);
  });

  app.openapi(createKeyRoute, async (context) => {
    const { database } = context.get('dependencies');
    const body = context.req.valid('json');
    const kb = body.kb === undefined ? null : await getKnowledgeBase(database, body.kb);
    const { key, record } = await createApiKey(database, {
      scope: body.scope,
      kbId: kb?.id ?? null,
      name: body.name ?? null,
      origins: body.origins ?? [],
      ratePerMinute: body.ratePerMinute ?? null,
    });
    return context.json({ ...toResponse(record), key }, 201);
  });

  app.openapi(revokeKeyRoute, async (context) => {
    const { id } = context.req.valid('param');
    // The CLI also takes a prefix; the API names keys by id only.
    if (!isUuid(id)) throw notFound('key', id);
    await revokeApiKey(context.get('dependencies').database, id);
    forgetCachedKeys(context);
    return context.body(null, 204);
  });

  return app;
}

function toResponse(record: ApiKeyRecord): z.infer<typeof ApiKeySchema> {
  return {
    id: record.id,
    name: record.name,
    prefix: record.prefix,
    scope: record.scope,
    kb: record.kbName,
    origins: record.origins,
    ratePerMinute: record.ratePerMinute,
    createdAt: record.createdAt.toISOString(),
    lastUsedAt: record.lastUsedAt?.toISOString() ?? null,
    revokedAt: record.revokedAt?.toISOString() ?? null,
  };
}
