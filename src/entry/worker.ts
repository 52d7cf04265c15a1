import { createEvalService } from '../../evals/eval-service.ts';
import { detectContentType, supportedContentTypes } from '../../ingest/loaders/index.ts';
import { createIngestionService } from '../../ingest/pipeline/ingestion-service.ts';
import { createApp, createHttpDependencies, defaultUploadLimits, type HttpDependencies } from '../api/index.ts';
import { loadConfig, type Config, type Embedder } from '../core/index.ts';
import { noopMetrics } from '../core/index.ts';
import { openPostgres } from '../db/index.ts';
import { createOpenAIEmbedder } from '../embedders/openai-embedder.ts';
import { createAnswering } from './answering.ts';

/**
 * The Cloudflare Workers composition root: the same Hono app as on Node, with
 * PostgreSQL reached through Hyperdrive. No filesystem, PGlite or native modules
 * here. The schema is migrated from Node (`oriole migrate`), never from a request.
 */
interface WorkerEnvironment {
  HYPERDRIVE: { connectionString: string };
  [variable: string]: unknown;
}

interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
}

/** Kept across the requests one isolate serves: its rate-limit buckets count per isolate (docs/limits.md). */
let isolateHttp: HttpDependencies | undefined;
/** The query embedder, made once per isolate: creating it probes the endpoint for the dimension. */
let isolateEmbedder: Promise<WorkerEmbedder> | undefined;

interface WorkerEmbedder {
  embedder: Embedder | null;
  warning?: string;
}

export default {
  async fetch(request: Request, environment: WorkerEnvironment, context: ExecutionContext): Promise<Response> {
    const config = loadConfig(stringBindings(environment));
    // Hyperdrive pools connections at the edge; a Worker opens a small pool per request.
    const database = openPostgres({ url: environment.HYPERDRIVE.connectionString, maxConnections: 1 });
    const models = await (isolateEmbedder ??= workerEmbedder(config));
    const app = createApp({
      database,
      defaultEmbedder: config.embedder.spec,
      defaultKb: config.defaultKb,
      // Uploads are queued here and processed by Node workers (`oriole worker`), which poll the queue.
      ingestion: {
        ...createIngestionService({
          database,
          embedder: config.embedder.spec,
          detectContentType,
          isSupported: (contentType) => supportedContentTypes.includes(contentType),
          onJobQueued: () => {},
        }),
        limits: defaultUploadLimits,
      },
      // No in-process model on Workers: an OpenAI-compatible embedding endpoint or keyword search only,
      // and the configured LLM or the extractive reader.
      answers: createAnswering(config, database, models),
      // Eval runs are queued here too and run by a Node process (`oriole serve`), which polls the queue.
      evals: createEvalService({ database, onJobQueued: () => {} }),
      // No metrics on Workers: an isolate lives for a request or a few; use Cloudflare's analytics.
      metrics: noopMetrics,
      readiness: { embedder: () => (models.embedder ? { ok: true } : { ok: false, message: models.warning ?? 'keyword search only' }) },
      auth: { adminKey: config.adminKey ?? null },
      // Cloudflare sets cf-connecting-ip to the client's address; a client cannot forge it.
      http: (isolateHttp ??= createHttpDependencies(config.http, (request) => request.req.header('cf-connecting-ip'))),
    });
    try {
      return await app.fetch(request);
    } finally {
      context.waitUntil(database.close());
    }
  },
};

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
    isolateEmbedder = undefined;
    return { embedder: null, warning: `Embedder '${spec}' is unavailable (${(error as Error).message}): keyword search only.` };
  }
}
