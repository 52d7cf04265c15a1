import { OpenAPIHono } from '@hono/zod-openapi';
import { requestId } from 'hono/request-id';
import { OrioleError } from '../core/index.ts';
import type { MiddlewareHandler } from 'hono';
import type { AppDependencies, AppEnvironment, ReadReplicas } from './context.ts';
import { authentication } from './auth.ts';
import { corsFor, corsForWidgetKeys } from './cors.ts';
import { limitRequestBodies } from './limits.ts';
import { rateLimit } from './rate-limit.ts';
import { requestTimeout } from './request-timeout.ts';
import { validateRequestText } from './request-text.ts';
import { allowedMethodsFor } from './allowed-methods.ts';
import { renderApiReference } from './api-reference.ts';
import { errorResponse, isClientAbort, toOrioleError } from './error-response.ts';
import { observeRequests } from './observability.ts';
import { healthRoutes } from './routes/health.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { documentRoutes } from './routes/documents.ts';
import { knowledgeBaseRoutes } from './routes/knowledge-bases.ts';
import { kbSettingsRoutes } from './routes/kb-settings.ts';
import { answerRoutes } from './routes/answers.ts';
import { searchRoutes } from './routes/search.ts';
import { chatCompletionRoutes } from './routes/chat-completions.ts';
import { responsesRoutes } from './routes/responses.ts';
import { evalRoutes } from './routes/evals.ts';
import { feedbackRoutes } from './routes/feedback.ts';
import { analyticsRoutes } from './routes/analytics.ts';
import { keyRoutes } from './routes/keys.ts';
import { conversationRoutes } from './routes/conversations.ts';
import { curatedAnswerRoutes } from './routes/curated-answers.ts';
import { sourceRoutes } from './routes/sources.ts';
import { mcpRoutes } from './routes/mcp.ts';
import { webPageRoutes } from './web-pages.ts';

export interface AppOptions {
  /** Told about every 5xx with its cause, for the log; clients only see the code. */
  onServerError?: (error: OrioleError, requestId: string | undefined) => void;
}

/** The Hono app, runtime-agnostic: Node and Workers entries pass in their dependencies. */
/**
 * Read-your-writes with standbys: once a request that writes (any method but GET and
 * HEAD) or that reports a job (GET /jobs…, which a client polls until its upload is in)
 * has its response, the primary's WAL position is the floor for later reads, so a search
 * right after never reads a standby that has not replayed it. The response waits for
 * the fence (one small query to the primary); a failed fence is the router's to absorb.
 */
function fenceReadsAfterWrites(replicas: ReadReplicas): MiddlewareHandler<AppEnvironment> {
  return async function fenceReads(context, next) {
    await next();
    if (context.res.status >= 400) return;
    const { method, path } = context.req;
    const writes = method !== 'GET' && method !== 'HEAD' && !postsThatOnlyRead.has(path);
    if (writes || path.startsWith('/jobs')) await replicas.fence();
  };
}

/** Questions asked by POST: they log the answer, but nobody reads that back at once. */
const postsThatOnlyRead = new Set(['/search', '/answer', '/v1/chat/completions', '/mcp']);

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
  // Right after the request id: every request is counted and logged, refused ones included.
  app.use('*', observeRequests({ metrics: dependencies.metrics, logger: dependencies.logger }));
  app.use('*', async function provideDependencies(context, next) {
    context.set('dependencies', dependencies);
    await next();
  });
  if (dependencies.readReplicas) app.use('*', fenceReadsAfterWrites(dependencies.readReplicas));
  const { http } = dependencies;
  // Before auth: a CORS preflight carries no key and is answered here; error responses get CORS headers too.
  // Widget keys first: their CORS is decided per key, whatever ORIOLE_CORS_ORIGINS allows.
  app.use('*', corsForWidgetKeys());
  if (http && http.corsOrigins.length > 0) app.use('*', corsFor(http.corsOrigins));
  // Before every route and body limit: an unauthenticated request is refused before its body is read.
  app.use('*', authentication(dependencies.database, dependencies.auth));
  // After auth, which names the key a request is counted against.
  if (http) app.use('*', rateLimit(http));
  if (http && http.requestTimeoutMs > 0) app.use('*', requestTimeout(http.requestTimeoutMs));
  // Every route with a body has a limit (limits.ts); a larger body is refused before it is read whole.
  app.use('*', limitRequestBodies(dependencies));
  // After the body limit: text is checked once here for every route (NUL, lone surrogates, depth, invalid UTF-8).
  app.use('*', validateRequestText());

  app.route('/', healthRoutes());
  app.route('/', metricsRoutes());
  app.route('/', knowledgeBaseRoutes());
  app.route('/', kbSettingsRoutes());
  app.route('/', documentRoutes());
  app.route('/', searchRoutes());
  app.route('/', answerRoutes());
  app.route('/', chatCompletionRoutes());
  app.route('/', responsesRoutes());
  app.route('/', evalRoutes());
  app.route('/', feedbackRoutes());
  app.route('/', analyticsRoutes());
  app.route('/', conversationRoutes());
  app.route('/', keyRoutes());
  app.route('/', curatedAnswerRoutes());
  app.route('/', sourceRoutes());
  app.route('/', mcpRoutes());
  app.route('/', webPageRoutes());

  const openApiConfig = {
    openapi: '3.1.0',
    info: { title: 'Oriole API', version: '0.1.0', description: 'Grounded answers with citations over your help docs.' },
  };
  app.doc31('/openapi.json', openApiConfig);
  let referencePage: string | undefined;
  app.get('/docs', (context) => context.html((referencePage ??= renderApiReference(app.getOpenAPI31Document(openApiConfig)))));

  const allowedMethods = allowedMethodsFor(app.routes);
  app.notFound((context) => {
    const allowed = allowedMethods(context.req.path);
    if (allowed.length === 0) {
      return errorResponse(context, new OrioleError('not_found', `No route for ${context.req.method} ${context.req.path}`));
    }
    context.header('Allow', allowed.join(', '));
    const message = `${context.req.path} does not take ${context.req.method}; it takes ${allowed.join(', ')}`;
    return errorResponse(context, new OrioleError('method_not_allowed', message, { details: { allow: allowed } }));
  });
  app.onError((error, context) => {
    // No one is left to answer; the access log records it as 499 (observability.ts), not as a server failure.
    if (isClientAbort(context, error)) {
      return errorResponse(context, new OrioleError('invalid_request', 'The client closed the request before it was answered'));
    }
    const oriole = toOrioleError(error);
    if (oriole.code === 'internal' || oriole.code === 'migration_failed' || oriole.code === 'upstream_unavailable') {
      options.onServerError?.(oriole, context.get('requestId'));
    }
    return errorResponse(context, oriole);
  });
  return app;
}
