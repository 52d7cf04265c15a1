import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { mergeKbSettings } from '../../core/index.ts';
import { getKnowledgeBase, updateKbSettings } from '../../db/index.ts';
import { requestKb } from '../auth.ts';
import type { AppEnvironment } from '../context.ts';
import { ErrorSchema, KbSettingsPatchSchema, KbSettingsResponseSchema, KnowledgeBaseNameSchema, errorResponses } from '../schemas.ts';

const params = z.object({ name: KnowledgeBaseNameSchema });
const notFoundResponse = { description: 'No such KB', content: { 'application/json': { schema: ErrorSchema } } };
const forbiddenResponse = { description: 'A key bound to another KB', content: { 'application/json': { schema: ErrorSchema } } };

const getSettingsRoute = createRoute({
  method: 'get',
  path: '/kbs/{name}/settings',
  summary: "A knowledge base's answer settings and their version",
  request: { params },
  responses: {
    200: { description: 'The settings (only those set) and their version', content: { 'application/json': { schema: KbSettingsResponseSchema } } },
    403: forbiddenResponse,
    404: notFoundResponse,
    503: errorResponses[503],
  },
});

const patchSettingsRoute = createRoute({
  method: 'patch',
  path: '/kbs/{name}/settings',
  summary: "Change a knowledge base's answer settings",
  description:
    'Each field named replaces the stored one whole (send all of `abstentionMessage` or `handoff` to change one part); ' +
    '`null` removes a field; fields not named are kept. Every change bumps the settings version: later answers use the new ' +
    'settings at once, and no answer cached under the old ones is served again.',
  request: { params, body: { required: true, content: { 'application/json': { schema: KbSettingsPatchSchema } } } },
  responses: {
    200: { description: 'The settings after the change', content: { 'application/json': { schema: KbSettingsResponseSchema } } },
    400: errorResponses[400],
    403: forbiddenResponse,
    404: notFoundResponse,
    503: errorResponses[503],
  },
});

/** `GET/PATCH /kbs/:name/settings` (docs/kb-settings.md): admin scope; a bound key reaches its own KB only. */
export function kbSettingsRoutes(): OpenAPIHono<AppEnvironment> {
  const app = new OpenAPIHono<AppEnvironment>();
  app.openapi(getSettingsRoute, async (context) => {
    const { database } = context.get('dependencies');
    const kb = await getKnowledgeBase(database, requestKb(context, context.req.valid('param').name));
    return context.json({ kb: kb.name, version: kb.settingsVersion, settings: kb.settings }, 200);
  });
  app.openapi(patchSettingsRoute, async (context) => {
    const { database } = context.get('dependencies');
    const name = requestKb(context, context.req.valid('param').name);
    // Each field is validated on its own by the schema, so any merge of valid fields is valid.
    const patch = context.req.valid('json');
    const stored = await updateKbSettings(database, name, (current) => mergeKbSettings(current, patch));
    return context.json(stored, 200);
  });
  return app;
}
