import type { Context, MiddlewareHandler } from 'hono';
import { OrioleError } from '../core/index.ts';
import { principalOf } from './auth.ts';
import type { AppEnvironment } from './context.ts';
import type { HttpDependencies } from './http-dependencies.ts';
import { defaultBurstFor, type RateLimiter, type TokenBucketRate } from './token-bucket.ts';

/** Probes and scrapes from the infrastructure are never limited. */
const exemptPaths = new Set(['/health', '/ready', '/metrics']);

/** Keys set by the auth middleware that name no API key: callers are then told apart by address. */
const keylessPrincipals = new Set(['anonymous']);

/**
 * Per-key rate limiting (docs/limits.md): one token bucket per API key, or per client
 * address when the request carries no key. Registered after authentication, which sets
 * the key. A key with its own rate (`--rate-per-minute`) is held to that rate, even when
 * the server-wide limit is off. Every limited response carries RateLimit-Limit,
 * RateLimit-Remaining and RateLimit-Reset (IETF draft names); a refused one is 429
 * `rate_limited` with Retry-After.
 */
export function rateLimit(http: HttpDependencies): MiddlewareHandler<AppEnvironment> {
  return async function limitRate(context, next) {
    if (context.req.method === 'OPTIONS' || exemptPaths.has(context.req.path)) return next();
    const own = principalOf(context).ratePerMinute;
    const limit = own !== null ? { limiter: http.ownRateLimiter, rate: ownRate(own) } : serverLimit(http.rateLimiter);
    if (!limit) return next();
    const { limiter, rate } = limit;
    const decision = await limiter.take(rateLimitKey(context, http), 1, rate);
    context.header('RateLimit-Limit', String(decision.limit));
    context.header('RateLimit-Remaining', String(decision.remaining));
    context.header('RateLimit-Reset', String(decision.resetSeconds));
    if (!decision.allowed) {
      context.header('Retry-After', String(decision.retryAfterSeconds));
      const { perMinute, burst } = rate;
      throw new OrioleError(
        'rate_limited',
        `Too many requests: at most ${perMinute} a minute (bursts of ${burst}); try again in ${decision.retryAfterSeconds} s`,
        { details: { perMinute, burst, retryAfterSeconds: decision.retryAfterSeconds } },
      );
    }
    await next();
  };
}

function ownRate(perMinute: number): TokenBucketRate {
  return { perMinute, burst: defaultBurstFor(perMinute) };
}

function serverLimit(limiter: RateLimiter | null): { limiter: RateLimiter; rate: TokenBucketRate } | undefined {
  return limiter ? { limiter, rate: limiter.settings } : undefined;
}

/** `key:<id>` for a request authenticated with an API key, else `address:<client address>`. */
export function rateLimitKey(context: Context<AppEnvironment>, http: Pick<HttpDependencies, 'trustedProxies' | 'clientAddress'>): string {
  const keyId = principalOf(context).keyId;
  if (!keylessPrincipals.has(keyId)) return `key:${keyId}`;
  return `address:${clientAddressOf(context, http) ?? 'unknown'}`;
}

/**
 * The client's address. Behind `trustedProxies` proxies, each appends the address it
 * saw to X-Forwarded-For, so the client is that many entries from the right; entries
 * further left were sent by the client and could be anything.
 */
export function clientAddressOf(
  context: Context<AppEnvironment>,
  http: Pick<HttpDependencies, 'trustedProxies' | 'clientAddress'>,
): string | undefined {
  if (http.trustedProxies > 0) {
    const forwarded = forwardedAddresses(context.req.header('x-forwarded-for'));
    if (forwarded.length > 0) return forwarded[Math.max(0, forwarded.length - http.trustedProxies)];
  }
  try {
    return http.clientAddress(context) || undefined;
  } catch {
    // No connection information (a request built in-process): every such caller shares one bucket.
    return undefined;
  }
}

function forwardedAddresses(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
}
