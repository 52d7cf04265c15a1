import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { ServiceMetrics } from '../core/index.ts';

/**
 * Request latency buckets, in seconds: health probes and searches take milliseconds,
 * an LLM answer (non-streamed) several seconds, an upload tens.
 */
export const httpDurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Retrieval runs in milliseconds to a second (a query embedding, a cross-encoder on CPU). */
export const retrievalDurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** Extraction takes milliseconds; an LLM seconds, up to its timeout (ORIOLE_LLM_TIMEOUT_MS, 60 s by default). */
export const generationDurationBuckets = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60];
/** One document through parse, chunk, embed and store. */
export const documentDurationBuckets = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/**
 * The Prometheus implementation of ServiceMetrics for the Node server: its own
 * registry (several apps in one process, as in tests, never share series), Node's
 * process metrics, and Oriole's (docs/observability.md lists them).
 */
export function createPrometheusMetrics(): ServiceMetrics & { registry: Registry } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const httpRequests = new Counter({
    name: 'oriole_http_requests_total',
    help: 'HTTP requests by route pattern, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    registers,
  });
  const httpDuration = new Histogram({
    name: 'oriole_http_request_duration_seconds',
    help: 'HTTP request latency until the response starts (a streamed answer: until its first event), by route pattern, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: httpDurationBuckets,
    registers,
  });
  const answers = new Counter({
    name: 'oriole_answers_total',
    help: 'Answers served, by knowledge base, mode (generative, extractive, curated) and whether they abstained',
    labelNames: ['kb', 'mode', 'abstained'] as const,
    registers,
  });
  const retrievalDuration = new Histogram({
    name: 'oriole_retrieval_duration_seconds',
    help: "Retrieval time of each answer (a follow-up's rewrite included), by answer mode",
    labelNames: ['mode'] as const,
    buckets: retrievalDurationBuckets,
    registers,
  });
  const generationDuration = new Histogram({
    name: 'oriole_generation_duration_seconds',
    help: 'Generation or extraction time of each answer, citation checks included, by answer mode',
    labelNames: ['mode'] as const,
    buckets: generationDurationBuckets,
    registers,
  });
  const generationFailures = new Counter({
    name: 'oriole_generation_failures_total',
    help: 'Language model failures that fell back to the extractive answer, by reason (timeout, connection, http_<status>, …)',
    labelNames: ['code'] as const,
    registers,
  });
  const answerCache = new Counter({
    name: 'oriole_answer_cache_requests_total',
    help: 'Cacheable answers looked up in the answer cache, by result (hit: served from it, miss: answered afresh)',
    labelNames: ['result'] as const,
    registers,
  });
  // Both series exist from the start, so a hit rate can be computed before the first hit.
  const answerCacheHits = answerCache.labels('hit');
  const answerCacheMisses = answerCache.labels('miss');
  const embedderErrors = new Counter({
    name: 'oriole_embedder_errors_total',
    help: 'Query embeddings that failed',
    registers,
  });
  const ingestedDocuments = new Counter({
    name: 'oriole_ingested_documents_total',
    help: 'Documents processed by ingestion jobs, by outcome (added, updated, unchanged, skipped, failed)',
    labelNames: ['outcome'] as const,
    registers,
  });
  const documentDuration = new Histogram({
    name: 'oriole_ingestion_document_duration_seconds',
    help: 'Time to ingest one document (parse, chunk, embed, store), by outcome',
    labelNames: ['outcome'] as const,
    buckets: documentDurationBuckets,
    registers,
  });

  const handoffWebhooks = new Counter({
    name: 'oriole_handoff_webhook_attempts_total',
    help: 'Attempts to deliver the hand-off webhook, by result (delivered; retry: failed, tried again later; failed: given up)',
    labelNames: ['result'] as const,
    registers,
  });
  // Every result's series exists from the start, so a failure rate can be computed before the first failure.
  const handoffSeries = {
    delivered: handoffWebhooks.labels('delivered'),
    retry: handoffWebhooks.labels('retry'),
    failed: handoffWebhooks.labels('failed'),
  };
  for (const series of Object.values(handoffSeries)) series.inc(0);
  const verifications = new Counter({
    name: 'oriole_verifier_checks_total',
    help: 'Answers checked by the verifier (ORIOLE_VERIFIER), by result (verified; timeout or error: answered without it)',
    labelNames: ['result'] as const,
    registers,
  });

  const sourceSyncs = new Counter({
    name: 'oriole_source_syncs_total',
    help: 'Source syncs finished, by source type and status (succeeded; partial: some items failed or the listing did not complete; failed)',
    labelNames: ['type', 'status'] as const,
    registers,
  });
  const sourceSyncItems = new Counter({
    name: 'oriole_source_sync_items_total',
    help: 'Items of finished source syncs, by source type and outcome (added, updated, unchanged, deleted, failed)',
    labelNames: ['type', 'outcome'] as const,
    registers,
  });

  // One pair of series per route, method and status, looked up by a string: prom-client's own
  // lookup hashes a sorted copy of the labels on every call, the largest cost of a /health request.
  const requestSeries = new Map<string, { count: { inc(): void }; duration: { observe(seconds: number): void } }>();
  return {
    registry,
    observeRequest({ route, method, status, seconds }) {
      const key = `${method} ${status} ${route}`;
      let series = requestSeries.get(key);
      if (!series) {
        const labels = [route, method, String(status)] as const;
        series = { count: httpRequests.labels(...labels), duration: httpDuration.labels(...labels) };
        requestSeries.set(key, series);
      }
      series.count.inc();
      series.duration.observe(seconds);
    },
    observeAnswer({ mode, abstained, retrievalSeconds, generationSeconds, kb, cached }) {
      answers.inc({ kb, mode, abstained: String(abstained) });
      if (cached) return;
      retrievalDuration.observe({ mode }, retrievalSeconds);
      generationDuration.observe({ mode }, generationSeconds);
    },
    observeAnswerCache(result) {
      (result === 'hit' ? answerCacheHits : answerCacheMisses).inc();
    },
    observeGenerationFailure(code) {
      generationFailures.inc({ code });
    },
    observeEmbedderError() {
      embedderErrors.inc();
    },
    observeIngestedDocuments({ outcome, count, seconds }) {
      ingestedDocuments.inc({ outcome }, count);
      // A batch's time is spread evenly over its documents.
      if (seconds !== undefined && count > 0) {
        for (let index = 0; index < count; index++) documentDuration.observe({ outcome }, seconds / count);
      }
    },
    observeHandoffWebhook(result) {
      handoffSeries[result].inc();
    },
    observeVerification(result) {
      verifications.inc({ result });
    },
    observeSourceSync({ type, status, items }) {
      sourceSyncs.inc({ type, status });
      for (const [outcome, count] of Object.entries(items)) sourceSyncItems.inc({ type, outcome }, count);
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
