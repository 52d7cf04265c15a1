import { z } from 'zod';
import { OrioleError } from './errors.ts';
import { knowledgeBaseName } from './names.ts';

/**
 * Configuration is read once, at the edge, from an env-like record and validated
 * here; nothing else in Oriole reads the environment. A bad value stops start-up
 * with a message that names the variable.
 */

export const defaultEmbedder = 'transformers:Xenova/bge-small-en-v1.5';
/** Off by default: no reranker model has been measured on the eval sets yet (docs/retrieval.md). */
export const defaultReranker = 'none';
export const defaultPort = 8787;
/** Off by default: answers are checked lexically only, with no model (docs/answers.md, "Verifier"). */
export const defaultVerifier = 'none';
/** What a verifier may add to an answer's time; past it the answer goes on unverified. */
export const defaultVerifierTimeoutMs = 5_000;

/**
 * What one document's parse may use. 30 s parses a 25 MiB Markdown file or a 500-page
 * PDF on a slow core many times over; 512 MB of heap holds pdf.js on the largest upload;
 * 100 MB decompressed is four times the 25 MiB upload limit (a text-heavy DOCX inflates
 * 5–15 times, so a full-size one may need more: raise it).
 */
/** Days a conversation is kept after its last activity (ORIOLE_CONVERSATION_RETENTION_DAYS). */
export const defaultConversationRetentionDays = 90;
/** A key shorter than this is a password, not a key; `openssl rand -base64 32` gives 44 characters. */
export const minimumSecretKeyLength = 32;

/** A standby further behind the primary than this serves no reads (ORIOLE_REPLICA_MAX_LAG_MS). */
export const defaultReplicaMaxLagMs = 5_000;

export const defaultParseBudgets = { timeoutMs: 30_000, maxHeapMb: 512, maxDecompressedMb: 100 } as const;

/**
 * OCR (docs/ingestion-formats.md): `scanned` reads PDF pages without a text layer and
 * image files, `all` also pictures inside documents. One thread by default: recognition
 * takes a core for 2–3 s a page, and the API keeps the other. A page gets 60 s,
 * many times what a dense 300 dpi page takes on a slow core.
 */
export const ocrModes = ['off', 'scanned', 'all'] as const;
export type OcrMode = (typeof ocrModes)[number];
export const defaultOcr = { mode: 'scanned', concurrency: 1, pageTimeoutMs: 60_000 } as const;

const postgresUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\/\S+$/, 'expected a postgres:// or postgresql:// URL');

const embedderSpec = z
  .string()
  .regex(
    /^(transformers:\S+|openai:\S+|use-lite|none)$/,
    "expected 'transformers:<model>', 'openai:<model>', 'use-lite' or 'none'",
  );

const rerankerSpec = z.string().regex(/^(transformers:\S+|none)$/, "expected 'transformers:<model>' or 'none'");

const verifierSpec = z.string().regex(/^(transformers:\S+|llm|none)$/, "expected 'transformers:<model>', 'llm' or 'none'");

const llmSpec = z
  .string()
  .regex(/^(extractive|openai:\S+)$/, "expected 'extractive' or 'openai:<model>'");

const port = z.coerce
  .number({ message: 'expected a port number' })
  .int('expected a whole number')
  .min(1, 'expected a port from 1 to 65535')
  .max(65535, 'expected a port from 1 to 65535');

const nonEmpty = z.string().trim().min(1);
const milliseconds = z.coerce
  .number({ message: 'expected milliseconds' })
  .int('expected a whole number of milliseconds')
  .min(100, 'expected at least 100 ms')
  .max(600_000, 'expected at most 600000 ms (10 minutes)');
const optionalUrl = z.url({ message: 'expected an http(s) URL' }).optional();

const wholeNumber = (what: string) => z.coerce.number({ message: `expected ${what}` }).int('expected a whole number');
/** Browser origins as they send them: scheme, host and port only, e.g. https://chat.example.com. */
const corsOrigins = z
  .string()
  .transform((list) => list.split(',').map((origin) => origin.trim()).filter((origin) => origin.length > 0))
  .pipe(
    z.array(
      z.string().refine(
        (origin) => origin === '*' || isOrigin(origin),
        "expected '*' or origins like https://chat.example.com (no path, no trailing slash), comma-separated",
      ),
    ),
  );
