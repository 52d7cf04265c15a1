import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { Agent, fetch as undiciFetch } from 'undici';
import { OrioleError } from '../../src/core/index.ts';
import type { FetchFunction } from './crawl-settings.ts';
import { isPrivateHost } from './is-private-host.ts';

/** `dns.lookup`'s callback form, as `net.connect` calls it; tests pass a stub resolver. */
export type LookupFunction = (
  hostname: string,
  options: LookupOptions,
  callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
) => void;

export interface NetworkPolicy {
  /** ORIOLE_ALLOW_PRIVATE_NETWORK: reach loopback, private and link-local addresses (intranet wikis, tests). */
  allowPrivateNetwork: boolean;
  /** Resolves host names when connecting; the system resolver by default. */
  lookup?: LookupFunction;
  /** Which resolved addresses are refused; loopback, private, link-local and metadata addresses by default. */
  isForbiddenAddress?: (address: string) => boolean;
  /** Redirect hops followed for callers that do not follow them themselves. */
  maxRedirects?: number;
}

/** Whether a resolved address (`10.0.0.1`, `::1`) is loopback, private, link-local or reserved. */
export function isPrivateAddress(address: string): boolean {
  return isPrivateHost(address.includes(':') ? `[${address}]` : address);
}

const redirectStatuses = new Set([301, 302, 303, 307, 308]);

/** Dropped when a redirect leaves the origin, as the platform's fetch drops them. */
const credentialHeaders = ['authorization', 'proxy-authorization', 'cookie'];

/**
 * An HTTP client for crawls and connectors that cannot be pointed at this machine or
 * its network. Judging the URL's host text is not enough: `docs.example.com` may
 * resolve to 127.0.0.1 or 169.254.169.254, and may resolve differently between a
 * check and the connection (DNS rebinding). So the address is judged where the socket
 * is opened, from the very answer the connection uses, on every request and every
 * redirect hop; literal IP hosts (which skip DNS) are judged before the request.
 * Redirects are followed here, hop by hop, unless the caller asks for `manual`.
 */
export function createGuardedFetch(policy: NetworkPolicy): FetchFunction {
  const forbidden = policy.isForbiddenAddress ?? isPrivateAddress;
  const baseLookup: LookupFunction = policy.lookup ?? (dnsLookup as unknown as LookupFunction);
  const guarding = !policy.allowPrivateNetwork;
  const lookup: LookupFunction = (hostname, options, callback) => {
    baseLookup(hostname, options, (error, address, family) => {
      if (error || !guarding) return callback(error, address, family);
      const addresses = typeof address === 'string' ? [address] : address.map((entry) => entry.address);
      const refused = addresses.find((candidate) => forbidden(candidate));
      if (refused !== undefined) return callback(refusal(hostname, refused), address, family);
      callback(null, address, family);
    });
  };
  // Without a guard or a stub resolver the platform's own client does.
  const dispatcher = guarding || policy.lookup ? new Agent({ connect: { lookup } }) : undefined;
  const fetchOnce = (url: string, init: RequestInit | undefined): Promise<Response> => {
    const host = new URL(url).hostname;
    if (guarding && isLiteralAddress(host) && forbidden(host.replace(/^\[|\]$/g, ''))) {
      return Promise.reject(new TypeError('fetch failed', { cause: refusal(host, host) }));
    }
    if (dispatcher === undefined) return fetch(url, init);
    return undiciFetch(url, { ...(init as object), dispatcher } as never) as unknown as Promise<Response>;
  };
  const maxRedirects = policy.maxRedirects ?? 5;

  return async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (init?.redirect === 'manual') return fetchOnce(url, init);
    let current = url;
    const headers = new Headers(init?.headers);
    for (let hop = 0; ; hop += 1) {
      const response = await fetchOnce(current, { ...init, headers: [...headers], redirect: 'manual' });
      const location = response.headers.get('location');
      if (!redirectStatuses.has(response.status) || location === null) return response;
      await response.body?.cancel().catch(() => undefined);
      if (hop >= maxRedirects) throw new TypeError('fetch failed', { cause: new Error(`${url} redirected more than ${maxRedirects} times`) });
      const target = new URL(location, current);
      if (target.protocol !== 'http:' && target.protocol !== 'https:') {
        throw new TypeError('fetch failed', { cause: new Error(`${current} redirected to ${target.href}, which is not http(s)`) });
      }
      // As fetch does on a redirect to another origin: a connector's credentials stay with the host they were meant for.
      if (target.origin !== new URL(current).origin) for (const name of credentialHeaders) headers.delete(name);
      current = target.href;
    }
  };
}

function refusal(hostname: string, address: string): OrioleError {
  return new OrioleError(
    'forbidden',
    `${hostname} resolves to ${address}, a loopback, private or link-local address; set ORIOLE_ALLOW_PRIVATE_NETWORK=true to reach it`,
    { details: { host: hostname, address } },
  );
}

function isLiteralAddress(host: string): boolean {
  return host.startsWith('[') || /^\d{1,3}(\.\d{1,3}){3}$/.test(host);
}
