import { getConnInfo } from '@hono/node-server/conninfo';
import type { Logger } from 'pino';
import { createEvalService, type EvalWorkerOptions, type Judge } from '../../evals/index.ts';
import { createIngestionService, type IngestContext, type JobWorkerOptions } from '../../ingest/pipeline/index.ts';
import {
  createSourcesService,
  defaultSyncSchedulerSettings,
  startSyncScheduler,
  type SyncSchedulerSettings,
} from '../../ingest/sources/index.ts';
import type { AnswerService, AnswerSettings } from '../answer/index.ts';
import {
  createApp,
  createHttpDependencies,
  defaultUploadLimits,
  type HttpDependencies,
  type ReadinessDependencies,
  type RequestLogger,
  type UploadLimits,
} from '../api/index.ts';
import { noopMetrics, OrioleError, redactUrlPassword, type Config, type Embedder, type Reranker, type ServiceMetrics, type Verifier } from '../core/index.ts';
import { createHandoffWebhook, startConversationRetention, type HandoffNotifier, type HandoffWebhookOptions } from '../conversations/index.ts';
import { createReadRouting, openPostgres, sharedRateLimitBuckets, type Database, type ReadRouting } from '../db/index.ts';
import type { EmbedderStatus } from '../embedders/index.ts';
import type { JobWorker } from '../jobs/index.ts';
import { createMcpHttpEndpoint, type McpServices } from '../mcp/index.ts';
import type { RerankerStatus } from '../rerankers/index.ts';
import { createInProcessLexicalSearcher } from '../retrieval/index.ts';
import { createAnswering, loadConfiguredChatModel, type AnsweringParts, type ChatModelPart } from './answering.ts';
import { buildInfo, type BuildInfo } from './build-info.ts';
import { startNodeEvalWorker } from './eval-jobs.ts';
import {
  createNodeIngestion,
  embedderReadiness,
  embedderWarning,
  loadConfiguredEmbedder,
  startNodeJobWorker,
  type NodeIngestion,
  type SourceSyncOptions,
} from './ingestion.ts';
import { loadConfiguredJudge } from './judge.ts';
import { openMigratedDatabase, type StorageNode } from './node.ts';
import { answersForKb, loadConfiguredReranker, loadConfiguredVerifier } from './query-answering.ts';
import { builtWebDirectory, directoryWebAssets } from './web-assets.ts';

/**
 * The Node composition root: `oriole serve`, `oriole worker`, `oriole demo`, every other
 * CLI command and the test helpers get their parts here, from validated config.
 * Loading (the database, the models) is asynchronous and chosen by the caller, so a
 * command loads only what it uses (`kb list` no model, `search` only the KB's embedder);
 * wiring is synchronous and lazy: each part is built the first time it is asked for,
 * then reused. The Workers entry (worker.ts) has its own root: no fs, PGlite or models.
 */

/** The models a composition uses: loaded by `loadNodeModels`, or given (tests). */
export interface NodeModels {
  /** Embeds documents on ingestion and queries on search; null: keyword search only. */
  embedder: Embedder | null;
  /** How the embedder loaded, for GET /ready and the logs; absent when it was given rather than loaded. */
  embedderStatus?: EmbedderStatus;
  reranker: Reranker | null;
  rerankerStatus?: RerankerStatus;
  /** ORIOLE_VERIFIER's in-process model (`transformers:`); absent: none loaded (with `llm`, the answering LLM verifies). */
  verifier?: Verifier;
  /** ORIOLE_LLM's chat model, null for the extractive reader; absent: not loaded (allowed only when ORIOLE_LLM is 'extractive'). */
  chatModel?: ChatModelPart | null;
}

/** No model: what commands that only read or write the database compose with. */
export const noModels: NodeModels = { embedder: null, reranker: null };

/**
 * ORIOLE_EMBEDDER's model and, unless `reranker` is false, ORIOLE_RERANKER's and
 * ORIOLE_VERIFIER's; an embedder or reranker that cannot be loaded is logged and leaves
 * search lexical-only, or in fused order; a verifier that cannot be loaded stops start-up.
 */