const trustProxy = z
  .string()
  .regex(/^(true|false|\d{1,2})$/, "expected 'true', 'false' or the number of proxies in front")
  .transform((value) => (value === 'true' ? 1 : value === 'false' ? 0 : Number(value)));

/** Comma-separated postgres:// URLs of hot standbys. */
const replicaUrls = z
  .string()
  .transform((value) => value.split(',').map((url) => url.trim()).filter((url) => url !== ''))
  .pipe(z.array(postgresUrl).max(16, 'expected at most 16 replicas'));

const environmentSchema = z.object({
  DATABASE_URL: postgresUrl.optional(),
  // Scale-out (docs/scaling.md): search and answer reads go to these standbys.
  DATABASE_READ_URL: replicaUrls.optional(),
  ORIOLE_REPLICA_MAX_LAG_MS: wholeNumber('milliseconds')
    .min(0)
    .max(3_600_000, 'expected at most 3600000 ms (an hour)')
    .default(defaultReplicaMaxLagMs),
  ORIOLE_DATA_DIR: nonEmpty.default('./.oriole'),
  PORT: port.default(defaultPort),
  HOST: nonEmpty.default('127.0.0.1'),
  ORIOLE_EMBEDDER: embedderSpec.default(defaultEmbedder),
  ORIOLE_MODELS_DIR: nonEmpty.optional(),
  ORIOLE_CACHE_DIR: nonEmpty.optional(),
  ORIOLE_RERANKER: rerankerSpec.default(defaultReranker),
  ORIOLE_VERIFIER: verifierSpec.default(defaultVerifier),
  ORIOLE_VERIFIER_TIMEOUT_MS: milliseconds.default(defaultVerifierTimeoutMs),
  ORIOLE_LLM: llmSpec.default('extractive'),
  ORIOLE_JUDGE: llmSpec.optional(),
  // Past these the extractive answer is served instead (docs/generation.md). A local
  // model's first request after loading can take many seconds, hence the generous defaults.
  ORIOLE_LLM_TIMEOUT_MS: milliseconds.default(60_000),
  ORIOLE_LLM_FIRST_TOKEN_TIMEOUT_MS: milliseconds.default(20_000),
  OPENAI_API_KEY: nonEmpty.optional(),
  OPENAI_BASE_URL: optionalUrl,
  ORIOLE_ADMIN_KEY: z.string().min(16, 'expected at least 16 characters').optional(),
  ORIOLE_ALLOW_UNAUTHENTICATED: z.enum(['true', 'false'], { message: "expected 'true' or 'false'" }).default('false'),
  // Crawls queued through the API may reach loopback and private addresses (docs/ingestion.md).
  ORIOLE_ALLOW_PRIVATE_NETWORK: z.enum(['true', 'false'], { message: "expected 'true' or 'false'" }).default('false'),
  ORIOLE_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ORIOLE_DEFAULT_KB: z
    .string()
    .regex(knowledgeBaseName.pattern, 'expected a knowledge-base name')
    .default('default'),
  UNSTRUCTURED_API_URL: optionalUrl,
  UNSTRUCTURED_API_KEY: nonEmpty.optional(),
  // The HTTP edge (docs/limits.md).
  ORIOLE_RATE_LIMIT_PER_MINUTE: wholeNumber('requests a minute').min(0).max(1_000_000).default(600),
  ORIOLE_RATE_LIMIT_BURST: wholeNumber('a number of requests').min(1).max(1_000_000).optional(),
  ORIOLE_TRUST_PROXY: trustProxy.default(0),
  ORIOLE_REQUEST_TIMEOUT_MS: wholeNumber('milliseconds')
    .min(0)
    .max(600_000, 'expected at most 600000 ms (10 minutes)')
    .refine((value) => value === 0 || value >= 1000, 'expected 0 (no timeout) or at least 1000 ms')
    .default(60_000),
  ORIOLE_CORS_ORIGINS: corsOrigins.default([]),
  // Recorded in eval reports when there is no .git to ask (an install from a package or an image).
  ORIOLE_GIT_COMMIT: z.string().trim().optional(),
  // Budgets of each document's parse in its worker thread (docs/limits.md).
  ORIOLE_PARSE_TIMEOUT_MS: wholeNumber('milliseconds')
    .min(100, 'expected at least 100 ms')
    .max(600_000, 'expected at most 600000 ms (10 minutes)')
    .default(defaultParseBudgets.timeoutMs),
  ORIOLE_PARSE_MAX_HEAP_MB: wholeNumber('megabytes')
    .min(32, 'expected at least 32 MB')
    .max(16_384, 'expected at most 16384 MB')
    .default(defaultParseBudgets.maxHeapMb),
  ORIOLE_MAX_DECOMPRESSED_MB: wholeNumber('megabytes')
    .min(1, 'expected at least 1 MB')
    .max(4_096, 'expected at most 4096 MB')
    .default(defaultParseBudgets.maxDecompressedMb),
  ORIOLE_OCR: z.enum(ocrModes, { message: "expected 'off', 'scanned' or 'all'" }).default(defaultOcr.mode),
  ORIOLE_OCR_CONCURRENCY: wholeNumber('a number of threads')
    .min(1, 'expected at least 1 thread')
    .max(64, 'expected at most 64 threads')
    .default(defaultOcr.concurrency),
  ORIOLE_OCR_PAGE_TIMEOUT_MS: wholeNumber('milliseconds')
    .min(1000, 'expected at least 1000 ms')
    .max(600_000, 'expected at most 600000 ms (10 minutes)')
    .default(defaultOcr.pageTimeoutMs),
  // Conversations (docs/conversations.md): days a conversation is kept after its last activity; 0 forever.
  ORIOLE_CONVERSATION_RETENTION_DAYS: wholeNumber('a number of days')
    .min(0, 'expected 0 (keep forever) or a number of days')
    .max(36_500, 'expected at most 36500 days')
    .default(defaultConversationRetentionDays),
  ORIOLE_HANDOFF_WEBHOOK_URL: z
    .url({ protocol: /^https?$/, message: 'expected an http(s) URL' })
    .optional(),
  ORIOLE_HANDOFF_WEBHOOK_SECRET: z.string().min(16, 'expected at least 16 characters').optional(),
  // Seals source credentials at rest (docs/sources.md): comma-separated, the first seals, all open (rotation).
  ORIOLE_SECRET_KEY: z
    .string()
    .transform((value) => value.split(',').map((key) => key.trim()).filter((key) => key !== ''))
    .refine(
      (keys) => keys.every((key) => key.length >= minimumSecretKeyLength),
      `expected keys of at least ${minimumSecretKeyLength} characters each (generate one with: openssl rand -base64 32)`,
    )
    .optional(),
});


