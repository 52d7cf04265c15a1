import robotsParserExports from 'robots-parser';
import { OrioleError } from '../../src/core/index.ts';
import type { FetchResourceSettings } from './fetch-resource.ts';
import { fetchResource } from './fetch-resource.ts';
import { isPrivateHost } from './is-private-host.ts';

// The package is CommonJS with module.exports = the function, but its types declare an
// ES default export; this works under either reading.
const robotsParser = ((robotsParserExports as unknown as { default?: unknown }).default ??
  robotsParserExports) as typeof robotsParserExports.default;

/** RFC 9309 §2.5: crawlers must parse at least the first 500 KiB. */
export const maxRobotsBytes = 500 * 1024;

export interface RobotsPolicy {
  allows(url: URL): boolean;
  /** `Sitemap:` lines, as absolute URLs. */
  sitemaps: string[];
  /** Set when robots.txt answered 5xx or not at all: the whole origin is off limits. */
  unavailable: OrioleError | null;
  /** `Crawl-delay` for our user agent, in ms (at most `maxCrawlDelayMs`); 0 when none. */
  crawlDelayMs: number;
}

/** A longer Crawl-delay is honoured as this: a site asking for minutes between pages would never finish a sync. */
export const maxCrawlDelayMs = 30_000;

export interface RobotsSettings extends Omit<FetchResourceSettings, 'maxBytes' | 'truncate' | 'admitRedirect'> {
  allowPrivateNetwork: boolean;
}

/**
 * Fetches and reads `<origin>/robots.txt` following RFC 9309: a 4xx (no robots.txt)
 * allows everything; a 5xx, timeout or network failure means "assume complete
 * disallow" until the next crawl; redirects are followed (to any public host).
 */
export async function loadRobotsPolicy(origin: string, settings: RobotsSettings): Promise<RobotsPolicy> {
  const robotsUrl = new URL('/robots.txt', origin);
  const outcome = await fetchResource(robotsUrl, {
    ...settings,
    maxBytes: maxRobotsBytes,
    truncate: true,
    admitRedirect: async (target) => (!settings.allowPrivateNetwork && isPrivateHost(target.hostname) ? 'privateNetwork' : null),
  });
  if (outcome.kind === 'fetched') {
    const robots = robotsParser(robotsUrl.href, new TextDecoder().decode(outcome.bytes));
    return {
      // robots-parser answers undefined for URLs of another origin; those are judged by their own robots.txt.
      allows: (url) => robots.isAllowed(url.href, settings.userAgent) !== false,
      sitemaps: robots.getSitemaps(),
      unavailable: null,
      crawlDelayMs: Math.min(maxCrawlDelayMs, Math.max(0, (robots.getCrawlDelay(settings.userAgent) ?? 0) * 1000)),
    };
  }
  if (outcome.kind === 'failed' && (outcome.status === undefined || outcome.status >= 500)) {
    // The network guard's refusal (a host resolving to a private address) is ours, not the site's: it stays `forbidden`.
    const refused = outcome.status === undefined && outcome.error.code === 'forbidden';
    const error = new OrioleError(
      refused ? 'forbidden' : 'upstream_unavailable',
      `${robotsUrl.href} could not be read (${outcome.error.message}); as RFC 9309 asks, nothing on ${origin} is crawled`,
      { details: { url: robotsUrl.href }, cause: outcome.error },
    );
    return { allows: () => false, sitemaps: [], unavailable: error, crawlDelayMs: 0 };
  }
  return { allows: () => true, sitemaps: [], unavailable: null, crawlDelayMs: 0 };
}
