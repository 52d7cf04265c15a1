/**
 * The parts of the public API the admin console (`/admin`) reads, beside api-types.ts (the
 * chat page's and the widget's). Same rule: only the fields the console uses, each listed in
 * `adminApiContract`, which test/web/admin-api-contract.test.ts checks against the app's
 * OpenAPI document. DOM-free, so the test imports it under Node.
 */

export interface KnowledgeBaseDetail {
  name: string;
  embedder: string;
  documentCount?: number;
  chunkCount?: number;
  updatedAt: string;
}

export interface CreateKnowledgeBaseRequest {
  name: string;
  embedder?: string;
}

export interface DocumentSummary {
  id: string;
  source: string;
  title: string | null;
  url: string | null;
  contentType: string;
  status: 'pending' | 'ready' | 'failed';
  error: string | null;
  chunkCount: number;
  tags: Record<string, string>;
  updatedAt: string;
}

export interface DocumentPage {
  documents: DocumentSummary[];
  nextCursor: string | null;
}

export interface Chunk {
  id: string;
  ordinal: number;
  headingPath: string[];
  text: string;
  tokenCount: number;
}

export interface ChunkPage {
  chunks: Chunk[];
  nextOrdinal: number | null;
}

export interface QueuedDocuments {
  jobId: string;
}

export interface CrawlRequest {
  kb?: string;
  url: string;
  crawl?: { maxPages?: number; maxDepth?: number };
}

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed';

export interface JobDocument {
  source: string;
  documentId: string | null;
  status: string;
  outcome: string | null;
  error: string | null;
}

export interface Job {
  id: string;
  kind: 'ingest' | 'crawl' | 'eval';
  status: JobStatus;
  progress: { done: number; total: number };
  error?: string;
  documents?: JobDocument[];
}

export interface SearchRequest {
  query: string;
  kb?: string;
  topK?: number;
}

export interface SearchResult {
  chunkId: string;
  documentId: string;
  source: string;
  title: string | null;
  url: string | null;
  heading: string | null;
  text: string;
  score: number;
}

export interface SearchResponse {
  results: SearchResult[];
}

export interface AnalyticsSummary {
  period: { from: string; to: string };
  totals: {
    answers: number;
    abstained: number;
    abstentionRate: number | null;
    feedbackUp: number;
    feedbackDown: number;
    documents: number;
    neverCitedDocuments: number;
  };
  topQuestions: Array<{ question: string; count: number; abstainedCount: number }>;
  unansweredGroups: Array<{ representative: string; count: number; questions: string[] }>;
  lowRatedAnswers: Array<{
    answerId: string;
    question: string;
    answer: string;
    citations: Array<{ source: string; title: string | null }>;
    comment: string | null;
  }>;
  neverCitedDocuments: Array<{ documentId: string; source: string; title: string | null }>;
  byDay: Array<{ day: string; answers: number; abstained: number }>;
}

export interface EvalSetSummary {
  name: string;
  caseCount: number;
  updatedAt: string;
}

export interface EvalRun {
  id: string;
  evalSet: string;
  status: JobStatus;
  progress: { done: number; total: number };
  error: string | null;
  createdAt: string;
  summary: Record<string, number | null> | null;
}

export interface StartEvalRequest {
  kb?: string;
  evalSet: string;
}

export interface QueuedEval {
  id: string;
}

export type KeyScope = 'query' | 'ingest' | 'admin';