export async function loadNodeModels(config: Config, logger: Logger, options: { reranker: boolean } = { reranker: true }): Promise<NodeModels> {
  const { embedder, status } = await loadConfiguredEmbedder(config, logger);
  if (!options.reranker) return { embedder, embedderStatus: status, reranker: null };
  // After the embedder: both configure transformers.js's one global environment while loading.
  const { reranker, status: rerankerStatus } = await loadConfiguredReranker(config, logger);
  const verifier = await loadConfiguredVerifier(config, logger);
  const chatModel = await loadConfiguredChatModel(config);
  return { embedder, embedderStatus: status, reranker, rerankerStatus, chatModel, ...(verifier ? { verifier } : {}) };
}

/** What `oriole ingest` and the demo load: the embedder, no reranker. */
export function loadIngestModels(config: Config, logger: Logger): Promise<NodeModels> {
  return loadNodeModels(config, logger, { reranker: false });
}

/** What the composition is given; it never closes `database` (whoever opened it does). */
export interface NodeParts {
  database: Database;
  logger: Logger;
  /** Default: none (`noModels`). */
  models?: NodeModels;
}

/** Stand-ins for what config would build: tests use them for fakes, `oriole serve` for its metrics. */
export interface NodeOverrides {
  /** Ingestion's parts as a whole (e.g. with a counting embedder); its embedder spec is the API's default. */
  ingestContext?: IngestContext;
  /** Instead of ORIOLE_LLM's model; null answers extractively. */
  chatModel?: AnsweringParts['chatModel'];
  /** Over ORIOLE_LLM_TIMEOUT_MS and ORIOLE_LLM_FIRST_TOKEN_TIMEOUT_MS. */
  answerSettings?: AnsweringParts['settings'];
  /** Replaces the answer service of the routes and the eval worker (a slow or failing fake). */
  answers?: AnswerService;
  /** Instead of ORIOLE_JUDGE's (built on first use). */
  judge?: Judge | null;
  /** Answer, ingestion and request metrics; default none (`oriole serve` passes Prometheus's). */
  metrics?: ServiceMetrics;
  /** Where the access log goes; default the logger. */
  accessLog?: RequestLogger;
  /** GET /ready's checks besides the database; default the loaded embedder's state, if it was loaded. */
  readiness?: ReadinessDependencies;
  /** Rate limits, CORS and timeouts; default config's, with the client address from the socket. */
  http?: HttpDependencies;
  uploadLimits?: Partial<UploadLimits>;
  /** Polling and names of the job workers (tests poll fast). */
  jobWorker?: Partial<JobWorkerOptions>;
  /** How often due source syncs are looked for (tests look often). */
  syncScheduler?: Partial<Pick<SyncSchedulerSettings, 'intervalMs'>>;
  /** Source syncs' resolver, address rule and retry waits (tests stub them). */
  sources?: SourceSyncOptions;
  evalWorker?: Partial<EvalWorkerOptions>;
  /** What eval reports record about this build; default the package version and git commit. */
  oriole?: BuildInfo;
  /** The built web pages served at /, /admin and /widget.js; default dist/web (`npm run build:web`). */
  webDirectory?: string;
  /** Retry delays and attempt timeout of the hand-off webhook (tests retry fast); its URL and secret come from config. */
  handoffWebhook?: Pick<HandoffWebhookOptions, 'retryDelaysMs' | 'attemptTimeoutMs'>;
}

/** The workers one composition started; `stop` lets each finish its current document or case. */
export interface NodeWorkers {
  ingestion: JobWorker | undefined;
  evals: JobWorker | undefined;
  stop(): Promise<void>;
}

/** What `startWorkers` starts; `conversationRetention`: the hourly deletion of expired conversations (`oriole serve`). */
export interface NodeWorkerChoice {
  ingestion: boolean;
  evals: boolean;
  conversationRetention?: boolean;
  /** With `ingestion`: also queue source syncs as their schedules come due (default true; `oriole sources sync` runs one sync only). */
  syncSchedule?: boolean;
}

