import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { OrioleError } from '../../core/index.ts';
import { principalOf } from '../auth.ts';
import type { AppEnvironment } from '../context.ts';
import { jsonContentType } from '../request-text.ts';
import { requestSignal } from '../request-timeout.ts';
import { ErrorSchema, errorResponses } from '../schemas.ts';

const JsonRpcSchema = z
  .object({
    jsonrpc: z.literal('2.0'),
    id: z.union([z.string(), z.number()]).optional(),
    method: z.string().optional(),
    params: z.record(z.string(), z.unknown()).optional(),
    result: z.record(z.string(), z.unknown()).optional(),
    error: z.object({ code: z.number().int(), message: z.string(), data: z.unknown().optional() }).optional(),
  })
  .openapi('JsonRpcMessage', { description: 'A JSON-RPC 2.0 message of the Model Context Protocol' });

const mcpRoute = createRoute({
  method: 'post',
  path: '/mcp',
  summary: 'The Model Context Protocol (streamable HTTP, stateless): tools to search, answer and read documents',
  description:
    'For MCP clients (docs/mcp.md): send `Accept: application/json, text/event-stream` and one JSON-RPC message ' +
    '(`initialize`, `tools/list`, `tools/call`, `resources/list`, `resources/read`, …). Each request is answered on its own ' +
    '(no `Mcp-Session-Id`); GET and DELETE are 405. Needs a `query` key; a key bound to a KB reaches only that KB.',
  request: { body: { required: true, content: { 'application/json': { schema: JsonRpcSchema } } } },
  responses: {
    200: { description: 'The JSON-RPC response', content: { 'application/json': { schema: JsonRpcSchema } } },
    202: { description: 'A notification or response was accepted (nothing to answer)' },
    400: { description: 'Not a JSON-RPC message (a JSON-RPC error), or malformed JSON', content: { 'application/json': { schema: z.unknown() } } },
    404: { description: 'This deployment serves no MCP endpoint', content: { 'application/json': { schema: ErrorSchema } } },
    406: { description: 'The client does not accept both application/json and text/event-stream (a JSON-RPC error)', content: { 'application/json': { schema: JsonRpcSchema } } },
    415: { description: 'The body is not application/json (a JSON-RPC error)', content: { 'application/json': { schema: JsonRpcSchema } } },
    503: errorResponses[503],
  },
});

/** POST /mcp: authenticated like every route (auth.ts), then handed to the MCP endpoint with who is calling. */
export function mcpRoutes(): OpenAPIHono<AppEnvironment> {
  const app = new OpenAPIHono<AppEnvironment>();
  // Documented from its schema, validated by the MCP SDK: a bad message gets a JSON-RPC error, not ours.
  app.openAPIRegistry.registerPath(mcpRoute);
  app.post('/mcp', async (context) => {
    const { mcp } = context.get('dependencies');
    if (!mcp) throw new OrioleError('not_found', 'This deployment does not serve MCP; `oriole serve` does (docs/mcp.md)');
    const { kbId, kbName } = principalOf(context);
    // A JSON body was read and checked at the edge (request-text.ts); any other body the transport refuses itself (415).
    const isJson = jsonContentType.test(context.req.header('content-type') ?? '');
    const parsedBody: unknown = isJson
      ? await context.req.json().catch(() => {
          throw new OrioleError('invalid_request', 'Malformed JSON in request body');
        })
      : undefined;
    return mcp.handle(context.req.raw, { caller: { kbId, kbName }, parsedBody, signal: requestSignal(context) });
  });
  return app;
}
