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
import { createOcrPool, recognizeDocument } from '../../ingest/ocr/index.ts';
import { createParsePool } from '../../ingest/parse-pool/index.ts';
import {
  createConnector,
  createCredentialBox,
  type ConnectorDependencies,
  type CredentialBox,
  type SyncDependencies,
} from '../../ingest/sources/index.ts';
import { createUnstructuredLoader } from '../../ingest/unstructured/index.ts';
import { crawl } from '../../ingest/web/index.ts';
import { createGuardedFetch, type NetworkPolicy } from '../../ingest/web/network-guard.ts';
import type { ReadinessCheck } from '../api/index.ts';
import { defaultOcr, noopMetrics, OrioleError, type Config, type Embedder, type ServiceMetrics } from '../core/index.ts';
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
  /** Connectors and the rest a source sync needs (docs/sources.md), on the same network guard. */
  sync: SyncDependencies;
  /** Seals and opens source credentials; null without ORIOLE_SECRET_KEY. */
  credentialBox: CredentialBox | null;
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

/** What tests change about syncing: a stub resolver, an address rule, retries that do not sleep. */
export interface SourceSyncOptions {
  network?: Pick<NetworkPolicy, 'lookup' | 'isForbiddenAddress'>;
  connector?: Partial<Omit<ConnectorDependencies, 'fetch'>>;
  /** How old the last full listing may get before an incremental source lists everything again. */
  fullListingEveryMs?: number;
}

/**
 * Incremental exports seldom report deletions (Zendesk's leaves archived articles out), so
 * a sync lists everything when the last full listing is older than this: with a schedule
 * of an hour or more every run finds deletions, and shorter schedules find them hourly.
 */
export const defaultFullListingEveryMs = 3_600_000;

export function createNodeIngestion(
  config: Config,
  database: Database,
  embedder: Embedder | null,
  sourceOptions: SourceSyncOptions = {},
): NodeIngestion {
  const { mode: ocrMode, ...ocrPoolOptions } = config.ocr;
  // Pictures inside documents are collected in the parse threads only when OCR will read them.
  const parsePool = createParsePool({ budgets: config.parsing, embeddedImages: ocrMode === 'all' });
  const ocr = ocrMode === 'off' ? null : { mode: ocrMode, recognizer: createOcrPool(ocrPoolOptions) };
  const loaders = createFileLoaders({
    maxDecompressedBytes: config.parsing.maxDecompressedBytes,
    isolate: (input) => parsePool.parse(input),
    ...(ocr ? { recognize: (document, input) => recognizeDocument(document, input, ocr) } : {}),
    extraLoaders: config.unstructured.apiUrl
      ? [createUnstructuredLoader({ apiUrl: config.unstructured.apiUrl, ...(config.unstructured.apiKey ? { apiKey: config.unstructured.apiKey } : {}) })]
      : [],
  });
  // Crawls and connectors asked for through the API resolve host names through this guard (DNS rebinding).
  const guardedFetch = createGuardedFetch({ allowPrivateNetwork: config.allowPrivateNetwork, ...sourceOptions.network });
  const credentialBox = config.sourceSecretKeys.length > 0 ? createCredentialBox(config.sourceSecretKeys) : null;
  const detect = (input: { source: string; bytes: Uint8Array; declared?: string }) => detectContentType(input);
  const context: IngestContext = {
    database,
    parse: (input) => loaders.load(input),
    chunk: (document) => chunkDocument(document, defaultChunkingSettings),
    termFrequencies,
    embedder,
    embedderSpec: config.embedder.spec,
    chunkingSettings: defaultChunkingSettings,
    // Only a mode other than the default enters fingerprints (fingerprints.ts, pipeline version 4).
    ...(ocrMode === defaultOcr.mode ? {} : { parsingSettings: { ocr: ocrMode } }),
    limits: defaultIngestLimits,
  };
  return {
    context,
    collect: {
      // The operator typed these URLs, so intranet help sites are fair game here (the API's crawls obey ORIOLE_ALLOW_PRIVATE_NETWORK).
      crawl: (urls) => crawl(urls, { allowPrivateNetwork: true }),
      isSupported: ({ source, bytes }) => isDocumentFile(source, detect({ source, bytes }), loaders.supports),
    },
    crawlJobs: (url, limits) => crawl([url], { ...limits, allowPrivateNetwork: config.allowPrivateNetwork, fetch: guardedFetch }),
    sync: {
      ingest: context,
      fullListingEveryMs: sourceOptions.fullListingEveryMs ?? defaultFullListingEveryMs,
      connectorFor: (source) =>
        createConnector(source.type, { ...source.config, ...openCredentials(credentialBox, source.credentials) }, {
          ...sourceOptions.connector,
          fetch: guardedFetch,
          allowPrivateNetwork: config.allowPrivateNetwork,
        }),
    },
    credentialBox,
    detectContentType: detect,
    isSupported: (contentType) => loaders.supports(contentType),
    close: async () => {
      await Promise.all([parsePool.close(), ocr?.recognizer.close()]);
    },
  };
}

/** Why retrieval is lexical-only for want of a model, said in every answer; undefined when the embedder is ready or 'none' by configuration. */
export function embedderWarning(status: EmbedderStatus): string | undefined {
  return status.lexicalOnly && !status.ready ? status.message : undefined;
}

export { embedderOptionsFrom };

/** A source's sealed credentials, opened; a source stored with credentials cannot sync without ORIOLE_SECRET_KEY. */
function openCredentials(box: CredentialBox | null, sealed: Uint8Array | null): Record<string, string> {
  if (sealed === null) return {};
  if (box === null) {
    throw new OrioleError('config_invalid', "This source's credentials are sealed, and ORIOLE_SECRET_KEY is not set to open them", {
      details: { variable: 'ORIOLE_SECRET_KEY' },
    });
  }
  return box.open(sealed);
}

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