export interface ApiKey {
  id: string;
  name: string | null;
  prefix: string;
  scope: KeyScope;
  kb: string | null;
  origins: string[];
  ratePerMinute: number | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface CreateKeyRequest {
  scope: KeyScope;
  kb?: string;
  origins?: string[];
  ratePerMinute?: number;
  name?: string;
}

export interface CreatedKey extends ApiKey {
  key: string;
}

/** A curated answer (docs/curated-answers.md): served word for word when a question matches one of its phrasings. */
export interface CuratedAnswer {
  id: string;
  questions: string[];
  answer: string;
  citations: Array<{ source: string }>;
  tags: string[];
  enabled: boolean;
  hits: number;
  updatedAt: string;
}

export interface CuratedAnswerList {
  curatedAnswers: CuratedAnswer[];
}

export interface CreateCuratedAnswerRequest {
  questions?: string[];
  answer: string;
  citations?: Array<{ source: string }>;
  tags?: string[];
  enabled?: boolean;
  /** A logged answer (a rated-down one from GET /analytics/summary): its question becomes the first phrasing. */
  fromAnswerId?: string;
}

export type UpdateCuratedAnswerRequest = Partial<Omit<CreateCuratedAnswerRequest, 'fromAnswerId'>>;
/** A KB's answer settings (docs/kb-settings.md): every field optional; unset keeps the server's behaviour. */
export type AnswerLanguageSetting = 'question' | 'en' | 'zh';

/** The languages `abstentionMessage` takes: the ones Oriole tells apart. */
export const abstentionLanguages = ['en', 'zh'] as const;
export type AbstentionLanguage = (typeof abstentionLanguages)[number];

/**
 * The settings' bounds, as the console's fields show them (a counter, max attributes). The
 * server enforces them; test/web/admin-api-contract.test.ts checks these against its schema.
 */
export const kbSettingsBounds = {
  personaChars: 1_000,
  abstentionMessageChars: 1_000,
  handoffUrlChars: 2_048,
  handoffEmailChars: 254,
  handoffLabelChars: 100,
  maxTopK: 20,
} as const;

export interface KbHandoffSetting {
  url?: string;
  email?: string;
  label?: string;
}

export interface KbFiltersSetting {
  sources?: string[];
  tags?: Record<string, string>;
}

export interface KbSettings {
  persona?: string;
  abstentionMessage?: Partial<Record<AbstentionLanguage, string>>;
  handoff?: KbHandoffSetting;
  answerLanguage?: AnswerLanguageSetting;
  topK?: number;
  filters?: KbFiltersSetting;
  curatedThreshold?: number;
  minConfidence?: number;
}

/** PATCH /kbs/:name/settings: each field named replaces the stored one whole; null removes it. */
export type KbSettingsPatch = { [Field in keyof KbSettings]?: KbSettings[Field] | null };

export interface KbSettingsResponse {
  kb: string;
  version: number;
  settings: KbSettings;
}

export type ConversationOutcome = 'answered' | 'abstained' | 'resolved' | 'handed_off';

export interface ConversationSummary {
  id: string;
  kb: string;
  outcome: ConversationOutcome;
  turnCount: number;
  firstQuestion: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ConversationPage {
  conversations: ConversationSummary[];
  nextCursor: string | null;
}

export interface ConversationCitation {
  index: number;
  source: string;
  title: string | null;
  url: string | null;
}

export interface ConversationTurn {
  answerId: string;
  question: string;
  answer: string;
  citations: ConversationCitation[];
  abstained: boolean;
  feedback: { rating: 'up' | 'down'; comment: string | null; createdAt: string } | null;
  createdAt: string;
}

export interface Conversation {
  id: string;
  kb: string;
  outcome: ConversationOutcome;
  createdAt: string;
  resolvedAt: string | null;
  handedOffAt: string | null;
  turns: ConversationTurn[];
}

export interface HandoffRequest {
  reason?: string;
}

export interface HandedOffConversation extends Conversation {
  webhook: 'queued' | 'not_configured' | 'already_handed_off';
}

/** Sources (docs/sources.md): what a KB stays in sync with. */
export const sourceTypes = ['web', 'zendesk', 'intercom', 'confluence', 'github'] as const;
export type SourceType = (typeof sourceTypes)[number];
export type SourceStatus = 'queued' | 'running' | 'succeeded' | 'partial' | 'failed' | 'never';

export interface SourceRun {
  status: 'succeeded' | 'partial' | 'failed';
  mode: 'full' | 'incremental';
  added: number;
  updated: number;
  unchanged: number;
  deleted: number;
  failed: number;
  startedAt: string;
  finishedAt: string;
}

export interface Source {
  id: string;
  kb: string;
  type: SourceType;
  name: string;
  /** The settings, never a credential. */
  config: Record<string, unknown>;
  /** The names of the credential fields stored (sealed); their values never come back. */
  credentials: string[];
  schedule: string | null;
  status: SourceStatus;
  lastRun: SourceRun | null;
  nextRunAt: string | null;
  lastError: string | null;
  /** The sync queued or running now. */
  jobId: string | null;
}

export interface SourceList {
  sources: Source[];
}

export interface CreateSourceRequest {
  type: SourceType;
  name: string;
  config: Record<string, unknown>;
  schedule?: string | null;
}

/** Only what changes; `config` is merged over the stored one (a key set to null is removed, a token given replaces the stored one). */
export interface UpdateSourceRequest {
  name?: string;
  config?: Record<string, unknown>;
  schedule?: string | null;
}

export interface SyncRequest {
  full?: boolean;
}

export interface QueuedSync {
  jobId: string;
  /** false: a sync was already queued or running, and its job is returned. */
  queued: boolean;
}

export interface RemovedSource {
  id: string;
  documentsRemoved: number;
}

/** Exactly T's fields; a field holding objects lists theirs. */
type Fields<T> = { readonly [K in keyof Required<T>]: true | Readonly<Record<string, unknown>> };

const kbFields = { name: true, embedder: true, documentCount: true, chunkCount: true, updatedAt: true } satisfies Fields<KnowledgeBaseDetail>;
const documentFields = {
  id: true,
  source: true,
  title: true,
  url: true,
  contentType: true,
  status: true,
  error: true,
  chunkCount: true,
  tags: true,
  updatedAt: true,
} satisfies Fields<DocumentSummary>;
const jobFields = {
  id: true,
  kind: true,
  status: true,
  progress: { done: true, total: true },
  error: true,
  documents: { source: true, documentId: true, status: true, outcome: true, error: true } satisfies Fields<JobDocument>,
} satisfies Fields<Job>;
const keyFields = {
  id: true,
  name: true,
  prefix: true,
  scope: true,
  kb: true,
  origins: true,
  ratePerMinute: true,
  createdAt: true,
  lastUsedAt: true,
  revokedAt: true,
} satisfies Fields<ApiKey>;

const curatedAnswerFields = {
  id: true,
  questions: true,
  answer: true,
  citations: { source: true },
  tags: true,
  enabled: true,
  hits: true,
  updatedAt: true,
} satisfies Fields<CuratedAnswer>;
const curatedRequestFields = { questions: true, answer: true, citations: { source: true }, tags: true, enabled: true } satisfies Fields<UpdateCuratedAnswerRequest>;
const settingsFields = {
  persona: true,
  abstentionMessage: { en: true, zh: true },
  handoff: { url: true, email: true, label: true },
  answerLanguage: true,
  topK: true,
  filters: { sources: true, tags: true },
  curatedThreshold: true,
  minConfidence: true,
} satisfies Fields<KbSettings>;
const sourceFields = {
  id: true,
  kb: true,
  type: true,
  name: true,
  config: true,
  credentials: true,
  schedule: true,
  status: true,
  lastRun: { status: true, mode: true, added: true, updated: true, unchanged: true, deleted: true, failed: true, startedAt: true, finishedAt: true } satisfies Fields<SourceRun>,
  nextRunAt: true,
  lastError: true,
  jobId: true,
} satisfies Fields<Source>;
const conversationFields = {
  id: true,
  kb: true,
  outcome: true,
  createdAt: true,
  resolvedAt: true,
  handedOffAt: true,
  turns: {
    answerId: true,
    question: true,
    answer: true,
    citations: { index: true, source: true, title: true, url: true } satisfies Fields<ConversationCitation>,
    abstained: true,
    feedback: { rating: true, comment: true, createdAt: true },
    createdAt: true,
  } satisfies Fields<ConversationTurn>,
} satisfies Fields<Conversation>;

/** Operation (as `METHOD /path` in the OpenAPI document) → the schema fields the console sends or reads. */
export const adminApiContract = {
  'GET /kbs': { response: { kbs: kbFields } },
  'POST /kbs': { request: { name: true, embedder: true } satisfies Fields<CreateKnowledgeBaseRequest>, response: kbFields },
  'DELETE /kbs/{name}': {},
  'GET /documents': { response: { documents: documentFields, nextCursor: true } satisfies Fields<DocumentPage> },
  'DELETE /documents/{id}': {},
  'GET /documents/{id}/chunks': {
    response: {
      chunks: { id: true, ordinal: true, headingPath: true, text: true, tokenCount: true } satisfies Fields<Chunk>,
      nextOrdinal: true,
    } satisfies Fields<ChunkPage>,
  },
  'POST /documents': {
    request: { kb: true, url: true, crawl: { maxPages: true, maxDepth: true } } satisfies Fields<CrawlRequest>,
    response: { jobId: true } satisfies Fields<QueuedDocuments>,
  },
  'GET /jobs/{id}': { response: jobFields },
  'POST /search': {
    request: { query: true, kb: true, topK: true } satisfies Fields<SearchRequest>,
    response: {
      results: {
        chunkId: true,
        documentId: true,
        source: true,
        title: true,
        url: true,
        heading: true,
        text: true,
        score: true,
      } satisfies Fields<SearchResult>,
    } satisfies Fields<SearchResponse>,
  },
  'GET /analytics/summary': {
    response: {
      period: { from: true, to: true },
      totals: {
        answers: true,
        abstained: true,
        abstentionRate: true,
        feedbackUp: true,
        feedbackDown: true,
        documents: true,
        neverCitedDocuments: true,
      },
      topQuestions: { question: true, count: true, abstainedCount: true },
      unansweredGroups: { representative: true, count: true, questions: true },
      lowRatedAnswers: { answerId: true, question: true, answer: true, citations: { source: true, title: true }, comment: true },
      neverCitedDocuments: { documentId: true, source: true, title: true },
      byDay: { day: true, answers: true, abstained: true },
    } satisfies Fields<AnalyticsSummary>,
  },
  'GET /eval-sets': { response: { evalSets: { name: true, caseCount: true, updatedAt: true } satisfies Fields<EvalSetSummary> } },
  'GET /evals': {
    response: {
      evals: {
        id: true,
        evalSet: true,
        status: true,
        progress: { done: true, total: true },
        error: true,
        createdAt: true,
        summary: true,
      } satisfies Fields<EvalRun>,
    },
  },
  'POST /evals': { request: { kb: true, evalSet: true } satisfies Fields<StartEvalRequest>, response: { id: true } satisfies Fields<QueuedEval> },
  'GET /evals/{id}/report.html': {},
  'GET /keys': { response: { keys: keyFields } },
  'POST /keys': {
    request: { scope: true, kb: true, origins: true, ratePerMinute: true, name: true } satisfies Fields<CreateKeyRequest>,
    response: { ...keyFields, key: true } satisfies Fields<CreatedKey>,
  },
  'DELETE /keys/{id}': {},
  'GET /kbs/{name}/curated-answers': { response: { curatedAnswers: curatedAnswerFields } satisfies Fields<CuratedAnswerList> },
  'POST /kbs/{name}/curated-answers': {
    request: { ...curatedRequestFields, fromAnswerId: true } satisfies Fields<CreateCuratedAnswerRequest>,
    response: curatedAnswerFields,
  },
  'PATCH /kbs/{name}/curated-answers/{id}': { request: curatedRequestFields, response: curatedAnswerFields },
  'DELETE /kbs/{name}/curated-answers/{id}': {},
  'GET /kbs/{name}/settings': { response: { kb: true, version: true, settings: settingsFields } satisfies Fields<KbSettingsResponse> },
  'PATCH /kbs/{name}/settings': { request: settingsFields, response: { kb: true, version: true, settings: settingsFields } satisfies Fields<KbSettingsResponse> },
  'GET /kbs/{name}/sources': { response: { sources: sourceFields } satisfies Fields<SourceList> },
  'POST /kbs/{name}/sources': {
    request: { type: true, name: true, config: true, schedule: true } satisfies Fields<CreateSourceRequest>,
    response: sourceFields,
  },
  'PATCH /sources/{id}': { request: { name: true, config: true, schedule: true } satisfies Fields<UpdateSourceRequest>, response: sourceFields },
  'DELETE /sources/{id}': { response: { id: true, documentsRemoved: true } satisfies Fields<RemovedSource> },
  'POST /sources/{id}/sync': { request: { full: true } satisfies Fields<SyncRequest>, response: { jobId: true, queued: true } satisfies Fields<QueuedSync> },
  'GET /conversations': {
    response: {
      conversations: {
        id: true,
        kb: true,
        outcome: true,
        turnCount: true,
        firstQuestion: true,
        createdAt: true,
        updatedAt: true,
      } satisfies Fields<ConversationSummary>,
      nextCursor: true,
    } satisfies Fields<ConversationPage>,
  },
  'GET /conversations/{id}': { response: conversationFields },
  'POST /conversations/{id}/resolve': { response: conversationFields },
  'POST /conversations/{id}/handoff': {
    request: { reason: true } satisfies Fields<HandoffRequest>,
    response: { ...conversationFields, webhook: true } satisfies Fields<HandedOffConversation> },
} as const;
