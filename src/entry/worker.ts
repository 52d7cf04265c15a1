import { createEvalService } from '../../evals/eval-service.ts';
import { detectContentType, supportedContentTypes } from '../../ingest/loaders/index.ts';
import { createIngestionService } from '../../ingest/pipeline/ingestion-service.ts';
import { createCredentialBox } from '../../ingest/sources/credential-box.ts';
import { createSourcesService } from '../../ingest/sources/sources-service.ts';
import { createApp, createHttpDependencies, defaultUploadLimits, type HttpDependencies, type WebAssets } from '../api/index.ts';
import { loadConfig, type Config, type Embedder } from '../core/index.ts';
import { noopMetrics } from '../core/index.ts';
import { openPostgres, sharedRateLimitBuckets } from '../db/index.ts';
import { createOpenAIEmbedder } from '../embedders/openai-embedder.ts';
import { createAnswering, loadConfiguredChatModel } from './answering.ts';
import { requestScopedDatabase, type RequestScopedDatabase } from './request-database.ts';

/**
 * The Cloudflare Workers composition root: the same Hono app as on Node, with
 * PostgreSQL reached through Hyperdrive. No filesystem, PGlite or native modules
 * here. The schema is migrated from Node (`oriole migrate`), never from a request.
 * Config is read and the app built once per isolate; only the database connection
 * is per request.
 */
interface WorkerEnvironment {
  HYPERDRIVE: { connectionString: string };
  /** The built web pages (wrangler.toml `[assets]`, dist/web); absent: the Worker serves the API only. */
  ASSETS?: { fetch(request: string): Promise<Response> };
  [variable: string]: unknown;
}

interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
}

/** Kept across the requests one isolate serves: its rate-limit buckets count per isolate (docs/limits.md). */
let isolateHttp: HttpDependencies | undefined;

interface WorkerEmbedder {
  embedder: Embedder | null;
  warning?: string;
  /** The endpoint could not be reached: the next request tries again. */
  retry?: boolean;
}

/** What one isolate builds once: config read, embedder made (it probes the endpoint), app wired. */
interface Isolate {
  app: ReturnType<typeof createApp>;
  database: RequestScopedDatabase;
  /** Built without the embedder its endpoint could not give: the next request builds again. */
  retry: boolean;
}

/** Keyed on the bindings object (Hono's `c.env`): an isolate sees the same one on every request. */
const isolates = new WeakMap<WorkerEnvironment, Promise<Isolate>>();

export default {
  async fetch(request: Request, environment: WorkerEnvironment, context: ExecutionContext): Promise<Response> {
    const { app, database } = await isolateFor(environment);
    // Hyperdrive pools connections at the edge; each request opens a small pool of its own.
    const connection = openPostgres({ url: environment.HYPERDRIVE.connectionString, maxConnections: 1 });
    try {
      return await database.run(connection, () => app.fetch(request));
    } finally {
      context.waitUntil(connection.close());
    }
  },
};

function isolateFor(environment: WorkerEnvironment): Promise<Isolate> {
  let isolate = isolates.get(environment);
  if (!isolate) {
    isolate = buildIsolate(environment);
    isolates.set(environment, isolate);
    // A failure (a bad variable, an unreachable embedding endpoint) is not kept: the next request builds again.
    const forget = () => void isolates.delete(environment);
    isolate.then((built) => (built.retry ? forget() : undefined), forget);
  }
  return isolate;
}

