import { apiError, createApiClient, type ApiClient } from '../shared/api.ts';
import type {
  AnalyticsSummary,
  ApiKey,
  ChunkPage,
  Conversation,
  ConversationOutcome,
  ConversationPage,
  CrawlRequest,
  CreateCuratedAnswerRequest,
  CreateSourceRequest,
  CreatedKey,
  CreateKeyRequest,
  CreateKnowledgeBaseRequest,
  CuratedAnswer,
  DocumentPage,
  EvalRun,
  EvalSetSummary,
  HandedOffConversation,
  Job,
  KbSettingsPatch,
  KbSettingsResponse,
  KnowledgeBaseDetail,
  QueuedDocuments,
  QueuedEval,
  QueuedSync,
  RemovedSource,
  SearchResponse,
  Source,
  UpdateCuratedAnswerRequest,
  UpdateSourceRequest,
} from '../shared/admin-api-types.ts';

/**
 * The console's calls, each one public API route (docs/api.md), typed by
 * admin-api-types.ts. The key is read at each call and sent as `Authorization: Bearer`.
 */
export interface AdminApi {
  listKbs(): Promise<KnowledgeBaseDetail[]>;
  createKb(request: CreateKnowledgeBaseRequest): Promise<KnowledgeBaseDetail>;
  deleteKb(name: string): Promise<void>;
  listDocuments(kb: string, options: { q?: string; cursor?: string | null; limit?: number }): Promise<DocumentPage>;
  deleteDocument(id: string): Promise<void>;
  listChunks(documentId: string, from: number): Promise<ChunkPage>;
  /** One multipart POST /documents per file: each file gets its own job, so its own progress and errors. */
  uploadFile(kb: string, file: File): Promise<QueuedDocuments>;
  crawl(request: CrawlRequest): Promise<QueuedDocuments>;
  job(id: string): Promise<Job>;
  search(kb: string, query: string): Promise<SearchResponse>;
  analytics(kb: string, from: string): Promise<AnalyticsSummary>;
  listEvalSets(kb: string): Promise<EvalSetSummary[]>;
  listEvalRuns(kb: string): Promise<EvalRun[]>;
  startEval(kb: string, evalSet: string): Promise<QueuedEval>;
  /** The report page's HTML, fetched with the key (a plain link could not carry it). */
  evalReportHtml(id: string): Promise<string>;
  listKeys(): Promise<ApiKey[]>;
  createKey(request: CreateKeyRequest): Promise<CreatedKey>;
  revokeKey(id: string): Promise<void>;
  /** Curated answers (docs/curated-answers.md): the whole list (the route does not page), oldest first. */
  listCurated(kb: string): Promise<CuratedAnswer[]>;
  createCurated(kb: string, request: CreateCuratedAnswerRequest): Promise<CuratedAnswer>;
  updateCurated(kb: string, id: string, changes: UpdateCuratedAnswerRequest): Promise<CuratedAnswer>;
  deleteCurated(kb: string, id: string): Promise<void>;
  kbSettings(kb: string): Promise<KbSettingsResponse>;
  /** Only the fields named change; `null` removes one (docs/kb-settings.md). */
  updateKbSettings(kb: string, patch: KbSettingsPatch): Promise<KbSettingsResponse>;
  listConversations(
    kb: string,
    options: { outcome?: ConversationOutcome | ''; from?: string; to?: string; cursor?: string | null; limit?: number },
  ): Promise<ConversationPage>;
  conversation(id: string): Promise<Conversation>;
  resolveConversation(id: string): Promise<Conversation>;
  /** Marks it handed off; the hand-off webhook fires the first time (docs/conversations.md). */
  handOffConversation(id: string, reason?: string): Promise<HandedOffConversation>;
  /** Sources (docs/sources.md): the KB's, by name. */
  listSources(kb: string): Promise<Source[]>;
  /** Its first sync is queued at once (the answer's `jobId`). */
  createSource(kb: string, request: CreateSourceRequest): Promise<Source>;
  updateSource(id: string, changes: UpdateSourceRequest): Promise<Source>;
  /** Removes the source and the documents it brought in. */
  deleteSource(id: string): Promise<RemovedSource>;
  syncSource(id: string, full: boolean): Promise<QueuedSync>;
}