export type NodeApp = ReturnType<typeof createApp>;

export interface NodeComposition extends StorageNode {
  readonly models: NodeModels;
  /** Loaders, chunker, terms and the embedder, on `database`. */
  ingestion(): NodeIngestion;
  /** Search and answers with the loaded models: one service for the API and eval jobs. */
  answers(): AnswerService;
  /** For one CLI query on `kbName`: loads the KB's own embedder only when the KB has vectors, then the reranker; `settings` over the configured ones. */
  answersForKb(kbName: string, settings?: Partial<AnswerSettings>): Promise<AnswerService>;
  judge(): Judge | null;
  buildInfo(): BuildInfo;
  /** Starts the ingestion and/or eval job workers; the app's queued-job hooks wake them. */
  startWorkers(which: NodeWorkerChoice): NodeWorkers;
  /** The hand-off webhook of ORIOLE_HANDOFF_WEBHOOK_URL, or undefined when none is set. */
  handoff(): HandoffNotifier | undefined;
  /** The HTTP API over these parts. */
  app(): NodeApp;
  /** Stops the workers it started (each finishes its current job), then the parse threads. */
  stop(): Promise<void>;
}

export function composeNode(config: Config, parts: NodeParts, overrides: NodeOverrides = {}): NodeComposition {
  const { database, logger } = parts;
  const models = parts.models ?? noModels;
  const chatModel = overrides.chatModel !== undefined ? overrides.chatModel : loadedChatModel(config, models);
  const metrics = overrides.metrics ?? noopMetrics;
  // Search reads go to hot standbys when DATABASE_READ_URL names some (docs/scaling.md).
  const readRouting = once(() => readReplicaRouting(config, database, logger));
  const readDatabase = () => readRouting()?.database ?? database;
  // One in-process BM25 index per KB for every answer service of this composition,
  // kept exact by the KB's version (docs/lexical-retrieval.md, "In-process index").
  const lexical = once(() =>
    createInProcessLexicalSearcher({
      database: readDatabase(),
      onLoadError: (error) => logger.warn({ err: error }, 'loading the in-process lexical index failed; searching in SQL meanwhile'),
    }),
  );
  const answering = (embedder: Pick<AnsweringParts, 'embedder' | 'warning' | 'reranker' | 'verifier'>) =>
    createAnswering(config, {
      database,
      readDatabase: readDatabase(),
      lexical: lexical(),
      ...embedder,
      chatModel,
      ...(overrides.answerSettings ? { settings: overrides.answerSettings } : {}),
      logger,
      metrics,
    });
  const llmName = chatModel?.name ?? 'extractive';
  let workers: NodeWorkers | undefined;
  let builtIngestion: NodeIngestion | undefined;

  const composition: NodeComposition = {
    config,
    database,
    logger,
    models,
    ingestion: once(() => {
      const ingestion = createNodeIngestion(config, database, models.embedder, overrides.sources);
      builtIngestion = ingestion;
      const context = overrides.ingestContext;
      return context ? { ...ingestion, context, sync: { ...ingestion.sync, ingest: context } } : ingestion;
    }),
    answers: once(() => {
      if (overrides.answers) return overrides.answers;
      const warning = models.embedderStatus ? embedderWarning(models.embedderStatus) : undefined;
      return answering({
        embedder: models.embedder,
        ...(warning ? { warning } : {}),
        reranker: models.reranker,
        ...(models.verifier ? { verifier: models.verifier } : {}),
      });
    }),
    async answersForKb(kbName, settings) {
      return answersForKb(composition, kbName, settings);
    },
    judge: () => (overrides.judge !== undefined ? overrides.judge : loadedJudge(config)),
    buildInfo: once(() => overrides.oriole ?? buildInfo(config.gitCommit)),
    startWorkers(which) {
      const ingestion = which.ingestion
        ? startNodeJobWorker(composition.ingestion().context, logger, metrics, {
            crawl: composition.ingestion().crawlJobs,
            sync: {
              ...composition.ingestion().sync,
              onRunFinished: (source, run) => {
                const { added, updated, unchanged, deleted, failed } = run;
                metrics.observeSourceSync({ type: source.type, status: run.status, items: { added, updated, unchanged, deleted, failed } });
                logger.info({ sourceId: source.id, type: source.type, run }, 'source sync finished');
              },
            },
            ...overrides.jobWorker,
          })
        : undefined;
      // Every process that syncs also schedules: the due rows are claimed once among them.
      const scheduler =
        ingestion && which.syncSchedule !== false
        ? startSyncScheduler(database, {
            ...defaultSyncSchedulerSettings,
            ...overrides.syncScheduler,
            onQueued: () => ingestion.notify(),
            onError: (error) => logger.error({ err: error }, 'scheduling source syncs failed; retrying at the next tick'),
          })
        : undefined;
      const evals = which.evals
        ? startNodeEvalWorker(
            { database, answers: composition.answers(), judge: composition.judge(), llm: llmName, oriole: composition.buildInfo() },
            logger,
            overrides.evalWorker,
          )
        : undefined;
      const retention = which.conversationRetention
        ? startConversationRetention({ database, retentionDays: config.conversations.retentionDays, logger })
        : undefined;
      workers = {
        ingestion,
        evals,
        stop: async () => void (await Promise.all([scheduler?.stop(), ingestion?.stop(), evals?.stop(), retention?.stop()])),
      };
      return workers;
    },
    handoff: once(() => {
      const webhook = config.conversations.handoffWebhook;
      if (!webhook) return undefined;
      return createHandoffWebhook({
        ...webhook,
        ...overrides.handoffWebhook,
        onResult(result, detail) {
          metrics.observeHandoffWebhook(result);
          if (result === 'delivered') logger.info(detail, 'hand-off webhook delivered');
          else if (result === 'retry') logger.warn(detail, 'hand-off webhook attempt failed; retrying');
          else logger.error(detail, 'hand-off webhook failed; giving up');
        },
      });
    }),
    async stop() {
      await workers?.stop();
      await builtIngestion?.close();
      await readRouting()?.close();
    },
    app: once(() => {
      const ingestion = composition.ingestion();
      const status = models.embedderStatus;
      const readiness = overrides.readiness ?? (status ? { embedder: () => embedderReadiness(status) } : undefined);
      return createApp(
        {
          database,
          defaultEmbedder: ingestion.context.embedderSpec,
          defaultKb: config.defaultKb,
          ingestion: {
            ...createIngestionService({
              database,
              embedder: ingestion.context.embedderSpec,
              detectContentType: ingestion.detectContentType,
              isSupported: ingestion.isSupported,
              onJobQueued: () => workers?.ingestion?.notify(),
              allowPrivateNetwork: config.allowPrivateNetwork,
              defaultKb: config.defaultKb,
            }),
            limits: { ...defaultUploadLimits, ...overrides.uploadLimits },
          },
          answers: composition.answers(),
          sources: createSourcesService({
            database,
            credentialBox: ingestion.credentialBox,
            embedder: ingestion.context.embedderSpec,
            onSyncQueued: () => workers?.ingestion?.notify(),
            defaultKb: config.defaultKb,
            allowPrivateNetwork: config.allowPrivateNetwork,
          }),
          evals: createEvalService({ database, onJobQueued: () => workers?.evals?.notify() }),
          metrics,
          logger: overrides.accessLog ?? logger,
          ...(readiness ? { readiness } : {}),
          auth: { adminKey: config.adminKey ?? null },
          // On PostgreSQL the buckets live in the database, so a limit holds across every API
          // process on it; embedded PGlite has one process, whose memory is enough (docs/limits.md).
          http:
            overrides.http ??
            createHttpDependencies(config.http, (context) => getConnInfo(context).remote.address, Date.now, sharedRateLimitBuckets(database)),
          web: directoryWebAssets(overrides.webDirectory ?? builtWebDirectory),
          ...(composition.handoff() ? { handoff: composition.handoff()! } : {}),
          mcp: createMcpHttpEndpoint(mcpServices(composition, composition.answers())),
          ...(readRouting() ? { readReplicas: readRouting()! } : {}),
        },
        { onServerError: (error, requestId) => logger.error({ err: error.cause ?? error, requestId }, error.message) },
      );
    }),
  };
  return composition;
}

