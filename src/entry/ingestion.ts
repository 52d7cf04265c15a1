import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { chunkDocument, defaultChunkingSettings } from '../../ingest/chunking/index.ts';
import { createFileLoaders, detectContentType } from '../../ingest/loaders/index.ts';
import {
  defaultIngestLimits,
  defaultJobWorkerOptions,
  isDocumentFile,
  startJobWorker,
  type CollectDependencies,
  type CrawlPages,
  type IngestContext,
  type JobWorker,
  type JobWorkerOptions,
} from '../../ingest/pipeline/index.ts';
import { createParsePool } from '../../ingest/parse-pool/index.ts';
import { createUnstructuredLoader } from '../../ingest/unstructured/index.ts';
import { crawl } from '../../ingest/web/index.ts';
import type { ReadinessCheck } from '../api/index.ts';
import { noopMetrics, type Config, type Embedder, type ServiceMetrics } from '../core/index.ts';
import type { Database } from '../db/index.ts';
import { loadEmbedder, type EmbedderStatus } from '../embedders/index.ts';
import { termFrequencies } from '../retrieval/lexical/index.ts';
import { embedderOptionsFrom } from './query-answering.ts';

/**
 * Ingestion's parts for Node, wired from config: loaders, chunker, terms, embedder.
 * The built-in loaders run in the parse pool's worker threads, within the configured
 * budgets, so neither the API's event loop nor a job's lease renewal waits on a parse.
 */
export interface NodeIngestion {
  context: IngestContext;
  collect: CollectDependencies;
  /** Crawls for crawl jobs queued through the API, private addresses only when ORIOLE_ALLOW_PRIVATE_NETWORK allows. */
  crawlJobs: CrawlPages;
  detectContentType: (input: { source: string; bytes: Uint8Array; declared?: string }) => string | null;
  isSupported: (contentType: string) => boolean;
  /** Stops the parse pool's worker threads (they never keep an idle process alive). */
  close(): Promise<void>;
}

/** The configured embedder, loaded once (its download logged every 10 %), or why there is none. */
export async function loadConfiguredEmbedder(
  config: Config,
  logger: Logger,
): Promise<{ embedder: Embedder | null; status: EmbedderStatus }> {
  return loadEmbedder(
    config.embedder.spec,
    { ...embedderOptionsFrom(config), onProgress: downloadProgressLogger(logger) },
    (message) => logger.warn({ embedder: config.embedder.spec }, message),
  );
}

export function createNodeIngestion(config: Config, database: Database, embedder: Embedder | null): NodeIngestion {
  const parsePool = createParsePool({ budgets: config.parsing });
  const loaders = createFileLoaders({
    maxDecompressedBytes: config.parsing.maxDecompressedBytes,
    isolate: (input) => parsePool.parse(input),
    extraLoaders: config.unstructured.apiUrl
      ? [createUnstructuredLoader({ apiUrl: config.unstructured.apiUrl, ...(config.unstructured.apiKey ? { apiKey: config.unstructured.apiKey } : {}) })]
      : [],
  });
  const detect = (input: { source: string; bytes: Uint8Array; declared?: string }) => detectContentType(input);
  return {
    context: {
      database,
      parse: (input) => loaders.load(input),
      chunk: (document) => chunkDocument(document, defaultChunkingSettings),
      termFrequencies,
      embedder,
      embedderSpec: config.embedder.spec,
      chunkingSettings: defaultChunkingSettings,
      limits: defaultIngestLimits,
    },
    collect: {
      // The operator typed these URLs, so intranet help sites are fair game here (the API's crawls obey ORIOLE_ALLOW_PRIVATE_NETWORK).
      crawl: (urls) => crawl(urls, { allowPrivateNetwork: true }),
      isSupported: ({ source, bytes }) => isDocumentFile(source, detect({ source, bytes }), loaders.supports),
    },
    crawlJobs: (url, limits) => crawl([url], { ...limits, allowPrivateNetwork: config.allowPrivateNetwork }),
    detectContentType: detect,
    isSupported: (contentType) => loaders.supports(contentType),
    close: () => parsePool.close(),
  };
}

/** Why retrieval is lexical-only for want of a model, said in every answer; undefined when the embedder is ready or 'none' by configuration. */
export function embedderWarning(status: EmbedderStatus): string | undefined {
  return status.lexicalOnly && !status.ready ? status.message : undefined;
}

export { embedderOptionsFrom };

/** The embedder's state for GET /ready: not ok when the configured model could not be loaded. */
export function embedderReadiness(status: EmbedderStatus): ReadinessCheck {
  return { ok: status.ready, ...(status.lexicalOnly ? { message: status.message } : {}) };
}

/**
 * A job worker named after this process, logging through the service logger and counting
 * documents in `metrics`; `options` adjusts its polling (tests poll fast).
 */
export function startNodeJobWorker(
  context: IngestContext,
  logger: Logger,
  metrics: ServiceMetrics = noopMetrics,
  options: Partial<JobWorkerOptions> = {},
): JobWorker {
  return startJobWorker(context, {
    ...defaultJobWorkerOptions,
    workerId: `${hostname()}:${process.pid}`,
    onDocumentIngested: ({ outcome, seconds }) => metrics.observeIngestedDocuments({ outcome, count: 1, seconds }),
    onError: (error, job) => logger.error({ err: error, jobId: job?.id }, 'ingestion job error'),
    onJobDone: (job, status) => logger.info({ jobId: job.id, status }, 'ingestion job finished'),
    ...options,
  });
}

/** Logs a model download every 10 %, not on every chunk of bytes. */
function downloadProgressLogger(logger: Logger): (event: { file: string; loaded: number; total: number }) => void {
  const reported = new Map<string, number>();
  return ({ file, loaded, total }) => {
    const decile = total > 0 ? Math.floor((loaded / total) * 10) : 0;
    if ((reported.get(file) ?? -1) >= decile) return;
    reported.set(file, decile);
    logger.info({ file, loaded, total }, `downloading model file ${file}: ${decile * 10}%`);
  };
}
