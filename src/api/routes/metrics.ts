import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnvironment } from '../context.ts';

const metricsRoute = createRoute({
  method: 'get',
  path: '/metrics',
  summary: 'Prometheus metrics: requests, answers, abstentions, LLM and embedder errors, ingestion',
  description: 'The Prometheus text exposition format (version 0.0.4); names and labels in docs/observability.md.',
  responses: {
    200: {
      description: 'Metrics in the Prometheus text format',
      content: { 'text/plain': { schema: z.string().openapi({ example: 'oriole_http_requests_total{route="/answer",method="POST",status="200"} 12' }) } },
    },
  },
});

export function metricsRoutes(): OpenAPIHono<AppEnvironment> {
  const app = new OpenAPIHono<AppEnvironment>();
  app.openapi(metricsRoute, async (context) => {
    const { contentType, body } = await context.get('dependencies').metrics.render();
    return context.body(body, 200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' }) as never;
  });
  return app;
}