/** A router over DATABASE_READ_URL's standbys, or null when there are none (or the primary is embedded). */
function readReplicaRouting(config: Config, primary: Database, logger: Logger): ReadRouting | null {
  const { urls, maxLagMs } = config.readReplicas;
  if (urls.length === 0 || primary.backend !== 'postgres') return null;
  const targets = urls.map((url) => ({
    name: redactUrlPassword(url),
    database: openPostgres({ url, onIdleError: (error) => logger.warn({ err: error, replica: redactUrlPassword(url) }, 'read replica connection dropped') }),
  }));
  return createReadRouting(primary, targets, { maxLagMs });
}

/** What the MCP server (POST /mcp, `oriole mcp`) works with: `answers` and the composition's database, over its config. */
export function mcpServices(node: NodeComposition, answers: AnswerService): McpServices {
  return {
    database: node.database,
    answers,
    defaultKb: node.config.defaultKb,
    version: node.buildInfo().version,
    onServerError: (error) => node.logger.error({ err: error.cause ?? error, channel: 'mcp' }, error.message),
  };
}

/** A composition over a database it opened (and migrated): `close` stops its workers, then closes the database. */
export interface OpenedNode extends NodeComposition {
  close(): Promise<void>;
}

/**
 * Opens and migrates the configured database, loads the models `loadModels` loads (none
 * by default), and composes over them. A failure while loading closes the database.
 */
