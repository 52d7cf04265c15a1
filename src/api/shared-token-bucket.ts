import { decisionFor, TokenBucketLimiter, type RateLimiter, type TokenBucketDecision, type TokenBucketRate, type TokenBucketSettings } from './token-bucket.ts';

/** The database's side of a shared bucket (src/db/rate-limits.ts), passed in by the composition root. */
export interface SharedBuckets {
  take(key: string, cost: number, rate: TokenBucketRate): Promise<{ tokens: number; allowed: boolean }>;
  /** Drops buckets idle long enough to have refilled. */
  dropIdle(): Promise<unknown>;
}

/** Idle buckets are dropped once in this many takes: keeps the table at the keys in use. */
const dropIdleEveryTakes = 1_000;

/**
 * Token buckets kept in the database, so a limit holds across every API process on it:
 * one statement per request. When the database does not answer, this process's own
 * buckets decide instead: a limit per process for the moment, never a failed request.
 */
export class SharedTokenBucketLimiter implements RateLimiter {
  readonly settings: TokenBucketSettings;
  readonly #buckets: SharedBuckets;
  readonly #fallback: TokenBucketLimiter;
  #takes = 0;

  constructor(settings: TokenBucketSettings, buckets: SharedBuckets, now: () => number = Date.now) {
    this.settings = settings;
    this.#buckets = buckets;
    this.#fallback = new TokenBucketLimiter(settings, now);
  }

  async take(key: string, cost = 1, rate: TokenBucketRate = this.settings): Promise<TokenBucketDecision> {
    if (++this.#takes % dropIdleEveryTakes === 0) void this.#buckets.dropIdle().catch(() => undefined);
    try {
      const { tokens, allowed } = await this.#buckets.take(key, cost, rate);
      return decisionFor(tokens, allowed, cost, rate);
    } catch {
      return this.#fallback.take(key, cost, rate);
    }
  }
}
