import { createHash } from 'node:crypto';
import type { Principal } from './context.ts';

/**
 * Who each API key is, remembered for a short while, so an authenticated request does not
 * hash the key asynchronously and query the database every time (the two were most of a
 * keyed request's cost). Entries are keyed by the key's SHA-256, never by the key itself,
 * and also remember unknown keys (`null`), so a client retrying a bad key costs one
 * lookup per `ttlMs`, not one per request.
 *
 * Bounded in time and size: an entry is used for `ttlMs` after its lookup, so a key revoked
 * by another process (the CLI, another replica) stops working within `ttlMs`; a revocation
 * through this app's own API (DELETE /keys/:id, DELETE /kbs/:name) clears the cache at once.
 * Past `maxEntries` the least recently looked-up entry is dropped.
 */
export class ApiKeyCache {
  readonly #entries = new Map<string, { principal: Principal | null; until: number }>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(options: { ttlMs: number; maxEntries: number; now?: () => number }) {
    this.#ttlMs = options.ttlMs;
    this.#maxEntries = options.maxEntries;
    this.#now = options.now ?? Date.now;
  }

  /** The principal remembered for this key (null: known to be invalid), or undefined when it must be looked up. */
  get(keyHash: string): Principal | null | undefined {
    const entry = this.#entries.get(keyHash);
    if (!entry) return undefined;
    if (this.#now() >= entry.until) {
      this.#entries.delete(keyHash);
      return undefined;
    }
    return entry.principal;
  }

  set(keyHash: string, principal: Principal | null): void {
    this.#entries.delete(keyHash);
    this.#entries.set(keyHash, { principal, until: this.#now() + this.#ttlMs });
    // Map order is insertion order: the first entry is the oldest lookup.
    if (this.#entries.size > this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
  }

  /** Forgets every key: after a revocation or a KB deletion through this app. */
  clear(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}

/** How long a key's lookup is trusted: a key revoked elsewhere stops working within this (docs/auth.md). */
export const apiKeyCacheTtlMs = 2_000;

/** Keys remembered at once, valid and invalid: about 300 bytes each. */
export const apiKeyCacheMaxEntries = 10_000;

/** The cache key of an API key: its SHA-256, as `api_keys.key_hash` stores it. Synchronous: no thread-pool hop. */
export function apiKeyCacheKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}
