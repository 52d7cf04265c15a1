import { z } from '@hono/zod-openapi';
import { abstentionReasons, valueKinds } from '../answer/index.ts';
import { isWebUrl, kbSettingsLimits, knowledgeBaseName, type KbSettings, type KbSettingsPatch } from '../core/index.ts';
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
        "The document's http(s) URL with the fragment that lands on the passage: its section's anchor (`…/cors#usage`) or, for a PDF or a presentation, `#page=N` (the page or slide); null when the document has no web URL",
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
        "The document's http(s) URL with the fragment that lands on the passage: its section's anchor (`…/cors#usage`) or, for a PDF or a presentation, `#page=N` (the page or slide); null when the document has no web URL",
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

/** A conversation's id, as an earlier answer returned it (docs/conversations.md). */
export const ConversationIdSchema = z.string().min(1).max(64).openapi({
  description:
    'Continue this conversation: its stored turns are the history of the question (unless `history` is sent, which then wins). ' +
    'Omitted: the answer starts a new conversation. Unknown, or of another KB: 404 not_found',
  example: '0b6c1f4e-8c2a-4d0e-9a43-5d1f0e7b2c11',
});

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
    conversationId: ConversationIdSchema.optional(),
  })
  .strict()
  .openapi('AnswerRequest');

/** On an answer: why it hands off (`abstained`, `requested`) and where to, from the KB's settings. */
export const AnswerHandoffSchema = z
  .object({
    reason: z.enum(['abstained', 'requested']).openapi({ description: '`abstained`: the KB does not answer; `requested`: the person asked for a human' }),
    url: z.string().optional(),
    email: z.string().optional(),
    label: z.string().optional(),
  })
  .openapi('Handoff');

export const SourceConflictSchema = z
  .object({
    kind: z.enum(valueKinds).openapi({ description: 'What the value is: the kind the question asks for' }),
    statements: z
      .array(
        z.object({
          value: z.string().openapi({ description: 'The value as the document writes it', example: '$19/month' }),
          documentId: z.string(),
          source: z.string(),
          title: z.string().nullable(),
          text: z.string().openapi({ description: 'The sentence stating it' }),
        }),
      )
      .openapi({ description: 'One statement per document, best-ranked first; at least two differ' }),
  })
  .openapi('SourceConflict');

