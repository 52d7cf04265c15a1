import type { AnswerService } from '../answer/index.ts';
import type { HandoffNotifier } from '../conversations/index.ts';
import type { ApiKeyScope, Database } from '../db/index.ts';
import type { HttpDependencies } from './http-dependencies.ts';
import { defaultMaxDocumentBytes, type EvalService, type IngestionService, type ServiceMetrics, type SourcesService } from '../core/index.ts';

/** What the API needs from the outside world; composition roots build it. */
export interface AppDependencies {
  database: Database;
  /** Embedder spec recorded on KBs created without one, and required of KBs written to. */
  defaultEmbedder: string;
  /** The knowledge base a request that names none uses. */
  defaultKb: string;
  ingestion: IngestionDependencies;
  /** Search and answers over the KBs (retriever, reader or LLM, answers log). */
  answers: AnswerService;
  /** Eval runs (POST /evals) are queued jobs; a worker, not the request, runs them. */
  evals: EvalService;
  /** Sources a KB stays in sync with (docs/sources.md); their syncs are queued jobs too. */
  sources: SourcesService;
  /** API keys (docs/auth.md): auth is on when `adminKey` is set or any key exists. */
  auth: AuthDependencies;
  /** Request, answer and ingestion metrics, served at GET /metrics (noopMetrics where there are none). */
  metrics: ServiceMetrics;
  /** Where one JSON access-log line per request goes; none logs nothing. */
  logger?: RequestLogger;
  /** What GET /ready reports besides the database; without it, the database only. */
  readiness?: ReadinessDependencies;
  /** Rate limits, CORS and request timeouts (docs/limits.md); none: all three off (body limits always apply). */
  http?: HttpDependencies;
  /** The built web pages and widget (web-pages.ts); none: the app serves the API only. */
  web?: WebAssets;
  /** The hand-off webhook (ORIOLE_HANDOFF_WEBHOOK_URL); none: POST /conversations/:id/handoff only marks the conversation. */
  handoff?: HandoffNotifier;
  /** The MCP server (src/mcp) that POST /mcp hands its JSON-RPC messages to; none: /mcp is `not_found`. */
  mcp?: McpEndpoint;
  /** Hot standbys serving search reads (DATABASE_READ_URL): /ready reports each; writes fence reads. */
  readReplicas?: ReadReplicas;
}

export interface ReadReplicas {
  /** After a write (or a finished job seen), reads wait for standbys to replay the primary's position. */
  fence(): Promise<void>;
  status(): { name: string; state: 'ok' | 'lagging' | 'down' | 'starting'; lagMs: number | null; reads: number }[];
}

/**
 * The Model Context Protocol over streamable HTTP (docs/mcp.md): the route authenticates
 * the request like any other and passes on who is calling; the endpoint answers it.
 */
export interface McpEndpoint {
  handle(request: Request, call: McpHttpCall): Promise<Response>;
}

export interface McpHttpCall {
  /** The KB the request's key is bound to (both null: every KB): the MCP tools reach what the routes would. */
  caller: Pick<Principal, 'kbId' | 'kbName'>;
  /** The JSON body, already read and checked at the edge (request-text.ts); undefined when it is not JSON. */
  parsedBody: unknown;
  /** Fires when the client leaves or the request's deadline passes: the tools stop their work. */
  signal: AbortSignal;
}

/** Files of the built web pages (dist/web), by path relative to it: 'chat/index.html', 'assets/chat-1a2b.js'. */
export interface WebAssets {
  /** The file's bytes, or null when it does not exist. `path` never holds `..` (the routes check). */
  read(path: string): Promise<Uint8Array<ArrayBuffer> | null>;
}

/** An API key's scope (docs/auth.md); `admin` satisfies every route. */
export type Scope = ApiKeyScope;

/** Who is calling: set by the auth middleware (auth.ts) before any route runs, read by routes. */
export interface Principal {
  scope: Scope;
  /** The KB the key is bound to; null: every KB. */
  kbId: string | null;
  kbName: string | null;
  /** The key's id, `admin-env` for ORIOLE_ADMIN_KEY, or `anonymous` when auth is off (acts as admin). */
  keyId: string;
  /** Browser origins a widget key is accepted from; empty: any caller (docs/auth.md). */
  origins: readonly string[];
  /** The key's own requests a minute; null: the server's limit. */
  ratePerMinute: number | null;
}

export interface AuthDependencies {
  /** ORIOLE_ADMIN_KEY: an unbound admin key that needs no database row. */
  adminKey: string | null;
}

/** The subset of a structured logger (pino's) the API writes to: fields first, then the message. */
export interface RequestLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
  /** Whether a line at this level would be written (pino's); absent: always. */
  isLevelEnabled?(level: 'info' | 'warn' | 'error'): boolean;
}

export interface ReadinessCheck {
  ok: boolean;
  message?: string;
}

export interface ReadinessDependencies {
  /**
   * The embedder's state: not ok when the configured model could not be loaded (the
   * service runs lexical-only: /ready says `degraded`, still 200); ok with a message
   * when lexical-only by configuration.
   */
  embedder(): ReadinessCheck;
}

/** The ingest stage's service, and the upload limits POST /documents enforces before calling it. */
export interface IngestionDependencies extends IngestionService {
  limits: UploadLimits;
}

export interface UploadLimits {
  /** Largest single document, in bytes. */
  maxDocumentBytes: number;
  /** Most files in one multipart upload. */
  maxFilesPerRequest: number;
  /** Largest request body of POST /documents, in bytes. */
  maxRequestBytes: number;
}

export const defaultUploadLimits: UploadLimits = {
  maxDocumentBytes: defaultMaxDocumentBytes,
  maxFilesPerRequest: 20,
  maxRequestBytes: 60 * 1024 * 1024,
};

export interface AppEnvironment {
  Variables: {
    dependencies: AppDependencies;
    requestId: string;
    /** Who is calling, set by the auth middleware before any route runs. */
    principal: Principal;
    /**
     * Set by auth when a widget key is used from one of its origins: the origin its
     * response is shared with (cors.ts), errors included.
     */
    keyOrigin: string | undefined;
    /** The API-key cache of this app (key-cache.ts), set by auth: routes that revoke keys clear it. */
    keyCache: { clear(): void } | undefined;
    /** The signal that fires at the request's deadline (request-timeout.ts), made on first call; unset when requests have none. */
    deadline: (() => AbortSignal) | undefined;
    /** The client's signal combined with the deadline, once a route asked for it (`requestSignal`). */
    signal: AbortSignal | undefined;
    /** Repairs made to document text by the edge check (request-text.ts); POST /documents reports them. */
    textRepairs: TextRepair[];
  };
}

/** A repair made to a document's text at the edge (request-text.ts); POST /documents reports it as a warning. */
export interface TextRepair {
  field: string;
  replacedSurrogates: number;
  removedNuls: number;
}
