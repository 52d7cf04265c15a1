import { z } from '@hono/zod-openapi';
import { abstentionReasons } from '../answer/index.ts';
import { knowledgeBaseName } from '../core/index.ts';
import { textFlaw, textFlawDescriptions } from '../text/index.ts';
import { requestLimits as limits } from './limits.ts';

/**
 * Text that reaches the database (questions are logged): PostgreSQL text cannot hold a
 * NUL or a lone surrogate, so either is refused as malformed input rather than failing
 * the insert. JSON bodies are already checked at the edge (request-text.ts); this covers
 * text from elsewhere (form fields) and keeps each schema honest on its own.
 */
export const cleanText = () =>
  z.string().superRefine((text, check) => {
    const flaw = textFlaw(text);
    if (flaw) check.addIssue({ code: 'custom', message: textFlawDescriptions[flaw] });
  });

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'not_found' }),
      message: z.string(),
      requestId: z.string().optional(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .openapi('Error');

export const KnowledgeBaseNameSchema = z
  .string()
  .regex(knowledgeBaseName.pattern, knowledgeBaseName.description)
  .openapi({ example: 'default' });

export const KnowledgeBaseSchema = z
  .object({
    name: z.string(),
    embedder: z.string().openapi({ example: 'transformers:Xenova/bge-small-en-v1.5' }),
    embeddingDim: z.number().int().nullable(),
    version: z.number().int(),
    documentCount: z.number().int().optional(),
    chunkCount: z.number().int().optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('KnowledgeBase');

export const CreateKnowledgeBaseSchema = z
  .object({
    name: KnowledgeBaseNameSchema,
    embedder: z
      .string()
      .max(200)
      .regex(/^(transformers:\S+|openai:\S+|use-lite|none)$/)
      .optional()
      .openapi({ description: "Embedder spec; defaults to the server's ORIOLE_EMBEDDER" }),
  })
  .strict()
  .openapi('CreateKnowledgeBase');

export const errorResponses = {
  400: { description: 'Invalid request', content: { 'application/json': { schema: ErrorSchema } } },
  503: { description: 'Storage unavailable', content: { 'application/json': { schema: ErrorSchema } } },
} as const;

export const SearchFiltersSchema = z
  .object({
    sources: z
      .array(cleanText().min(1).max(limits.filterSourceChars))
      .min(1)
      .max(limits.filterSources)
      .optional()
      .openapi({ example: ['billing/refunds.md'] }),
    tags: z
      .record(cleanText().min(1).max(limits.tagKeyChars), cleanText().max(limits.tagValueChars))
      .refine((tags) => Object.keys(tags).length <= limits.filterTags, `at most ${limits.filterTags} tags`)
      .optional()
      .openapi({ example: { product: 'sdk' } }),
  })
  .strict()
  .openapi('SearchFilters');

export const PassageSchema = z
  .object({
    chunkId: z.string(),
    documentId: z.string(),
    source: z.string(),
    title: z.string().nullable(),
    url: z.string().nullable().openapi({
      description:
        "The document's http(s) URL with the fragment that lands on the passage: its section's anchor (`…/cors#usage`) or, for a PDF, `#page=N`; null when the document has no web URL",
    }),
    heading: z.string().nullable(),
    text: z.string(),
    score: z.number(),
  })
  .openapi('Passage');

export const RetrievalInfoSchema = z
  .object({
    mode: z.enum(['hybrid', 'lexical', 'vector']),
    embedder: z.string().nullable(),
    reranker: z
      .string()
      .nullable()
      .optional()
      .openapi({ description: 'The cross-encoder that reordered the candidates, or null when none ran' }),
    warning: z.string().optional(),
    query: z.string().openapi({ description: 'The searched query: the question, or its standalone rewrite for a follow-up' }),
    queryTerms: z.array(z.string()),
    matchedTerms: z.array(z.string()),
    lexicalMs: z.number(),
    vectorMs: z.number(),
  })
  .openapi('RetrievalInfo');

export const CitationSchema = z
  .object({
    index: z.number().int().openapi({ description: 'The marker [index] in the answer text' }),
    documentId: z.string(),
    chunkId: z.string(),
    source: z.string(),
    title: z.string().nullable(),
    url: z.string().nullable().openapi({
      description:
        "The document's http(s) URL with the fragment that lands on the passage: its section's anchor (`…/cors#usage`) or, for a PDF, `#page=N`; null when the document has no web URL",
    }),
    heading: z.string().nullable(),
    page: z.number().int().nullable(),
    snippet: z.string(),
    score: z.number(),
    supported: z.boolean().openapi({ description: 'Whether the passage was checked to support the sentences citing it' }),
  })
  .openapi('Citation');

export const ChatTurnSchema = z
  .object({ role: z.enum(['user', 'assistant']), content: cleanText().min(1).max(limits.turnChars) })
  .strict()
  .openapi('ChatTurn');

export const AnswerRequestSchema = z
  .object({
    question: cleanText().trim().min(1).max(limits.questionChars).openapi({ example: 'How do I reset my password?' }),
    kb: KnowledgeBaseNameSchema.optional(),
    history: z.array(ChatTurnSchema).max(limits.historyTurns).optional(),
    filters: SearchFiltersSchema.optional(),
    topK: z.number().int().min(1).max(limits.answerTopK).optional(),
    stream: z.boolean().optional().openapi({ description: 'Stream server-sent events (also with Accept: text/event-stream)' }),
    metadata: z
      .object({ userId: cleanText().max(limits.userIdChars).optional(), channel: cleanText().max(limits.channelChars).optional() })
      .strict()
      .optional(),
  })
  .strict()
  .openapi('AnswerRequest');

export const AnswerResponseSchema = z
  .object({
    answerId: z.string(),
    answer: z.string(),
    grounded: z.boolean(),
    abstained: z.boolean(),
    reason: z.enum(abstentionReasons).optional().openapi({
      description:
        'Why the answer was withheld. low_confidence: its confidence is under the knowledge base\'s minConfidence setting',
    }),
    citations: z.array(CitationSchema),
    confidence: z.number().min(0).max(1).openapi({
      description:
        'The estimated probability that the answer is correct and supported, from evidence features (key-term coverage of the ' +
        'cited passages and sentences, the kind of answer asked for, support of the cited sentences, retrieval agreement) ' +
        'combined by a fitted logistic model. On an abstention: the same estimate for the answer that was withheld.',
    }),
    droppedSentences: z
      .number()
      .int()
      .optional()
      .openapi({ description: 'Generative answers: sentences of the model\'s answer dropped, never sent, because no retrieved passage supports them' }),
    mode: z.enum(['generative', 'extractive']),
    model: z.string(),
    kbVersion: z.number().int(),
    cached: z.boolean().optional().openapi({
      description:
        'true: served from the answer cache, because the same question (with the same history, filters and topK) was answered ' +
        'on this KB version before; it still has its own answerId. Any change to the KB bumps its version and ends the reuse.',
    }),
    timings: z.object({ retrievalMs: z.number(), generationMs: z.number(), totalMs: z.number() }),
    retrieval: RetrievalInfoSchema,
  })
  .openapi('AnswerResponse');
