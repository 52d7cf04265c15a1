import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { OrioleError } from '../core/index.ts';
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
  /** Messages of one /v1/chat/completions request. */
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
  /** `metadata.userId` / `user` and `metadata.channel` of an answer. */
  userIdChars: 256,
  channelChars: 64,
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
  /** Bytes, or read from the dependencies (the upload limit is configured with the ingestion). */
  maxBytes: number | ((dependencies: AppDependencies) => number);
}

/** Body limits of the routes that take a body (all POST); paths match exactly. */
export const routeBodyLimits: readonly RouteBodyLimit[] = [
  { path: '/answer', maxBytes: queryBodyBytes },
  { path: '/search', maxBytes: queryBodyBytes },
  { path: '/v1/chat/completions', maxBytes: queryBodyBytes },
  { path: '/feedback', maxBytes: 64 * kib },
  { path: '/kbs', maxBytes: 4 * kib },
  { path: '/documents', maxBytes: (dependencies) => dependencies.ingestion.limits.maxRequestBytes },
  { path: '/evals', maxBytes: evalBodyBytes },
  { path: '/eval-sets', maxBytes: evalBodyBytes },
];

/** The body limit of a path: its row of the table, else the default. */
export function bodyLimitOf(path: string, dependencies: AppDependencies): number {
  const rule = routeBodyLimits.find((candidate) => candidate.path === normalised(path));
  if (!rule) return defaultBodyLimitBytes;
  return typeof rule.maxBytes === 'number' ? rule.maxBytes : rule.maxBytes(dependencies);
}

/** Refuses a body over its route's limit with 413 `payload_too_large` naming the limit. */
export function limitRequestBodies(dependencies: AppDependencies): MiddlewareHandler<AppEnvironment> {
  const limiters = new Map<number, MiddlewareHandler>();
  const limiterOf = (maxBytes: number) => {
    let limiter = limiters.get(maxBytes);
    if (!limiter) {
      limiter = bodyLimit({
        maxSize: maxBytes,
        onError: (context) => {
          // The rest of the body is never read: the connection cannot carry another request.
          context.header('Connection', 'close');
          throw new OrioleError('payload_too_large', `The request body is larger than ${maxBytes} bytes`, {
            details: { limit: maxBytes },
          });
        },
      });
      limiters.set(maxBytes, limiter);
    }
    return limiter;
  };
  return async function limitRequestBody(context, next) {
    const method = context.req.method;
    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return next();
    return limiterOf(bodyLimitOf(context.req.path, dependencies))(context, next);
  };
}

function normalised(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}
