import type { AnswerMode } from './answers.ts';

/** One HTTP request, labelled by its route pattern ('/documents/{id}'), never the raw path. */
export interface RequestObservation {
  /** The matched route pattern, or 'unmatched' when no route matched (keeps label values bounded). */
  route: string;
  method: string;
  status: number;
  seconds: number;
}

/** One answer as served (the `done` response): how it was made and how long each stage took. */
export interface AnswerObservation {
  mode: AnswerMode;
  abstained: boolean;
  /** From request to retrieved passages (a follow-up's rewrite included). */
  retrievalSeconds: number;
  /** Generation or extraction, citation checks included. */
  generationSeconds: number;
  /** The knowledge base's name. */
  kb: string;
  /** Served from the answer cache: counted as an answer, its (zero) stage times left out of the histograms. */
  cached?: boolean;
}

/** What became of one document given to ingestion; `skipped`: no text to index; `failed`: it could not be ingested. */
export type IngestedDocumentOutcome = 'added' | 'updated' | 'unchanged' | 'skipped' | 'failed';

export interface SourceSyncObservation {
  type: string;
  status: 'succeeded' | 'partial' | 'failed';
  items: { added: number; updated: number; unchanged: number; deleted: number; failed: number };
}

export interface IngestedDocumentsObservation {
  outcome: IngestedDocumentOutcome;
  count: number;
  /** Time spent on these documents, when measured. */
  seconds?: number;
}

/**
 * The service's counters and timings, reported by the API, the answer service and
 * ingestion. Runtime-agnostic: the Node composition root implements it with
 * prom-client (src/entry/metrics.ts); Workers use `noopMetrics`. Observing never
 * throws and never waits.
 */
export interface ServiceMetrics {
  observeRequest(observation: RequestObservation): void;
  observeAnswer(observation: AnswerObservation): void;
  /** The LLM failed and the extractive reader answered instead; `code` is a short, bounded reason ('timeout', 'http_429'). */
  observeGenerationFailure(code: string): void;
  /** Embedding a query failed. */
  observeEmbedderError(): void;
  /** A cacheable answer was looked up in the answer cache and found (`hit`) or not (`miss`). */
  observeAnswerCache(result: 'hit' | 'miss'): void;
  observeIngestedDocuments(observation: IngestedDocumentsObservation): void;
  /**
   * One attempt to deliver the hand-off webhook (docs/conversations.md): `delivered`,
   * `retry` (it failed and will be tried again) or `failed` (it failed for good).
   */
  observeHandoffWebhook(result: 'delivered' | 'retry' | 'failed'): void;
  /**
   * One answer checked by the verifier (ORIOLE_VERIFIER): `verified`, or `timeout` / `error`,
   * when the answer went on without it.
   */
  observeVerification(result: 'verified' | 'timeout' | 'error'): void;
  /** One finished source sync (docs/sources.md): its type, the run's status and its item counts. */
  observeSourceSync(observation: SourceSyncObservation): void;
  /** The exposition served at GET /metrics. */
  render(): Promise<{ contentType: string; body: string }>;
}

/** Metrics that record nothing: for runtimes and tests without a metrics backend. */
export const noopMetrics: ServiceMetrics = {
  observeRequest() {},
  observeAnswer() {},
  observeGenerationFailure() {},
  observeEmbedderError() {},
  observeAnswerCache() {},
  observeIngestedDocuments() {},
  observeHandoffWebhook() {},
  observeVerification() {},
  observeSourceSync() {},
  async render() {
    return { contentType: 'text/plain; version=0.0.4; charset=utf-8', body: '' };
  },
};
