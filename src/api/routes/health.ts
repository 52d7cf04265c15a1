import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Database } from '../../db/index.ts';
import type { AppEnvironment, ReadinessCheck, ReadReplicas } from '../context.ts';

const HealthSchema = z.object({ status: z.literal('ok') }).openapi('Health');
const ReadinessSchema = z
  .object({
    status: z.enum(['ready', 'degraded', 'unavailable']),
    checks: z.record(z.string(), z.object({ ok: z.boolean(), message: z.string().optional() })),
  })
  .openapi('Readiness');

/** How long /ready waits for the database: a hung database must not hang the probe. */
export const readinessTimeoutMs = 2_000;

const healthRoute = createRoute({
  method: 'get',
  path: '/health',
  summary: 'Liveness: the process answers',
  responses: { 200: { description: 'Alive', content: { 'application/json': { schema: HealthSchema } } } },
});

const readyRoute = createRoute({
  method: 'get',
  path: '/ready',
  summary: 'Readiness: the database answers and the embedder is loaded',
  description:
    '`ready`: all checks pass. `degraded` (still 200): the database answers but the embedding model could not be ' +
    'loaded, so search runs lexical-only; the embedder check says why; or a read replica (DATABASE_READ_URL) is down or ' +
    'lagging, so its reads go to the primary (one check per replica). `unavailable` (503): the database does not ' +
    `answer within ${readinessTimeoutMs} ms.`,
  responses: {
    200: { description: 'Ready', content: { 'application/json': { schema: ReadinessSchema } } },
    503: { description: 'Not ready', content: { 'application/json': { schema: ReadinessSchema } } },
  },
});

export function healthRoutes(): OpenAPIHono<AppEnvironment> {
  const app = new OpenAPIHono<AppEnvironment>();
  app.openapi(healthRoute, (context) => context.json({ status: 'ok' as const }, 200));
  app.openapi(readyRoute, async (context) => {
    const { database, readiness, readReplicas } = context.get('dependencies');
    const checks: Record<string, ReadinessCheck> = { database: await databaseCheck(database) };
    if (readiness) checks.embedder = readiness.embedder();
    // A standby down or lagging costs speed, not answers (the primary serves): degraded, still 200.
    for (const replica of readReplicas?.status() ?? []) checks[`replica ${replica.name}`] = replicaCheck(replica);
    if (!checks.database!.ok) return context.json({ status: 'unavailable' as const, checks }, 503);
    const degraded = Object.values(checks).some((check) => !check.ok);
    return context.json({ status: degraded ? ('degraded' as const) : ('ready' as const), checks }, 200);
  });
  return app;
}

function replicaCheck({ state, lagMs, reads }: ReturnType<ReadReplicas['status']>[number]): ReadinessCheck {
  const lag = lagMs === null ? '' : `, ${lagMs} ms behind the primary`;
  if (state === 'ok') return { ok: true, message: `serving reads${lag}; ${reads} answered since start` };
  if (state === 'starting') return { ok: true, message: 'not checked yet; reads go to the primary meanwhile' };
  return { ok: false, message: state === 'lagging' ? `skipped: too far behind (ORIOLE_REPLICA_MAX_LAG_MS)${lag}` : 'skipped: not reachable, or no longer a standby; reads go to the primary' };
}

async function databaseCheck(database: Database): Promise<ReadinessCheck> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), readinessTimeoutMs);
  });
  try {
    const outcome = await Promise.race([database.query('SELECT 1').then(() => 'answered' as const), timedOut]);
    if (outcome === 'timeout') return { ok: false, message: `The database did not answer within ${readinessTimeoutMs} ms` };
    return { ok: true };
  } catch {
    // The cause is the server's business (logs); a probe only needs the verdict.
    return { ok: false, message: 'The database does not answer' };
  } finally {
    clearTimeout(timer);
  }
}
