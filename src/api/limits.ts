import type { MiddlewareHandler } from 'hono';
import { kbSettingsLimits, OrioleError } from '../core/index.ts';
import type { AppDependencies, AppEnvironment } from './context.ts';

/**
 * Every request limit of the HTTP API in one place (docs/limits.md lists them all).
 * Body sizes are checked before a body is read whole: from Content-Length when sent,
 * else while it streams in.
 */

const kib = 1024;
const mib = 1024 * kib;

/** Lengths and counts inside request bodies, enforced by the zod schemas (400 naming the field). */
export const requestLimits = {
  /** A question (/answer) or query (/search), in characters. */
  questionChars: 4_000,
  /** One earlier turn of a conversation, in characters. */
  turnChars: 8_000,
  /** Earlier turns sent with a question. */
  historyTurns: 50,
  /** Messages of one /v1/chat/completions request (items of one /v1/responses `input`). */
  chatMessages: 100,
  /** Content parts of one chat message. */
  chatContentParts: 50,
  /** Earlier chat turns kept as the question's history; older ones are dropped (chat UIs send the whole conversation). */
  chatHistoryTurns: 20,
  /** Passages an answer is grounded in. */
  answerTopK: 20,
  /** Passages a search returns. */
  searchTopK: 50,
  /** `filters.sources` entries, each up to `filterSourceChars`. */
  filterSources: 200,
  filterSourceChars: 2_048,
  /** `filters.tags` and a document's `tags` entries. */
  filterTags: 20,
  documentTags: 50,
  tagKeyChars: 64,
  tagValueChars: 256,
  /** A document's `metadata`, serialised as JSON, in characters. */
  documentMetadataChars: 16 * kib,
  /** A request's persona (/v1/responses `instructions` with its system and developer messages): as long as a KB's `persona` setting. */
  instructionsChars: kbSettingsLimits.personaChars,
  /** `metadata.userId` / `user` and `metadata.channel` of an answer. */
  userIdChars: 256,
  channelChars: 64,
  /** A curated answer (docs/curated-answers.md): its phrasings, answer text, cited sources and tags. Sized so the largest fits the 64 KiB body limit. */
  curatedQuestions: 20,
  curatedQuestionChars: 500,
  curatedAnswerChars: 8_000,
  curatedCitations: 20,
  curatedTags: 20,
  curatedTagChars: 64,
  /** Objects and arrays nested in any JSON body (a document's metadata included); deeper is a 400. */
  jsonDepth: 32,
} as const;

/** Any route with a body that the table below does not name. */
export const defaultBodyLimitBytes = 64 * kib;

/** Questions with 50 history turns of 8,000 characters fit (CJK text is 3 bytes a character). */
export const queryBodyBytes = mib;

/** 5,000 eval cases with reference answers fit. */
export const evalBodyBytes = 10 * mib;

export interface RouteBodyLimit {
  path: string;
  /** Bytes, or read from the dependencies (the upload limit is configured with the ingestion) and the body's type. */
  maxBytes: number | ((dependencies: AppDependencies, contentType: string) => number);
}

/** Body limits of the routes that take a body (all POST); paths match exactly. */
export const routeBodyLimits: readonly RouteBodyLimit[] = [
  { path: '/answer', maxBytes: queryBodyBytes },
  { path: '/search', maxBytes: queryBodyBytes },
  { path: '/v1/chat/completions', maxBytes: queryBodyBytes },
  { path: '/v1/responses', maxBytes: queryBodyBytes },
  // A tools/call carries what a /search or /answer body would.
  { path: '/mcp', maxBytes: queryBodyBytes },
  { path: '/feedback', maxBytes: 64 * kib },
  { path: '/kbs', maxBytes: 4 * kib },
  { path: '/documents', maxBytes: documentUploadLimit },
  { path: '/evals', maxBytes: evalBodyBytes },
  { path: '/eval-sets', maxBytes: evalBodyBytes },
];

/** Room for a JSON upload's fields besides its content (metadata, tags, title, url) and for escaping. */
export const jsonUploadEnvelopeBytes = mib;

/**
 * A multipart upload may carry several files; a JSON upload carries one document, so its
 * body is limited by the document limit, and a 59 MB JSON body is refused from its
 * Content-Length instead of being read, decoded and parsed (≈ 4× its size in memory) first.
 */
function documentUploadLimit(dependencies: AppDependencies, contentType: string): number {
  const { maxRequestBytes, maxDocumentBytes } = dependencies.ingestion.limits;
  if (!/^application\/json\b/i.test(contentType)) return maxRequestBytes;
  return Math.min(maxRequestBytes, maxDocumentBytes + jsonUploadEnvelopeBytes);
}

const bodilessMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The body limit of a path: its row of the table, else the default. */
export function bodyLimitOf(path: string, dependencies: AppDependencies, contentType = ''): number {
  const rule = routeBodyLimits.find((candidate) => candidate.path === normalised(path));
  if (!rule) return defaultBodyLimitBytes;
  return typeof rule.maxBytes === 'number' ? rule.maxBytes : rule.maxBytes(dependencies, contentType);
}

/**
 * Refuses a body over its route's limit with 413 `payload_too_large` naming the limit:
 * at once when Content-Length declares it, else as soon as the bytes streaming in pass
 * it. Nothing is buffered here (Hono's bodyLimit copies a streamed body into one buffer
 * up to the limit before the route sees any of it); whoever reads the body gets the 413.
 */
export function limitRequestBodies(dependencies: AppDependencies): MiddlewareHandler<AppEnvironment> {
  return async function limitRequestBody(context, next) {
    // The method first: reading `raw.body` makes Node's lightweight request build a full Request.
    if (bodilessMethods.has(context.req.method)) return next();
    const body = context.req.raw.body;
    if (!body) return next();
    const maxBytes = bodyLimitOf(context.req.path, dependencies, context.req.header('content-type') ?? '');
    const tooLarge = () => {
      // The rest of the body is never read: the connection cannot carry another request.
      context.header('Connection', 'close');
      return new OrioleError('payload_too_large', `The request body is larger than ${maxBytes} bytes`, { details: { limit: maxBytes } });
    };
    const declared = context.req.header('content-length');
    // Per RFC 9112, when both are present Transfer-Encoding takes precedence.
    if (declared !== undefined && context.req.header('transfer-encoding') === undefined) {
      if (Number(declared) > maxBytes) throw tooLarge();
      return next();
    }
    let received = 0;
    const counted = body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          received += chunk.byteLength;
          if (received > maxBytes) controller.error(tooLarge());
          else controller.enqueue(chunk);
        },
      }),
    );
    context.req.raw = new Request(context.req.raw, { body: counted, duplex: 'half' } as RequestInit);
    return next();
  };
}

function normalised(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}
