import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import {
  answerKbOfCaller,
  callerSeesKb,
  cleanText,
  ConversationIdSchema,
  kbOfCaller,
  KnowledgeBaseNameSchema,
  requestLimits,
  SearchFiltersSchema,
} from '../api/index.ts';
import { listKnowledgeBases } from '../db/index.ts';
import { documentCharacterLimit, readDocument, type DocumentReference } from './documents.ts';
import type { McpCall, McpServices } from './services.ts';
import { answerResult, documentResult, knowledgeBasesResult, searchResult, toolError } from './tool-results.ts';

/**
 * The four tools. Inputs are the HTTP API's own schemas and limits (api/schemas.ts,
 * api/limits.ts), so a question too long for POST /answer is too long here; each tool
 * calls the service its route calls, under the same KB rules (api/auth.ts).
 */

/** Passages search_knowledge_base returns when `topK` is not given: fewer than /search's 10, to spare the model's context. */
export const defaultSearchTopK = 5;

const kbArgument = KnowledgeBaseNameSchema.describe(
  'The knowledge base to use, as list_knowledge_bases names it. Omit it to use the default one (or the only one this connection may reach).',
);

const searchInput = {
  query: cleanText()
    .trim()
    .min(1)
    .max(requestLimits.questionChars)
    .describe('What to look for: a question or keywords, in the words a help article would use.'),
  kb: kbArgument.optional(),
  topK: z
    .number()
    .int()
    .min(1)
    .max(requestLimits.searchTopK)
    .optional()
    .describe(`How many passages to return, best first (1-${requestLimits.searchTopK}; default ${defaultSearchTopK}).`),
  filters: SearchFiltersSchema.optional().describe(
    'Search only some documents: `sources` (documents by source, as results name them) and/or `tags` (documents whose tags have all these values).',
  ),
};

const passageOutput = z.object({
  source: z.string().describe("The document's source: its path or URL in the knowledge base"),
  title: z.string().nullable(),
  url: z.string().nullable().describe('The web page of the passage (with its section anchor), or null when the document has none'),
  heading: z.string().nullable().describe('The heading the passage sits under'),
  text: z.string(),
  score: z.number(),
  documentId: z.string(),
  chunkId: z.string(),
});

const searchOutput = {
  kb: z.string(),
  query: z.string(),
  results: z.array(passageOutput),
  retrieval: z.object({ mode: z.enum(['hybrid', 'lexical', 'vector']), warning: z.string().optional() }),
};

const answerInput = {
  question: cleanText()
    .trim()
    .min(1)
    .max(requestLimits.questionChars)
    .describe("The user's question, in their words and language."),
  kb: kbArgument.optional(),
  conversationId: ConversationIdSchema.describe(
    'To ask a follow-up: the conversationId of the earlier answer in this conversation (its turns become context). Omit it for a new question.',
  ).optional(),
};

const citationOutput = z.object({
  index: z.number().int().describe('The marker [index] in the answer text'),
  source: z.string(),
  title: z.string().nullable(),
  url: z.string().nullable(),
  heading: z.string().nullable(),
  page: z.number().int().nullable(),
  snippet: z.string().describe('The span of the passage that supports the cited sentence'),
  supported: z.boolean().describe('Whether the passage was checked to support the sentences citing it'),
  documentId: z.string(),
});

const answerOutput = {
  answer: z.string().describe('The answer with citation markers [1], [2]; on an abstention, the message for the user'),
  abstained: z.boolean().describe('True when the knowledge base does not answer the question: the answer is then not to be replaced by a guess'),
  reason: z.string().optional().describe('Why it abstained: no_passages, low_coverage, unsupported, model_declined, low_confidence, conflicting_sources, …'),
  confidence: z.number().min(0).max(1),
  conversationId: z.string().optional(),
  answerId: z.string(),
  mode: z.enum(['generative', 'extractive', 'curated']),
  citations: z.array(citationOutput),
  handoff: z
    .object({ reason: z.enum(['abstained', 'requested']), url: z.string().optional(), email: z.string().optional(), label: z.string().optional() })
    .optional()
    .describe('Where to send the user for a human, when the knowledge base has a hand-off set'),
};

const documentInput = z
  .object({
    source: z
      .string()
      .min(1)
      .max(2_048)
      .optional()
      .describe("The document's source, as search results and citations name it: a path ('billing/refunds.md') or a page URL."),
    documentId: z.string().min(1).max(64).optional().describe('The documentId a search result or citation gives (instead of source).'),
    kb: kbArgument.optional(),
  })
  .strict()
  .refine((input) => (input.source === undefined) !== (input.documentId === undefined), {
    message: 'Give exactly one of source or documentId',
  });

const documentOutput = {
  documentId: z.string(),
  kb: z.string(),
  source: z.string(),
  title: z.string().nullable(),
  url: z.string().nullable(),
  status: z.enum(['pending', 'ready', 'failed']),
  uri: z.string().describe('The resource URI of the document (oriole://kb/<kb>/<source>)'),
  markdown: z.string(),
  truncated: z.boolean().describe('True when the document is longer than the limit and was cut'),
};

