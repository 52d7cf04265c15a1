// The Model Context Protocol surface (docs/mcp.md): tools and document resources over the answer service and the documents.
export { createMcpServer } from './mcp-server.ts';
export type { McpCall, McpServices } from './services.ts';
export { createMcpHttpEndpoint } from './http-endpoint.ts';
export { defaultSearchTopK } from './tools.ts';
export { documentCharacterLimit, documentUri } from './documents.ts';
export { listedDocumentLimit } from './resources.ts';
export { documentMarkdown, withoutRepeatedLead } from './document-markdown.ts';