export interface Config {
  /** Where the data lives: a PostgreSQL server, or embedded PGlite in a directory. */
  database: { kind: 'postgres'; url: string } | { kind: 'pglite'; dataDir: string };
  /** Hot standbys for search and answer reads (DATABASE_READ_URL); empty: every read goes to `database`. */
  readReplicas: { urls: string[]; maxLagMs: number };
  /** Local state: the embedded database (when used) and the model cache by default. */
  dataDir: string;
  server: { port: number; host: string };
  embedder: { spec: string; modelsDir: string | undefined; cacheDir: string | undefined };
  /** The cross-encoder that reorders retrieval's best candidates, or 'none'; models load like the embedder's. */
  reranker: { spec: string };
  /**
   * What checks answers against their cited passages besides the lexical checks: a
   * cross-encoder or NLI model ('transformers:<model>'), the configured LLM ('llm'), or
   * 'none'; and how long it may take per answer (docs/answers.md, "Verifier").
   */
  verifier: { spec: string; timeoutMs: number };
  llm: { spec: string; judgeSpec: string | undefined; timeoutMs: number; firstTokenTimeoutMs: number };
  openai: { apiKey: string | undefined; baseUrl: string | undefined };
  unstructured: { apiUrl: string | undefined; apiKey: string | undefined };
  adminKey: string | undefined;
  /** Serve beyond this machine without any API key (docs/auth.md); off by default. */
  allowUnauthenticated: boolean;
  /**
   * Whether a crawl queued through the API (POST /documents `{ url }`) may fetch
   * loopback, private and link-local addresses; off, so an ingest key cannot make the
   * server fetch internal services. `oriole ingest <url>` always may: its operator typed the URL.
   */
  allowPrivateNetwork: boolean;
  logLevel: z.infer<typeof environmentSchema>['ORIOLE_LOG_LEVEL'];
  defaultKb: string;
  /** Rate limits, CORS and request timeouts of the HTTP API (docs/limits.md). */
  http: {
    /** Origins allowed to call from a browser; `*` any; empty: no CORS headers. */
    corsOrigins: string[];
    /** 0: no timeout. */
    requestTimeoutMs: number;
    /** Proxies in front that append to X-Forwarded-For; 0: the header is ignored. */
    trustedProxies: number;
    /** Per key (or client address), per replica; perMinute 0: off. */
    rateLimit: { perMinute: number; burst: number };
  };
  /** The commit eval reports name when the checkout has no .git to ask; undefined: ask git. */
  gitCommit: string | undefined;
  /** Budgets of one document's parse, enforced by the parse pool (docs/limits.md). */
  parsing: { timeoutMs: number; maxHeapMb: number; maxDecompressedBytes: number };
  /** Text recognition in scans and pictures; mode 'off': images are not documents, scanned PDFs fail with no_text. */
  ocr: { mode: OcrMode; concurrency: number; pageTimeoutMs: number };
  /** docs/conversations.md. */
  conversations: {
    /** Days kept after the last activity; 0: forever. */
    retentionDays: number;
    /** Where a hand-off is POSTed, signed with `secret`; null: no webhook. */
    handoffWebhook: { url: string; secret: string } | null;
  };
  /** ORIOLE_SECRET_KEY's keys: the first seals source credentials, every one opens them; empty: none configured. */
  sourceSecretKeys: string[];
}