export function createAdminApi(key: () => string | undefined): AdminApi {
  const client: ApiClient = createApiClient({ baseUrl: '', key });
  const authorization = (): Record<string, string> => {
    const value = key();
    return value ? { Authorization: `Bearer ${value}` } : {};
  };
  /** Calls answering 204 or a non-JSON body. */
  const raw = async (method: string, path: string, init: RequestInit = {}): Promise<Response> => {
    const response = await fetch(path, {
      ...init,
      method,
      headers: { ...authorization(), ...(init.headers as Record<string, string> | undefined) },
      credentials: 'omit',
    });
    if (!response.ok) throw await apiError(response);
    return response;
  };
  const query = (values: Record<string, string | number | null | undefined>): string => {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(values)) if (value !== undefined && value !== null && value !== '') search.set(name, String(value));
    return search.toString();
  };
  const path = encodeURIComponent;

  return {
    listKbs: async () => (await client.json<{ kbs: KnowledgeBaseDetail[] }>('GET', '/kbs')).kbs,
    createKb: (request) => client.json('POST', '/kbs', request),
    deleteKb: async (name) => void (await raw('DELETE', `/kbs/${path(name)}`)),
    listDocuments: (kb, options) =>
      client.json('GET', `/documents?${query({ kb, q: options.q, cursor: options.cursor, limit: options.limit })}`),
    deleteDocument: async (id) => void (await raw('DELETE', `/documents/${path(id)}`)),
    listChunks: (documentId, from) => client.json('GET', `/documents/${path(documentId)}/chunks?${query({ from, limit: 100 })}`),
    uploadFile: async (kb, file) => {
      const form = new FormData();
      form.set('kb', kb);
      form.append('file', file, file.name);
      return (await (await raw('POST', '/documents', { body: form, headers: { Accept: 'application/json' } })).json()) as QueuedDocuments;
    },
    crawl: (request) => client.json('POST', '/documents', request),
    job: (id) => client.json('GET', `/jobs/${path(id)}`),
    search: (kb, text) => client.json('POST', '/search', { kb, query: text, topK: 10 }),
    analytics: (kb, from) => client.json('GET', `/analytics/summary?${query({ kb, from, limit: 10 })}`),
    listEvalSets: async (kb) => (await client.json<{ evalSets: EvalSetSummary[] }>('GET', `/eval-sets?${query({ kb })}`)).evalSets,
    listEvalRuns: async (kb) => (await client.json<{ evals: EvalRun[] }>('GET', `/evals?${query({ kb, limit: 20 })}`)).evals,
    startEval: (kb, evalSet) => client.json('POST', '/evals', { kb, evalSet }),
    evalReportHtml: async (id) => (await raw('GET', `/evals/${path(id)}/report.html`, { headers: { Accept: 'text/html' } })).text(),
    listKeys: async () => (await client.json<{ keys: ApiKey[] }>('GET', '/keys')).keys,
    createKey: (request) => client.json('POST', '/keys', request),
    revokeKey: async (id) => void (await raw('DELETE', `/keys/${path(id)}`)),
    listCurated: async (kb) => (await client.json<{ curatedAnswers: CuratedAnswer[] }>('GET', `/kbs/${path(kb)}/curated-answers`)).curatedAnswers,
    createCurated: (kb, request) => client.json('POST', `/kbs/${path(kb)}/curated-answers`, request),
    updateCurated: (kb, id, changes) => client.json('PATCH', `/kbs/${path(kb)}/curated-answers/${path(id)}`, changes),
    deleteCurated: async (kb, id) => void (await raw('DELETE', `/kbs/${path(kb)}/curated-answers/${path(id)}`)),
    kbSettings: (kb) => client.json('GET', `/kbs/${path(kb)}/settings`),
    updateKbSettings: (kb, patch) => client.json('PATCH', `/kbs/${path(kb)}/settings`, patch),
    listConversations: (kb, options) =>
      client.json(
        'GET',
        `/conversations?${query({ kb, outcome: options.outcome, from: options.from, to: options.to, cursor: options.cursor, limit: options.limit })}`,
      ),
    conversation: (id) => client.json('GET', `/conversations/${path(id)}`),
    resolveConversation: (id) => client.json('POST', `/conversations/${path(id)}/resolve`),
    handOffConversation: (id, reason) => client.json('POST', `/conversations/${path(id)}/handoff`, reason ? { reason } : {}),
    listSources: async (kb) => (await client.json<{ sources: Source[] }>('GET', `/kbs/${path(kb)}/sources`)).sources,
    createSource: (kb, request) => client.json('POST', `/kbs/${path(kb)}/sources`, request),
    updateSource: (id, changes) => client.json('PATCH', `/sources/${path(id)}`, changes),
    deleteSource: (id) => client.json('DELETE', `/sources/${path(id)}`),
    syncSource: (id, full) => client.json('POST', `/sources/${path(id)}/sync`, full ? { full: true } : {}),
  };
}
