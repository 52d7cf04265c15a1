import { describe, expect, it } from 'vitest';
import { TokenBucketLimiter } from '../../src/api/index.ts';

function limiter(settings: { perMinute: number; burst: number; maxKeys?: number }) {
  const clock = { now: 1_000_000 };
  const buckets = new TokenBucketLimiter({ maxKeys: 1_000, ...settings }, () => clock.now);
  return { buckets, clock, advance: (ms: number) => (clock.now += ms) };
}

describe('token buckets', () => {
  it('allows a burst, then refuses until a token has been refilled', () => {
    const { buckets, advance } = limiter({ perMinute: 60, burst: 3 });
    expect([1, 2, 3].map(() => buckets.take('a').allowed)).toEqual([true, true, true]);
    const refused = buckets.take('a');
    expect(refused).toEqual({ allowed: false, limit: 3, remaining: 0, resetSeconds: 3, retryAfterSeconds: 1 });
    advance(999);
    expect(buckets.take('a').allowed).toBe(false);
    advance(1);
    expect(buckets.take('a')).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('refills at the sustained rate and never above the burst', () => {
    const { buckets, advance } = limiter({ perMinute: 600, burst: 5 });
    for (let index = 0; index < 5; index++) buckets.take('a');
    advance(300); // 10 a second: 3 tokens
    expect(buckets.take('a')).toMatchObject({ allowed: true, remaining: 2 });
    advance(3_600_000);
    expect(buckets.take('a')).toMatchObject({ allowed: true, remaining: 4, resetSeconds: 1 });
  });

  it('says how long until the next request would pass, and until the bucket is full', () => {
    const { buckets } = limiter({ perMinute: 6, burst: 2 }); // a token every 10 s
    buckets.take('a');
    expect(buckets.take('a')).toMatchObject({ allowed: true, remaining: 0, resetSeconds: 20 });
    expect(buckets.take('a')).toMatchObject({ allowed: false, retryAfterSeconds: 10 });
  });

  it('keeps one bucket per key', () => {
    const { buckets } = limiter({ perMinute: 60, burst: 1 });
    expect(buckets.take('a').allowed).toBe(true);
    expect(buckets.take('a').allowed).toBe(false);
    expect(buckets.take('b').allowed).toBe(true);
  });

  it('takes larger costs, and refuses a cost the bucket lacks without taking anything', () => {
    const { buckets } = limiter({ perMinute: 60, burst: 10 });
    expect(buckets.take('a', 8)).toMatchObject({ allowed: true, remaining: 2 });
    expect(buckets.take('a', 5)).toMatchObject({ allowed: false, remaining: 2, retryAfterSeconds: 3 });
    expect(buckets.take('a', 2)).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('survives a clock stepped back', () => {
    const { buckets, advance } = limiter({ perMinute: 60, burst: 2 });
    buckets.take('a');
    advance(-60_000);
    expect(buckets.take('a')).toMatchObject({ allowed: true, remaining: 0 });
    expect(buckets.take('a').allowed).toBe(false);
  });

  it('forgets the least recently used key past maxKeys', () => {
    const { buckets } = limiter({ perMinute: 60, burst: 1, maxKeys: 3 });
    for (const key of ['a', 'b', 'c']) buckets.take(key);
    buckets.take('a'); // refused, and now the most recently used
    buckets.take('d');
    expect(buckets.size).toBe(3);
    // 'b' was forgotten: it starts over with a full bucket; 'a' was kept, still empty.
    expect(buckets.take('a').allowed).toBe(false);
    expect(buckets.take('b').allowed).toBe(true);
  });

  it('drops buckets that have refilled, so idle keys cost no memory', () => {
    const { buckets, advance } = limiter({ perMinute: 60, burst: 2 });
    for (let index = 0; index < 100; index++) buckets.take(`client-${index}`);
    expect(buckets.size).toBe(100);
    advance(2_000); // every bucket is full again
    for (let index = 0; index < 60; index++) buckets.take('busy');
    expect(buckets.size).toBeLessThan(100);
    expect(buckets.size).toBeGreaterThanOrEqual(1);
    for (let index = 0; index < 100; index++) buckets.take('busy');
    expect(buckets.size).toBe(1);
  });

  it('refuses settings that cannot work', () => {
    expect(() => new TokenBucketLimiter({ perMinute: 0, burst: 1, maxKeys: 1 })).toThrow(RangeError);
    expect(() => new TokenBucketLimiter({ perMinute: 60, burst: 0, maxKeys: 1 })).toThrow(RangeError);
  });
});
