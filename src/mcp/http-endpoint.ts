import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { McpEndpoint, McpHttpCall } from '../api/index.ts';
import { createMcpServer } from './mcp-server.ts';
import type { McpServices } from './services.ts';

/**
 * MCP over streamable HTTP, stateless: each POST /mcp gets a fresh server for its caller
 * (its key's KB binding) and is answered with one JSON body. No session is kept, so any
 * replica answers any request and nothing outlives a request; a client that opens the
 * optional GET stream gets 405, which the specification allows (docs/mcp.md).
 */
export function createMcpHttpEndpoint(services: McpServices): McpEndpoint {
  return {
    async handle(request: Request, call: McpHttpCall): Promise<Response> {
      const server = createMcpServer(services, { caller: call.caller, signal: call.signal });
      const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      await server.connect(transport);
      try {
        return await transport.handleRequest(request, call.parsedBody === undefined ? {} : { parsedBody: call.parsedBody });
      } finally {
        // The JSON response is complete once handed back: nothing is left to send.
        await server.close();
      }
    },
  };
}