const knowledgeBasesOutput = {
  knowledgeBases: z.array(
    z.object({
      name: z.string(),
      documentCount: z.number().int(),
      chunkCount: z.number().int(),
      updatedAt: z.string(),
      isDefault: z.boolean().describe('The knowledge base a tool uses when called without kb'),
    }),
  ),
};

export function registerTools(server: McpServer, services: McpServices, call: McpCall): void {
  const { database, answers, defaultKb } = services;
  const { caller } = call;
  const run = runner(services, call);

  server.registerTool(
    'search_knowledge_base',
    {
      title: 'Search the help center',
      description:
        'Search the help center for passages about a topic, best first. Each passage comes with its text, the document it is from ' +
        '(source, title), the heading it sits under and its web URL. Use it to research, compare or quote documentation yourself; to answer ' +
        "a user's question with checked citations, prefer answer_question.",
      inputSchema: searchInput,
      outputSchema: searchOutput,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (input, extra) =>
      run(extra.signal, async () => {
        const kb = kbOfCaller(caller, input.kb, defaultKb);
        const { passages, info } = await answers.search({
          query: input.query,
          kb,
          topK: input.topK ?? defaultSearchTopK,
          ...(input.filters ? { filters: input.filters } : {}),
        });
        return searchResult(kb, input.query, passages, info);
      }),
  );

  server.registerTool(
    'answer_question',
    {
      title: 'Answer from the help center',
      description:
        "Answer a question from the help center's documents. Returns a grounded answer whose sentences cite numbered sources [1], [2] " +
        '(each with title, URL and the supporting snippet, checked against the passage), or an abstention with its reason when the ' +
        'documents do not answer it. Relay the answer with its sources and add no facts of your own; on an abstention, say the help ' +
        'center does not cover it (and give its hand-off, if any) rather than guessing. For a follow-up, pass the conversationId of the previous answer.',
      inputSchema: answerInput,
      outputSchema: answerOutput,
      // It records the question and answer (conversations, analytics); it changes no content.
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    (input, extra) =>
      run(extra.signal, async (signal) => {
        const response = await answers.answer(
          {
            question: input.question,
            ...answerKbOfCaller(caller, input.kb, input.conversationId, defaultKb),
            ...(input.conversationId ? { conversationId: input.conversationId } : {}),
            metadata: { channel: 'mcp' },
          },
          signal,
        );
        return answerResult(response);
      }),
  );

  server.registerTool(
    'get_document',
    {
      title: 'Read a help-center document',
      description:
        'Read one whole document of the help center as Markdown, for when passages are not enough. Name it by source (as search ' +
        `results and citations give it) or by documentId. Documents longer than ${documentCharacterLimit.toLocaleString('en')} characters are cut, and say so.`,
      inputSchema: documentInput,
      outputSchema: documentOutput,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (input, extra) =>
      run(extra.signal, async () => {
        const reference: DocumentReference =
          input.documentId !== undefined
            ? { documentId: input.documentId, ...(input.kb ? { kb: input.kb } : {}) }
            : { source: input.source!, ...(input.kb ? { kb: input.kb } : {}) };
        return documentResult(await readDocument(database, caller, defaultKb, reference));
      }),
  );

  server.registerTool(
    'list_knowledge_bases',
    {
      title: 'List the knowledge bases',
      description:
        'List the knowledge bases (help centers) this connection can reach, with their sizes; the one marked isDefault is used when a tool is called without kb.',
      inputSchema: {},
      outputSchema: knowledgeBasesOutput,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (_input, extra) =>
      run(extra.signal, async () => {
        const reachable = (await listKnowledgeBases(database)).filter((kb) => callerSeesKb(caller, kb));
        const defaultName = kbOfCaller(caller, undefined, defaultKb);
        return knowledgeBasesResult({
          knowledgeBases: reachable.map((kb) => ({
            name: kb.name,
            documentCount: kb.documentCount,
            chunkCount: kb.chunkCount,
            updatedAt: kb.updatedAt.toISOString(),
            isDefault: kb.name === defaultName,
          })),
        });
      }),
  );
}

/**
 * Runs a tool's work with one signal (the MCP request's cancellation and the HTTP
 * request's end), turning every failure into a tool error rather than a thrown one.
 */
function runner(services: McpServices, call: McpCall) {
  return async (requestSignal: AbortSignal, work: (signal: AbortSignal) => Promise<CallToolResult>): Promise<CallToolResult> => {
    const signal = call.signal ? AbortSignal.any([requestSignal, call.signal]) : requestSignal;
    try {
      return await work(signal);
    } catch (error) {
      // A call its client gave up on is no failure of ours: nobody reads the result.
      return toolError(error, signal.aborted ? undefined : services.onServerError);
    }
  };
}
