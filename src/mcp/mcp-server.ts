import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { registerDocumentResources } from './resources.ts';
import type { McpCall, McpServices } from './services.ts';
import { registerTools } from './tools.ts';

/**
 * The Model Context Protocol surface of Oriole (docs/mcp.md): four tools and the
 * documents as resources, over the same services the HTTP routes use, with the same
 * rules (the key's KB binding: api/auth.ts). Transports are the callers' business: POST
 * /mcp builds one server per request (http-endpoint.ts), `oriole mcp` one per process.
 */

const instructions =
  "Oriole answers questions from a company's help center (its knowledge bases) with citations it has checked. " +
  'For a question a user asked, call answer_question and relay its answer with its numbered sources; when it abstains, say the help center does not ' +
  'answer it (and offer its hand-off, if any) instead of guessing. To research or quote, call search_knowledge_base, then get_document to read a whole ' +
  'document. list_knowledge_bases shows which knowledge bases you can reach.';

export function createMcpServer(services: McpServices, call: McpCall): McpServer {
  const server = new McpServer({ name: 'oriole', title: 'Oriole help center', version: services.version }, { instructions });
  registerTools(server, services, call);
  registerDocumentResources(server, services, call);
  return server;
}
