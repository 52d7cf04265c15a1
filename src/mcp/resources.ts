import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError, type Resource } from '@modelcontextprotocol/sdk/types.js';
import { callerSeesKb, httpStatusOf } from '../api/index.ts';
import { OrioleError } from '../core/index.ts';
import { listDocuments, listKnowledgeBases, getKnowledgeBase } from '../db/index.ts';
import { documentCharacterLimit, documentUri, readDocument, sourceOfUriPart } from './documents.ts';
import type { McpCall, McpServices } from './services.ts';

/**
 * The documents as resources, oriole://kb/<kb>/<source>, so a client can attach one to
 * a conversation: read as Markdown (as get_document returns it), listed per reachable KB.
 */

/** The most documents resources/list names; past it, get_document and search still reach every one. */
export const listedDocumentLimit = 1_000;
/** Suggestions a client gets when completing a source or KB name. */
const completionLimit = 20;
/** MCP's code for a resource that does not exist (the specification's "Resource not found"). */
const resourceNotFound = -32002;

export function registerDocumentResources(server: McpServer, services: McpServices, call: McpCall): void {
  const { database, defaultKb } = services;
  const { caller } = call;
  const reachableKbs = async () => (await listKnowledgeBases(database)).filter((kb) => callerSeesKb(caller, kb));

  const template = new ResourceTemplate('oriole://kb/{kb}/{+source}', {
    list: async () => {
      const resources: Resource[] = [];
      for (const kb of await reachableKbs()) {
        let cursor: string | undefined;
        do {
          const page = await listDocuments(database, { kbId: kb.id, limit: Math.min(500, listedDocumentLimit - resources.length), ...(cursor ? { cursor } : {}) });
          for (const document of page.documents) {
            if (document.status !== 'ready') continue;
            resources.push({
              uri: documentUri(kb.name, document.source),
              name: document.source,
              ...(document.title ? { title: document.title } : {}),
              description: `Document of knowledge base '${kb.name}'`,
              mimeType: 'text/markdown',
            });
          }
          cursor = page.nextCursor ?? undefined;
        } while (cursor && resources.length < listedDocumentLimit);
        if (resources.length >= listedDocumentLimit) break;
      }
      return { resources };
    },
    complete: {
      kb: async (value) => (await reachableKbs()).map((kb) => kb.name).filter((name) => name.startsWith(value)).slice(0, completionLimit),
      source: async (value, context) => {
        try {
          const kb = await getKnowledgeBase(database, context?.arguments?.kb ?? defaultKb);
          if (!callerSeesKb(caller, kb)) return [];
          const page = await listDocuments(database, { kbId: kb.id, limit: completionLimit, ...(value ? { search: value } : {}) });
          return page.documents.map((document) => document.source);
        } catch {
          // Completion only suggests: an unknown KB has nothing to suggest.
          return [];
        }
      },
    },
  });

  server.registerResource(
    'document',
    template,
    {
      title: 'Help-center document',
      description: `A document of a knowledge base as Markdown (up to ${documentCharacterLimit.toLocaleString('en')} characters)`,
      mimeType: 'text/markdown',
    },
    async (uri, variables) => {
      const kb = String(variables.kb);
      const source = sourceOfUriPart(String(variables.source));
      if (source === null) throw new McpError(resourceNotFound, `Resource ${uri.href} not found: its source is not valid percent-encoding`);
      try {
        const document = await readDocument(database, caller, defaultKb, { source, kb: sourceOfUriPart(kb) ?? kb });
        return { contents: [{ uri: document.uri, mimeType: 'text/markdown', text: document.markdown }] };
      } catch (error) {
        throw protocolError(error, uri.href, services);
      }
    },
  );
}

/** A failed read as a JSON-RPC error: not found, refused, or ours (logged; the client gets no detail). */
function protocolError(error: unknown, uri: string, services: McpServices): McpError {
  const oriole = error instanceof OrioleError ? error : new OrioleError('internal', 'Something went wrong on our side', { cause: error });
  if (oriole.code === 'not_found') return new McpError(resourceNotFound, `Resource ${uri} not found: ${oriole.message}`, { code: oriole.code });
  if (httpStatusOf(oriole.code) < 500) return new McpError(ErrorCode.InvalidParams, oriole.message, { code: oriole.code });
  services.onServerError?.(oriole);
  return new McpError(ErrorCode.InternalError, `${oriole.code}: ${oriole.message}`, { code: oriole.code });
}
