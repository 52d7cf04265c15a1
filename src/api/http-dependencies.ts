import type { Context } from 'hono';
import { SharedTokenBucketLimiter, type SharedBuckets } from './shared-token-bucket.ts';
import { defaultMaxRateLimitKeys, TokenBucketLimiter, type RateLimiter, type TokenBucketSettings } from './token-bucket.ts';

/** The default rate of `ownRateLimiter`, never used: each of its takes passes the key's own rate. */
const unusedDefaultRate = { perMinute: 60, burst: 10 };

/** Rate limits, CORS, timeouts and the client's address: the HTTP edge's settings (docs/limits.md). */
export interface HttpDependencies {
  /** Origins allowed to call from a browser (`*`: any); empty: no CORS headers at all. */
  corsOrigins: readonly string[];
  /** Past this the request is stopped with 503 `upstream_unavailable`; a streamed body, once started, is exempt. 0: never. */
  requestTimeoutMs: number;
  /**
   * Token buckets per API key (per client address without one), or null: no rate
   * limiting. Shared through the database when the composition root gives `sharedBuckets`
   * (PostgreSQL: every API process counts against one bucket), else in this process.
   */
  rateLimiter: RateLimiter | null;
  /**
   * The buckets of keys that carry their own rate (`--rate-per-minute`, a widget key's
   * limit): kept apart so they apply even when the server-wide limit is off.
   */
  ownRateLimiter: RateLimiter;
  /** Proxies in front that append to X-Forwarded-For; 0: the header is ignored. */
  trustedProxies: number;
  /** The connection's peer address: `getConnInfo` on Node, `cf-connecting-ip` on Workers; undefined when unknown. */
  clientAddress(context: Context): string | undefined;
}

/** `Config['http']`, restated here so the API does not depend on how configuration is read. */
export interface HttpSettings {
  corsOrigins: readonly string[];
  requestTimeoutMs: number;
  trustedProxies: number;
  /** perMinute 0: off. */
  rateLimit: { perMinute: number; burst: number };
}

/** What composition roots pass as `http`: the settings, the runtime's client address, and a clock for the buckets. */
export function createHttpDependencies(
  settings: HttpSettings,
  clientAddress: HttpDependencies['clientAddress'],
  now: () => number = Date.now,
  sharedBuckets?: SharedBuckets,
): HttpDependencies {
  const { perMinute, burst } = settings.rateLimit;
  const limiter = (bucketSettings: TokenBucketSettings): RateLimiter =>
    sharedBuckets ? new SharedTokenBucketLimiter(bucketSettings, sharedBuckets, now) : new TokenBucketLimiter(bucketSettings, now);
  return {
    corsOrigins: settings.corsOrigins,
    requestTimeoutMs: settings.requestTimeoutMs,
    trustedProxies: settings.trustedProxies,
    rateLimiter: perMinute > 0 ? limiter({ perMinute, burst, maxKeys: defaultMaxRateLimitKeys }) : null,
    ownRateLimiter: limiter({ ...unusedDefaultRate, maxKeys: defaultMaxRateLimitKeys }),
    clientAddress,
  };
}