export const AnswerResponseSchema = z
  .object({
    answerId: z.string(),
    conversationId: z.string().optional().openapi({
      description: 'The conversation this answer belongs to: send it with the next question to continue (absent for eval runs)',
    }),
    answer: z.string(),
    grounded: z.boolean(),
    abstained: z.boolean(),
    reason: z.enum(abstentionReasons).optional().openapi({
      description:
        'Why the answer was withheld. low_confidence: its confidence is under the knowledge base\'s minConfidence setting; ' +
        'conflicting_sources: its sources state different values for what was asked and none can be preferred (see conflicts)',
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
    mode: z.enum(['generative', 'extractive', 'curated']).openapi({
      description: "'curated': a curated answer of the KB matched the question and was served as written (docs/curated-answers.md)",
    }),
    curatedAnswerId: z.string().optional().openapi({ description: "The curated answer served, when mode is 'curated'" }),
    model: z.string(),
    kbVersion: z.number().int(),
    cached: z.boolean().optional().openapi({
      description:
        'true: served from the answer cache, because the same question (with the same history, filters and topK) was answered ' +
        "on this KB version, under the same version of the KB's settings, before; it still has its own answerId. Any change to " +
        "the KB's content or settings ends the reuse.",
    }),
    timings: z.object({ retrievalMs: z.number(), generationMs: z.number(), totalMs: z.number() }),
    retrieval: RetrievalInfoSchema,
    usage: z
      .object({ inputTokens: z.number().int(), outputTokens: z.number().int(), totalTokens: z.number().int() })
      .optional()
      .openapi({ description: 'Tokens the language model reported for this answer (follow-up rewrite and generation); absent when no model was called' }),
    handoff: AnswerHandoffSchema.optional().openapi({
      description:
        "Where to send the person to a human, from the KB's `handoff` setting: on an abstention when the KB has one, and always " +
        'on a request for a human (which is answered with the hand-off, not from the documents)',
    }),
    conflicts: z.array(SourceConflictSchema).optional().openapi({
      description:
        'Sources that state different values for what was asked (a price, duration, date, number with its unit, version): the answer ' +
        'ends with a note quoting them, or abstained with reason conflicting_sources. Absent when no sources disagree (docs/answers.md)',
    }),
  })
  .openapi('AnswerResponse');

const languageTexts = (maxChars: number) =>
  z
    .object({ en: cleanText().trim().min(1).max(maxChars).optional(), zh: cleanText().trim().min(1).max(maxChars).optional() })
    .strict();

export const KbHandoffSchema = z
  .object({
    url: z
      .string()
      .max(kbSettingsLimits.handoffUrlChars)
      .refine(isWebUrl, 'must be an absolute http(s) URL')
      .optional()
      .openapi({ example: 'https://help.example.com/contact' }),
    email: z.email().max(kbSettingsLimits.handoffEmailChars).optional().openapi({ example: 'support@example.com' }),
    label: cleanText().trim().min(1).max(kbSettingsLimits.handoffLabelChars).optional().openapi({ example: 'Chat with our team' }),
  })
  .strict()
  .refine((handoff) => handoff.url !== undefined || handoff.email !== undefined, 'needs a url or an email')
  .openapi('KbHandoff');

/**
 * A KB's answer settings (docs/kb-settings.md): the one schema that validates them, for
 * the API and the CLI alike. Every field is optional; an unknown one is refused.
 */
const kbSettingsShape = {
  persona: cleanText()
    .trim()
    .min(1)
    .max(kbSettingsLimits.personaChars)
    .openapi({
      description: "A short instruction appended to the grounded LLM prompt (tone, the assistant's name); it never replaces the prompt's rules",
      example: 'You are Pip, the Acme help assistant. Be warm and brief.',
    }),
  abstentionMessage: languageTexts(kbSettingsLimits.abstentionMessageChars).openapi({
    description: 'Replaces the built-in abstention text, per answer language (`en`, `zh`)',
    example: { en: "Sorry, I don't know that one yet." },
  }),
  handoff: KbHandoffSchema,
  answerLanguage: z
    .enum(['question', 'en', 'zh'])
    .openapi({ description: "`question` (default): answer in the question's language; `en` or `zh`: always in that one" }),
  topK: z.number().int().min(1).max(kbSettingsLimits.maxTopK).openapi({ description: 'Passages an answer is grounded in when the request names no topK' }),
  filters: SearchFiltersSchema.openapi({ description: "Filters applied when the request sends none; a request's own filters replace them" }),
  curatedThreshold: z
    .number()
    .min(0)
    .max(1)
    .openapi({ description: "How close a question must be to a curated answer's phrasing for the curated answer to win" }),
  minConfidence: z
    .number()
    .min(0)
    .max(1)
    .openapi({ description: 'An answer whose confidence is under it is withheld (abstained, reason low_confidence); unset: never for that reason' }),
};

export const KbSettingsSchema = z.object(kbSettingsShape).partial().strict().openapi('KbSettings') satisfies z.ZodType<KbSettings>;

/** PATCH /kbs/:name/settings: the fields it names replace the stored ones; null removes one. */
export const KbSettingsPatchSchema = z
  .object(
    Object.fromEntries(Object.entries(kbSettingsShape).map(([field, schema]) => [field, schema.nullable().optional()])) as {
      [Field in keyof typeof kbSettingsShape]: z.ZodOptional<z.ZodNullable<(typeof kbSettingsShape)[Field]>>;
    },
  )
  .strict()
  .openapi('KbSettingsPatch') satisfies z.ZodType<KbSettingsPatch>;

export const KbSettingsResponseSchema = z
  .object({
    kb: z.string(),
    version: z.number().int().openapi({ description: 'Bumped by every change to the settings; each answer records the version it was made under' }),
    settings: KbSettingsSchema,
  })
  .openapi('KbSettingsResponse');
