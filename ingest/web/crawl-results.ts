import type { OrioleError } from '../../src/core/index.ts';

/** A page the crawler fetched, ready for a loader. */
export interface FetchedPage {
  /** The page's identity as a document: its canonical URL, without fragment (see normalizeUrl). */
  source: string;
  /** Where the bytes were served from, after redirects: the address to link to. */
  url: string;
  bytes: Uint8Array;
  /** The response's Content-Type without parameters (`text/html`), or null when it sent none. */
  contentType: string | null;
}

/** A page (or sitemap, or robots.txt) that could not be fetched; the crawl goes on. */
export interface CrawlFailure {
  source: string;
  /** What could not be read: a page, a sitemap, or a host's robots.txt. */
  resource: 'page' | 'sitemap' | 'robots';
  /** `not_found` (404/410), `upstream_unavailable` (5xx, network, timeout), `payload_too_large`, … */
  error: OrioleError;
}

export type CrawlResult = FetchedPage | CrawlFailure;

export function isCrawlFailure(result: CrawlResult): result is CrawlFailure {
  return 'error' in result;
}

/** Why a URL the crawler came across was not fetched. */
export const crawlSkipReasons = [
  /** robots.txt disallows it for our user agent. */
  'disallowedByRobots',
  /** robots.txt could not be fetched (5xx, network): RFC 9309 says to assume the site is off limits. */
  'robotsUnavailable',
  /** Another host while `sameHostOnly`, or a redirect to one. */
  'offHost',
  /** mailto:, javascript:, ftp: and other non-http(s) links. */
  'unsupportedScheme',
  /** Images, media, archives, fonts, scripts and styles: nothing a loader reads. */
  'asset',
  /** A literal private or loopback address while `allowPrivateNetwork` is off. */
  'privateNetwork',
  /** Linked from a page at `maxDepth`. */
  'beyondMaxDepth',
  /** Found after `maxPages` pages were fetched. */
  'beyondMaxPages',
  /** Listed in a sitemap index after `maxSitemaps` sitemaps, or nested too deep. */
  'beyondMaxSitemaps',
  /** Left out by the crawl's `admitUrl` rule (a web source's include/exclude patterns). */
  'excludedByPattern',
] as const;

export type CrawlSkipReason = (typeof crawlSkipReasons)[number];

/** What a crawl did, returned when the generator finishes. Each distinct URL is counted once. */
export interface CrawlSummary {
  /** FetchedPage results yielded. */
  pages: number;
  /** CrawlFailure results yielded: pages, sitemaps and unreadable robots.txt files. */
  failures: number;
  skipped: Record<CrawlSkipReason, number>;
  /** The URLs robots.txt kept out, so a caller can show them. */
  disallowed: string[];
}
