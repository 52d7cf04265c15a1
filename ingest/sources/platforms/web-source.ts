import { z } from 'zod';
import { crawl, isCrawlFailure, normalizeUrl, type CrawlSummary } from '../../web/index.ts';
import type { ConnectorDependencies, ListingEnd, SourceConnector, SourceEntry } from '../connector.ts';

export const webConfigSchema = z
  .object({
    url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL: a page, a sitemap or a site root' }),
    maxPages: z.number().int().min(1).max(100_000).optional(),
    maxDepth: z.number().int().min(0).max(20).optional(),
    include: z.array(z.string().min(1).max(500)).max(50).optional(),
    exclude: z.array(z.string().min(1).max(500)).max(50).optional(),
  })
  .strict();

export type WebConfig = z.infer<typeof webConfigSchema>;
export const webCredentialFields = [] as const;

/** A web source reads more than a one-off crawl (200 pages) by default: it is a whole help site. */
export const defaultWebSourceLimits = { maxPages: 1_000, maxDepth: 5 } as const;

/**
 * A docs or help site, crawled from its start URL or sitemap on the same host with
 * robots.txt (and its Crawl-delay) obeyed. Every listing is full: a site has no "changed
 * since". A page that now answers 404/410 is gone; a listing is complete only when no
 * page failed otherwise and the page budget did not cut the crawl short, so a site that
 * is down, or larger than `maxPages`, never loses documents.
 */
export function createWebConnector(config: WebConfig, dependencies: ConnectorDependencies): SourceConnector {
  const admit = urlFilter(config.include ?? [], config.exclude ?? []);
  return {
    incremental: false,
    async *list(request): AsyncGenerator<SourceEntry, ListingEnd> {
      const pages = crawl([config.url], {
        maxPages: config.maxPages ?? defaultWebSourceLimits.maxPages,
        maxDepth: config.maxDepth ?? defaultWebSourceLimits.maxDepth,
        fetch: dependencies.fetch,
        allowPrivateNetwork: dependencies.allowPrivateNetwork ?? false,
        admitUrl: admit,
        ...(dependencies.userAgent ? { userAgent: dependencies.userAgent } : {}),
      });
      // crawl has checked the URL by now.
      const start = normalizeUrl(config.url);
      let failed = 0;
      let summary: CrawlSummary;
      try {
        for (;;) {
          if (request.signal.aborted) return { complete: false, cursor: null };
          const next = await pages.next();
          if (next.done) {
            summary = next.value;
            break;
          }
          const page = next.value;
          if (isCrawlFailure(page)) {
            // A page answering 404 is gone; a start URL or a sitemap answering 404 is a broken
            // site or source, not every page it leads to deleted.
            if (page.error.code === 'not_found' && page.resource === 'page' && page.source !== start) {
              yield { kind: 'gone', source: page.source };
            } else {
              failed += 1;
              yield { kind: 'failed', source: page.source, error: page.error };
            }
            continue;
          }
          // The start page is fetched for its links even when the patterns leave it out.
          if (!admit(new URL(page.url))) continue;
          yield {
            kind: 'document',
            document: { source: page.source, title: null, url: page.url, contentType: page.contentType ?? '', bytes: page.bytes },
          };
        }
      } finally {
        await pages.return(undefined as never);
      }
      const { beyondMaxPages, beyondMaxSitemaps, robotsUnavailable } = summary.skipped;
      // Sitemaps left unread hide pages as surely as the page budget does.
      return { complete: failed === 0 && beyondMaxPages === 0 && beyondMaxSitemaps === 0 && robotsUnavailable === 0, cursor: null };
    },
  };
}

/**
 * Include and exclude patterns: `*` matches any run of characters; a pattern starting
 * with `/` is matched against the URL's path, any other against the whole URL. A page
 * must match an include pattern (when there are any) and no exclude pattern.
 */
export function urlFilter(include: readonly string[], exclude: readonly string[]): (url: URL) => boolean {
  const compile = (pattern: string) => {
    const lowered = pattern.toLowerCase();
    return (url: URL) => matchesWildcards(lowered, (pattern.startsWith('/') ? url.pathname : url.href).toLowerCase());
  };
  const included = include.map(compile);
  const excluded = exclude.map(compile);
  return (url) => (included.length === 0 || included.some((matches) => matches(url))) && !excluded.some((matches) => matches(url));
}

/**
 * Whether `text` matches `pattern`, where `*` matches any run of characters. Greedy with
 * one backtrack point (the last `*`), so at most pattern × text steps: a regular
 * expression built from the pattern (`.*a.*a.*…`) backtracks exponentially, and a pattern
 * of ten stars took minutes on a 60-character URL.
 */
function matchesWildcards(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.length && pattern[p] === text[t]) {
      p += 1;
      t += 1;
    } else if (star >= 0) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p += 1;
  return p === pattern.length;
}
