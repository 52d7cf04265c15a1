export { crawl, checkCrawlStartUrl, assetExtensions, sitemapNestingLimit } from './crawl.ts';
export { defaultCrawlSettings } from './crawl-settings.ts';
export type { CrawlOptions, FetchFunction } from './crawl-settings.ts';
export { isCrawlFailure, crawlSkipReasons } from './crawl-results.ts';
export type { CrawlFailure, CrawlResult, CrawlSkipReason, CrawlSummary, FetchedPage } from './crawl-results.ts';
export { isPrivateHost } from './is-private-host.ts';
export { normalizeUrl } from './normalize-url.ts';
export { describeFetchError, networkRefusal, readBodyWithin } from './response-body.ts';
// network-guard.ts (Node's resolver and undici) is imported by Node composition roots directly,
// so the Workers bundle, which queues crawls but never runs them, does not carry it.