export async function openNode(
  config: Config,
  logger: Logger,
  loadModels: (config: Config, logger: Logger) => Promise<NodeModels> = async () => noModels,
  overrides: NodeOverrides = {},
): Promise<OpenedNode> {
  // First: a bad ORIOLE_JUDGE stops the command before anything is opened or loaded.
  if (overrides.judge === undefined) overrides = { ...overrides, judge: await loadConfiguredJudge(config) };
  const { database } = await openMigratedDatabase(config, logger);
  let models: NodeModels;
  try {
    models = await loadModels(config, logger);
    if (models.chatModel === undefined) models = { ...models, chatModel: await loadConfiguredChatModel(config) };
  } catch (error) {
    await database.close();
    throw error;
  }
  const composition = composeNode(config, { database, logger, models }, overrides);
  return {
    ...composition,
    async close() {
      await composition.stop();
      await database.close();
    },
  };
}

/** Runs `work` on a composition over the configured database (no model loaded up front), closing it after. */
export async function withNode<T>(config: Config, logger: Logger, work: (node: NodeComposition) => Promise<T>): Promise<T> {
  const node = await openNode(config, logger);
  try {
    return await work(node);
  } finally {
    await node.close();
  }
}

/** The chat model loaded with the models; none loaded is the extractive reader, and a mistake when ORIOLE_LLM names a model. */
function loadedChatModel(config: Config, models: NodeModels): ChatModelPart | null {
  if (models.chatModel !== undefined) return models.chatModel;
  if (config.llm.spec === 'extractive') return null;
  throw new OrioleError('internal', `ORIOLE_LLM names '${config.llm.spec}' but no chat model was loaded for this composition (loadConfiguredChatModel)`);
}

/** The judge given to the composition; none given is no judge, and a mistake when ORIOLE_JUDGE names one. */
function loadedJudge(config: Config): Judge | null {
  if (config.llm.judgeSpec === undefined) return null;
  throw new OrioleError('internal', `ORIOLE_JUDGE names '${config.llm.judgeSpec}' but no judge was loaded for this composition (loadConfiguredJudge)`);
}

/** `build` on the first call, its result on every later one. */
function once<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => (built ??= { value: build() }).value;
}