export type EnvironmentRecord = Record<string, string | undefined>;

/** Parses and validates configuration; throws `config_invalid` naming every bad variable. */
export function loadConfig(environment: EnvironmentRecord): Config {
  const parsed = environmentSchema.safeParse(withoutBlanks(environment));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? 'environment');
      const value = environment[variable];
      const shown = value === undefined ? '' : ` (got ${JSON.stringify(redact(variable, value))})`;
      return `${variable}: ${issue.message}${shown}`;
    });
    throw new OrioleError('config_invalid', `Invalid configuration:\n  ${problems.join('\n  ')}`, {
      details: { variables: parsed.error.issues.map((issue) => String(issue.path[0])) },
    });
  }
  const env = parsed.data;
  // The webhook carries transcripts: it is never sent unsigned.
  if (env.ORIOLE_HANDOFF_WEBHOOK_URL && !env.ORIOLE_HANDOFF_WEBHOOK_SECRET) {
    throw new OrioleError(
      'config_invalid',
      'Invalid configuration:\n  ORIOLE_HANDOFF_WEBHOOK_SECRET: required with ORIOLE_HANDOFF_WEBHOOK_URL (the webhook body is signed with it)',
      { details: { variables: ['ORIOLE_HANDOFF_WEBHOOK_SECRET'] } },
    );
  }
  // The LLM verifier asks ORIOLE_LLM's model: with the extractive reader there is none to ask.
  if (env.ORIOLE_VERIFIER === 'llm' && env.ORIOLE_LLM === 'extractive') {
    throw new OrioleError(
      'config_invalid',
      "Invalid configuration:\n  ORIOLE_VERIFIER: 'llm' asks the configured LLM; set ORIOLE_LLM=openai:<model>, or use ORIOLE_VERIFIER=transformers:<model>",
      { details: { variables: ['ORIOLE_VERIFIER'] } },
    );
  }
  if (env.DATABASE_READ_URL && env.DATABASE_READ_URL.length > 0 && !env.DATABASE_URL) {
    throw new OrioleError(
      'config_invalid',
      'Invalid configuration:\n  DATABASE_READ_URL: read replicas need a PostgreSQL primary; set DATABASE_URL (embedded PGlite has no replicas)',
      { details: { variables: ['DATABASE_READ_URL'] } },
    );
  }
  return {
    database: env.DATABASE_URL
      ? { kind: 'postgres', url: env.DATABASE_URL }
      : { kind: 'pglite', dataDir: env.ORIOLE_DATA_DIR },
    readReplicas: { urls: env.DATABASE_READ_URL ?? [], maxLagMs: env.ORIOLE_REPLICA_MAX_LAG_MS },
    dataDir: env.ORIOLE_DATA_DIR,
    server: { port: env.PORT, host: env.HOST },
    embedder: { spec: env.ORIOLE_EMBEDDER, modelsDir: env.ORIOLE_MODELS_DIR, cacheDir: env.ORIOLE_CACHE_DIR },
    reranker: { spec: env.ORIOLE_RERANKER },
    verifier: { spec: env.ORIOLE_VERIFIER, timeoutMs: env.ORIOLE_VERIFIER_TIMEOUT_MS },
    llm: {
      spec: env.ORIOLE_LLM,
      judgeSpec: env.ORIOLE_JUDGE,
      timeoutMs: env.ORIOLE_LLM_TIMEOUT_MS,
      firstTokenTimeoutMs: Math.min(env.ORIOLE_LLM_FIRST_TOKEN_TIMEOUT_MS, env.ORIOLE_LLM_TIMEOUT_MS),
    },
    openai: { apiKey: env.OPENAI_API_KEY, baseUrl: env.OPENAI_BASE_URL },
    unstructured: { apiUrl: env.UNSTRUCTURED_API_URL, apiKey: env.UNSTRUCTURED_API_KEY },
    adminKey: env.ORIOLE_ADMIN_KEY,
    allowUnauthenticated: env.ORIOLE_ALLOW_UNAUTHENTICATED === 'true',
    allowPrivateNetwork: env.ORIOLE_ALLOW_PRIVATE_NETWORK === 'true',
    logLevel: env.ORIOLE_LOG_LEVEL,
    defaultKb: env.ORIOLE_DEFAULT_KB,
    http: {
      corsOrigins: env.ORIOLE_CORS_ORIGINS,
      requestTimeoutMs: env.ORIOLE_REQUEST_TIMEOUT_MS,
      trustedProxies: env.ORIOLE_TRUST_PROXY,
      rateLimit: {
        perMinute: env.ORIOLE_RATE_LIMIT_PER_MINUTE,
        // Ten seconds' worth of the rate by default.
        burst: env.ORIOLE_RATE_LIMIT_BURST ?? Math.max(1, Math.ceil(env.ORIOLE_RATE_LIMIT_PER_MINUTE / 6)),
      },
    },
    gitCommit: env.ORIOLE_GIT_COMMIT || undefined,
    parsing: {
      timeoutMs: env.ORIOLE_PARSE_TIMEOUT_MS,
      maxHeapMb: env.ORIOLE_PARSE_MAX_HEAP_MB,
      maxDecompressedBytes: env.ORIOLE_MAX_DECOMPRESSED_MB * 1024 * 1024,
    },
    ocr: { mode: env.ORIOLE_OCR, concurrency: env.ORIOLE_OCR_CONCURRENCY, pageTimeoutMs: env.ORIOLE_OCR_PAGE_TIMEOUT_MS },
    conversations: {
      retentionDays: env.ORIOLE_CONVERSATION_RETENTION_DAYS,
      handoffWebhook:
        env.ORIOLE_HANDOFF_WEBHOOK_URL && env.ORIOLE_HANDOFF_WEBHOOK_SECRET
          ? { url: env.ORIOLE_HANDOFF_WEBHOOK_URL, secret: env.ORIOLE_HANDOFF_WEBHOOK_SECRET }
          : null,
    },
    sourceSecretKeys: env.ORIOLE_SECRET_KEY ?? [],
  };
}

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}

/** An exported-but-empty variable (`PORT=`) means "unset", as shells and .env files intend. */
function withoutBlanks(environment: EnvironmentRecord): EnvironmentRecord {
  return Object.fromEntries(Object.entries(environment).filter(([, value]) => value !== undefined && value !== ''));
}

/** A postgres:// URL (or several, comma-separated) with each password replaced by ***. */
export function redactUrlPassword(value: string): string {
  return value.replace(/\/\/([^:/@]+):[^@]*@/g, '//$1:***@');
}

function redact(variable: string, value: string): string {
  if (/KEY|SECRET|PASSWORD/.test(variable)) return '***';
  if (variable === 'DATABASE_URL' || variable === 'DATABASE_READ_URL') return redactUrlPassword(value);
  return value;
}
