import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnvironment } from '../context.ts';

const HealthSchema = z.object({ status: z.literal('ok') }).openapi('Health');
const ReadinessSchema = z
  .object({
    status: z.enum(['ready', 'degraded', 'unavailable']),
    checks: z.record(z.string(), z.object({ ok: z.boolean(), message: z.string().optional() })),
  })
  .openapi('Readiness');

const healthRoute = createRoute({
  method: 'get',
  path: '/health',
  summary: 'Liveness: the process answers',
  responses: { 200: { description: 'Alive', content: { 'application/json': { schema: HealthSchema } } } },
});

const readyRoute = createRoute({
  method: 'get',
  path: '/ready',
  summary: 'Readiness: the database answers',
  responses: {
    200: { description: 'Ready', content: { 'application/json': { schema: ReadinessSchema } } },
    503: { description: 'Not ready', content: { 'application/json': { schema: ReadinessSchema } } },
  },
});

export function healthRoutes(): OpenAPIHono<AppEnvironment> {
  const app = new OpenAPIHono<AppEnvironment>();
  app.openapi(healthRoute, (context) => context.json({ status: 'ok' as const }, 200));
  app.openapi(readyRoute, async (context) => {
    const { database } = context.get('dependencies');
    const ok = await database.query('SELECT 1').then(
      () => true,
      () => false,
    );
    const checks = { database: ok ? { ok } : { ok, message: 'The database does not answer' } };
    return ok
      ? context.json({ status: 'ready' as const, checks }, 200)
      : context.json({ status: 'unavailable' as const, checks }, 503);
  });
  return app;
}
