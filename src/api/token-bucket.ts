/**
 * Token buckets per key, in memory: each key's bucket holds up to `burst` tokens and
 * gains `perMinute / 60` a second; a request takes one. Pure apart from the injected
 * clock, so tests drive time by hand.
 *
 * Memory is bounded: buckets are kept in least-recently-used order, a bucket that has
 * refilled completely is dropped (it is the same as no bucket), and past `maxKeys` the
 * least recently used key is forgotten, which at worst hands that key a full bucket.
 */

export interface TokenBucketSettings {
  /** Tokens added a minute: the sustained rate. */
  perMinute: number;
  /** Bucket size: the most requests allowed at once after a quiet spell. */
  burst: number;
  /** Most keys remembered at once. */
  maxKeys: number;
}

export interface TokenBucketDecision {
  allowed: boolean;
  /** The bucket's size (RateLimit-Limit). */
  limit: number;
  /** Whole tokens left after this request (RateLimit-Remaining). */
  remaining: number;
  /** Seconds until the bucket is full again (RateLimit-Reset). */
  resetSeconds: number;
  /** When refused: seconds until the request would be allowed (Retry-After); 0 when allowed. */
  retryAfterSeconds: number;
}

/** A bucket's own rate, for keys that carry one (a widget key's `--rate-per-minute`). */
export interface TokenBucketRate {
  perMinute: number;
  burst: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
  rate: TokenBucketRate;
}

/** Enough for a busy public widget's distinct clients; about 100 bytes a key. */
export const defaultMaxRateLimitKeys = 100_000;

/** Old buckets looked at per request for dropping: keeps the sweep O(1). */
const sweepPerTake = 2;

export class TokenBucketLimiter implements RateLimiter {
  readonly settings: TokenBucketSettings;
  readonly #buckets = new Map<string, Bucket>();
  readonly #now: () => number;

  constructor(settings: TokenBucketSettings, now: () => number = Date.now) {
    if (!(settings.perMinute > 0) || !(settings.burst >= 1) || !(settings.maxKeys >= 1)) {
      throw new RangeError('A token bucket needs perMinute > 0, burst ≥ 1 and maxKeys ≥ 1');
    }
    this.settings = settings;
    this.#now = now;
  }

  /** Keys currently remembered. */
  get size(): number {
    return this.#buckets.size;
  }

  /**
   * Takes `cost` tokens from `key`'s bucket when it holds them; says what is left either
   * way. `rate` replaces the settings' rate for this key (the key's own limit).
   */
  take(key: string, cost = 1, rate: TokenBucketRate = this.settings): TokenBucketDecision {
    if (!(rate.perMinute > 0) || !(rate.burst >= 1)) throw new RangeError('A token bucket rate needs perMinute > 0 and burst ≥ 1');
    const now = this.#now();
    const bucket = this.#refilled(key, now, rate);
    const allowed = bucket.tokens >= cost;
    if (allowed) bucket.tokens -= cost;
    // Re-inserted last: Map iteration order is then least recently used first.
    this.#buckets.delete(key);
    this.#buckets.set(key, bucket);
    this.#sweep(now);
    return decisionFor(bucket.tokens, allowed, cost, rate);
  }

  #refilled(key: string, now: number, rate: TokenBucketRate): Bucket {
    const bucket = this.#buckets.get(key);
    // A key whose rate changed starts afresh at the new rate.
    if (!bucket || bucket.rate.perMinute !== rate.perMinute || bucket.rate.burst !== rate.burst) {
      return { tokens: rate.burst, updatedAt: now, rate };
    }
    // A clock stepped back must not drain or overfill a bucket.
    const elapsed = Math.max(0, now - bucket.updatedAt);
    bucket.tokens = Math.min(rate.burst, bucket.tokens + elapsed * tokensPerMs(rate));
    bucket.updatedAt = now;
    return bucket;
  }

  #sweep(now: number): void {
    let looked = 0;
    for (const [key, bucket] of this.#buckets) {
      if (this.#buckets.size > this.settings.maxKeys) {
        this.#buckets.delete(key);
        continue;
      }
      if (looked++ >= sweepPerTake) break;
      const tokens = bucket.tokens + Math.max(0, now - bucket.updatedAt) * tokensPerMs(bucket.rate);
      if (tokens >= bucket.rate.burst) this.#buckets.delete(key);
      else break; // the next ones were used more recently
    }
  }
}

/** What a take tells the caller, from the tokens left after it: the same for a bucket in memory and a shared one. */
export function decisionFor(tokens: number, allowed: boolean, cost: number, rate: TokenBucketRate): TokenBucketDecision {
  return {
    allowed,
    limit: rate.burst,
    remaining: Math.max(0, Math.floor(tokens)),
    resetSeconds: secondsFor(rate.burst - tokens, rate),
    retryAfterSeconds: allowed ? 0 : Math.max(1, secondsFor(cost - tokens, rate)),
  };
}

/**
 * Token buckets by key: `TokenBucketLimiter` in this process's memory, or
 * `SharedTokenBucketLimiter` in the database, for limits that hold across processes.
 */
export interface RateLimiter {
  readonly settings: TokenBucketSettings;
  take(key: string, cost?: number, rate?: TokenBucketRate): TokenBucketDecision | Promise<TokenBucketDecision>;
}

/** The burst a rate gets when only requests a minute are given: ten seconds' worth, as ORIOLE_RATE_LIMIT_BURST's default. */
export function defaultBurstFor(perMinute: number): number {
  return Math.max(1, Math.ceil(perMinute / 6));
}

function tokensPerMs(rate: TokenBucketRate): number {
  return rate.perMinute / 60_000;
}

function secondsFor(tokens: number, rate: TokenBucketRate): number {
  return tokens <= 0 ? 0 : Math.ceil(tokens / tokensPerMs(rate) / 1000);
}