async function buildIsolate(environment: WorkerEnvironment): Promise<Isolate> {
  const config = loadConfig(stringBindings(environment));
  const database = requestScopedDatabase('postgres');
  const models = await workerEmbedder(config);
  const chatModel = await loadConfiguredChatModel(config);
  const app = createApp({
    database: database.database,
    defaultEmbedder: config.embedder.spec,
    defaultKb: config.defaultKb,
    // Uploads are queued here and processed by Node workers (`oriole worker`), which poll the queue.
    ingestion: {
      ...createIngestionService({
        database: database.database,
        embedder: config.embedder.spec,
        detectContentType,
        isSupported: (contentType) => supportedContentTypes.includes(contentType),
        onJobQueued: () => {},
        allowPrivateNetwork: config.allowPrivateNetwork,
        defaultKb: config.defaultKb,
      }),
      limits: defaultUploadLimits,
    },
    // No in-process model on Workers: an OpenAI-compatible embedding endpoint or keyword search only,
    // and the configured LLM or the extractive reader.
    answers: createAnswering(config, { database: database.database, embedder: models.embedder, chatModel, ...(models.warning ? { warning: models.warning } : {}) }),
    // Source syncs are queued here and run by Node workers too; their schedulers claim due runs.
    sources: createSourcesService({
      database: database.database,
      credentialBox: config.sourceSecretKeys.length > 0 ? createCredentialBox(config.sourceSecretKeys) : null,
      embedder: config.embedder.spec,
      onSyncQueued: () => {},
      defaultKb: config.defaultKb,
      allowPrivateNetwork: config.allowPrivateNetwork,
    }),
    // Eval runs are queued here too and run by a Node process (`oriole serve`), which polls the queue.
    evals: createEvalService({ database: database.database, onJobQueued: () => {} }),
    // No metrics on Workers: an isolate lives for a request or a few; use Cloudflare's analytics.
    metrics: noopMetrics,
    readiness: { embedder: () => (models.embedder ? { ok: true } : { ok: false, message: models.warning ?? 'keyword search only' }) },
    auth: { adminKey: config.adminKey ?? null },
    // Cloudflare sets cf-connecting-ip to the client's address; a client cannot forge it.
    // The buckets live in PostgreSQL (through the request's own connection): many isolates, one limit.
    http: (isolateHttp ??= createHttpDependencies(
      config.http,
      (request) => request.req.header('cf-connecting-ip'),
      Date.now,
      sharedRateLimitBuckets(database.database),
    )),
    ...(environment.ASSETS ? { web: bindingWebAssets(environment.ASSETS) } : {}),
  });
  return { app, database, retry: models.retry === true };
}

/**
 * The web pages through the static-assets binding. The Worker runs first for every path
 * (`run_worker_first`), so the pages get the same routes and headers (CSP, caching) as on
 * Node; the binding only hands over the files. Its URL's host is ignored.
 */
function bindingWebAssets(assets: NonNullable<WorkerEnvironment['ASSETS']>): WebAssets {
  return {
    async read(path) {
      const response = await assets.fetch(`https://assets.invalid/${path}`);
      if (response.status === 404) return null;
      if (!response.ok) throw new Error(`The static-assets binding answered ${response.status} for ${path}`);
      return new Uint8Array(await response.arrayBuffer());
    },
  };
}

function stringBindings(environment: WorkerEnvironment): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(environment).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

/**
 * Workers run no model in-process: `openai:<model>` (any OpenAI-compatible endpoint) embeds
 * queries over fetch; any other spec, or an endpoint that cannot be reached, leaves
 * retrieval lexical-only, said in every answer. A failure is retried by the next request.
 */
async function workerEmbedder(config: Config): Promise<WorkerEmbedder> {
  const spec = config.embedder.spec;
  if (!spec.startsWith('openai:')) {
    return { embedder: null, warning: `Embedder '${spec}' cannot run on Workers (only openai:<model> can): keyword search only.` };
  }
  try {
    const embedder = await createOpenAIEmbedder(spec.slice('openai:'.length), {
      ...(config.openai.apiKey ? { apiKey: config.openai.apiKey } : {}),
      ...(config.openai.baseUrl ? { baseUrl: config.openai.baseUrl } : {}),
    });
    return { embedder };
  } catch (error) {
    return { embedder: null, warning: `Embedder '${spec}' is unavailable (${(error as Error).message}): keyword search only.`, retry: true };
  }
}
