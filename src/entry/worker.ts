import { detectContentType, supportedContentTypes } from '../../ingest/loaders/index.ts';
import { createApp, createHttpDependencies, defaultUploadLimits, type HttpDependencies } from '../api/index.ts';
import { loadConfig } from '../core/index.ts';
import { noopMetrics } from '../core/index.ts';
import { openPostgres } from '../db/index.ts';
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

export default {
  async fetch(request: Request, environment: WorkerEnvironment, context: ExecutionContext): Promise<Response> {
    const config = loadConfig(stringBindings(environment));
    // Hyperdrive pools connections at the edge; a Worker opens a small pool per request.
    const database = openPostgres({ url: environment.HYPERDRIVE.connectionString, maxConnections: 1 });
    const app = createApp({
      database,
      defaultEmbedder: config.embedder.spec,
      defaultKb: config.defaultKb,
      // Uploads are queued here and processed by Node workers (`oriole worker`), which poll the queue.
      ingestion: {
        detectContentType,
        isSupported: (contentType) => supportedContentTypes.includes(contentType),
        onJobQueued: () => {},
        limits: defaultUploadLimits,
      },
      // No in-process model on Workers: keyword search, and the configured LLM or the extractive reader.
      answers: createAnswering(config, database, { embedder: null, warning: 'No embedding model runs on Workers: keyword search only.' }),
      // Eval runs are queued here too and run by a Node process (`oriole serve`), which polls the queue.
      evals: { onJobQueued: () => {} },
      // No metrics on Workers: an isolate lives for a request or a few; use Cloudflare's analytics.
      metrics: noopMetrics,
      readiness: { embedder: () => ({ ok: true, message: 'No embedding model runs on Workers: keyword search only.' }) },
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
