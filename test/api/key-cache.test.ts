import { describe, expect, it } from 'vitest';
import type { Principal } from '../../src/api/context.ts';
import { ApiKeyCache, apiKeyCacheKey } from '../../src/api/key-cache.ts';
import { hashApiKey } from '../../src/db/index.ts';

const principal: Principal = { scope: 'query', kbId: null, kbName: null, keyId: 'k1', origins: [], ratePerMinute: null };

describe('the API-key cache', () => {
  it('remembers a key, valid or not, for its time to live only', () => {
    let now = 0;
    const cache = new ApiKeyCache({ ttlMs: 2_000, maxEntries: 10, now: () => now });
    cache.set('valid', principal);
    cache.set('unknown', null);
    expect(cache.get('valid')).toEqual(principal);
    expect(cache.get('unknown')).toBeNull();
    expect(cache.get('never-seen')).toBeUndefined();
    now = 2_000;
    expect(cache.get('valid')).toBeUndefined();
    expect(cache.get('unknown')).toBeUndefined();
  });

  it('holds at most maxEntries keys, dropping the oldest lookup first', () => {
    const cache = new ApiKeyCache({ ttlMs: 60_000, maxEntries: 2 });
    cache.set('a', principal);
    cache.set('b', principal);
    cache.set('c', null);
    expect(cache.size).toBe(2);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toEqual(principal);
  });

  it('forgets everything on clear (a revocation through the API)', () => {
    const cache = new ApiKeyCache({ ttlMs: 60_000, maxEntries: 10 });
    cache.set('a', principal);
    cache.clear();
    expect(cache.get('a')).toBeUndefined();
  });

  it('keys entries by the SHA-256 the database stores, never by the key itself', async () => {
    const key = 'oriole_0123456789abcdefghijABCDEFGHIJ01';
    expect(apiKeyCacheKey(key)).toBe(await hashApiKey(key));
    expect(apiKeyCacheKey(key)).not.toContain(key);
  });
});
