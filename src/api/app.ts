import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import { OrioleError } from '../core/index.ts';
import type { AppDependencies, AppEnvironment } from './context.ts';
import { errorResponse, toOrioleError } from './error-response.ts';
import { healthRoutes } from './routes/health.ts';
import { documentRoutes } from './routes/documents.ts';
import { knowledgeBaseRoutes } from './routes/knowledge-bases.ts';
import { answerRoutes } from './routes/answers.ts';
import { searchRoutes } from './routes/search.ts';
import { chatCompletionRoutes } from './routes/chat-completions.ts';
import { evalRoutes } from './routes/evals.ts';

/** Largest body of /answer, /search and /v1/chat/completions: 50 history turns of 8,000 characters fit. */
export const maxQueryBodyBytes = 1024 * 1024;

export interface AppOptions {
  /** Told about every 5xx with its cause, for the log; clients only see the code. */
  onServerError?: (error: OrioleError, requestId: string | undefined) => void;
}

/** The Hono app, runtime-agnostic: Node and Workers entries pass in their dependencies. */
export function createApp(dependencies: AppDependencies, options: AppOptions = {}): OpenAPIHono<AppEnvironment> {
  const app = new OpenAPIHono<AppEnvironment>({
    defaultHook: (result) => {
      if (!result.success) {
        const issues = result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
        const summary = issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message));
        throw new OrioleError('invalid_request', `Invalid request: ${summary.join('; ')}`, { details: { issues } });
      }
    },
  });

  app.use('*', requestId({ headerName: 'X-Request-Id', limitLength: 128 }));
  app.use('*', async function provideDependencies(context, next) {
    context.set('dependencies', dependencies);
    await next();
  });

  // Questions and queries are small: a larger body is refused before it is read whole.
  for (const path of ['/answer', '/search', '/v1/chat/completions']) {
    app.use(
      path,
      bodyLimit({
        maxSize: maxQueryBodyBytes,
        onError: () => {
          throw new OrioleError('payload_too_large', `The request body is larger than ${maxQueryBodyBytes} bytes`, {
            details: { limit: maxQueryBodyBytes },
          });
        },
      }),
    );
  }

  app.route('/', healthRoutes());
  app.route('/', knowledgeBaseRoutes());
  app.route('/', documentRoutes());
  app.route('/', searchRoutes());
  app.route('/', answerRoutes());
  app.route('/', chatCompletionRoutes());
  app.route('/', evalRoutes());

  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'Oriole API', version: '0.1.0', description: 'Grounded answers with citations over your help docs.' },
  });

  app.notFound((context) =>
    errorResponse(context, new OrioleError('not_found', `No route for ${context.req.method} ${context.req.path}`)),
  );
  app.onError((error, context) => {
    const oriole = toOrioleError(error);
    if (oriole.code === 'internal' || oriole.code === 'migration_failed' || oriole.code === 'upstream_unavailable') {
      options.onServerError?.(oriole, context.get('requestId'));
    }
    return errorResponse(context, oriole);
  });
  return app;
}
