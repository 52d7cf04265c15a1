import { invalidRequest, OrioleError } from '../../src/core/index.ts';
import type { CrawlFailure, CrawlResult, CrawlSkipReason, CrawlSummary, FetchedPage } from './crawl-results.ts';
import { crawlSkipReasons } from './crawl-results.ts';
import type { CrawlOptions, CrawlSettings } from './crawl-settings.ts';
import { resolveCrawlSettings } from './crawl-settings.ts';
import { extractLinks } from './extract-links.ts';
import type { FetchOutcome, FetchResourceSettings } from './fetch-resource.ts';
import { fetchResource } from './fetch-resource.ts';
import { isPrivateHost } from './is-private-host.ts';
import { normalizeUrl } from './normalize-url.ts';
import type { Sitemap } from './parse-sitemap.ts';
import { parseSitemap } from './parse-sitemap.ts';
import type { RobotsPolicy } from './robots-policy.ts';
import { loadRobotsPolicy } from './robots-policy.ts';

/** Sitemap indexes may list indexes; deeper than this is a loop or a mistake. */
export const sitemapNestingLimit = 3;

/** Links to these are never fetched: no loader reads them. PDF and Office files are fetched. */
export const assetExtensions: ReadonlySet<string> = new Set(
  (
    'png jpg jpeg gif webp svg ico bmp tif tiff avif heic mp3 mp4 m4a m4v mov avi mkv webm wav ogg flac ' +
    'zip gz tgz tar bz2 xz 7z rar dmg exe msi apk iso bin woff woff2 ttf otf eot css js mjs map wasm'
  ).split(' '),
);

const htmlTypes = new Set(['text/html', 'application/xhtml+xml']);

/**
 * Crawls a site from its start URLs and yields each page's bytes, or a failure for a
 * page that could not be fetched; never throws for one bad page. When the generator
 * finishes it returns a summary with what was skipped and why.
 *
 * - A start URL that serves a sitemap (`<urlset>` or `<sitemapindex>`, gzipped or not)
 *   is expanded instead of yielded; its pages count as start pages (depth 0).
 * - A start URL that is a bare origin (`https://help.example.com/`) also expands the
 *   `Sitemap:` lines of that host's robots.txt.
 * - robots.txt is fetched once per origin and obeyed (RFC 9309); disallowed URLs are
 *   counted in the summary and never requested.
 * - `<a href>` links of HTML pages are followed to `maxDepth`, on the start hosts only
 *   when `sameHostOnly`; mailto:, javascript: and asset links (images, scripts, …) are not.
 * - Each normalised URL is requested once, redirect hops included; a redirect must stay
 *   on a start host when `sameHostOnly` and off private addresses unless allowed.
 *
 * Throws `invalid_request` at once for invalid options or start URLs (not http(s), or a
 * private address while `allowPrivateNetwork` is off).
 */
export function crawl(startUrls: readonly string[], options: CrawlOptions = {}): AsyncGenerator<CrawlResult, CrawlSummary> {
  const settings = resolveCrawlSettings(options);
  if (startUrls.length === 0) throw invalidRequest('Give at least one URL to crawl');
  const starts = startUrls.map((text) => parseStartUrl(text, settings));
  return new CrawlRun(starts, settings).run();
}

/**
 * Checks a start URL as `crawl` will, so a caller can refuse it before queueing a crawl:
 * http(s) only, and no private address unless `allowPrivateNetwork`. Throws `invalid_request`.
 */
export function checkCrawlStartUrl(text: string, options: Pick<CrawlOptions, 'allowPrivateNetwork'>): void {
  parseStartUrl(text, resolveCrawlSettings(options));
}

function parseStartUrl(text: string, settings: Pick<CrawlSettings, 'allowPrivateNetwork'>): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalidRequest(`'${text}' is not a URL`, { url: text });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalidRequest(`'${text}' is not an http(s) URL`, { url: text });
  }
  if (!settings.allowPrivateNetwork && isPrivateHost(url.hostname)) {
    throw invalidRequest(
      `'${text}' points at this machine or a private network; the crawler refuses such addresses unless allowPrivateNetwork is set`,
      { url: text },
    );
  }
  url.hash = '';
  return url;
}

type PageTask = { kind: 'page'; url: URL; key: string; depth: number; isStart: boolean };
type Task = PageTask | { kind: 'sitemap'; url: URL; key: string; nesting: number } | { kind: 'robots-sitemaps'; origin: string };

/** Why an admitted-looking URL was still not requested; 'duplicate' is not reported. */
type Refusal = CrawlSkipReason | 'duplicate';

class CrawlRun {
  private readonly queue: Task[] = [];
  private readonly queuedPages = new Map<string, PageTask>();
  private readonly results: CrawlResult[] = [];
  /** Page URLs ever queued. */
  private readonly seenPages = new Set<string>();
  private readonly seenSitemaps = new Set<string>();
  /** URLs requested or being requested, redirect hops included. */
  private readonly claimed = new Set<string>();
  private readonly yieldedSources = new Set<string>();
  private readonly skipped = new Map<CrawlSkipReason, Set<string>>(crawlSkipReasons.map((reason) => [reason, new Set()]));
  private readonly robots = new Map<string, Promise<RobotsPolicy>>();
  /** Per origin with a Crawl-delay: when its next request may start (ms since the epoch). */
  private readonly nextSlot = new Map<string, number>();
  private readonly startHosts: ReadonlySet<string>;
  private readonly controller = new AbortController();
  private active = 0;
  /** Page tasks started and not released: at most maxPages. */
  private pagesReserved = 0;
  private sitemapsQueued = 0;
  private pages = 0;
  private failures = 0;
  private stopped = false;
  private wake: (() => void) | null = null;

  constructor(
    private readonly starts: readonly URL[],
    private readonly settings: CrawlSettings,
  ) {
    this.startHosts = new Set(starts.map((url) => url.host));
  }

  async *run(): AsyncGenerator<CrawlResult, CrawlSummary> {
    for (const url of this.starts) this.enqueuePage(url, 0, true);
    for (const url of this.starts) {
      if (url.pathname === '/' && url.search === '') this.queue.push({ kind: 'robots-sitemaps', origin: url.origin });
    }
    try {
      for (;;) {
        this.pump();
        const next = this.results.shift();
        if (next !== undefined) {
          yield next;
          continue;
        }
        if (this.active === 0) break;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
      }
      for (const task of this.queue) if (task.kind === 'page') this.skip('beyondMaxPages', task.key);
      return this.summary();
    } finally {
      // Also when the consumer stops early: in-flight requests are aborted, nothing new starts.
      this.stopped = true;
      this.controller.abort();
    }
  }

  private pump(): void {
    const { concurrency, maxPages } = this.settings;
    // Results waiting for the consumer also hold back new requests, so a slow consumer bounds memory.
    while (!this.stopped && this.active < concurrency && this.results.length < concurrency) {
      const index = this.queue.findIndex((task) => task.kind !== 'page' || this.pagesReserved < maxPages);
      if (index === -1) return;
      const [task] = this.queue.splice(index, 1) as [Task];
      if (task.kind === 'page') {
        this.queuedPages.delete(task.key);
        this.pagesReserved += 1;
      }
      this.active += 1;
      void this.process(task)
        .catch((error: unknown) => {
          const source = task.kind === 'robots-sitemaps' ? task.origin : task.key;
          const resource = task.kind === 'robots-sitemaps' ? 'robots' : task.kind;
          this.fail(source, new OrioleError('internal', `Crawling ${source} failed unexpectedly`, { cause: error }), resource);
        })
        .finally(() => {
          this.active -= 1;
          this.pump();
          this.wake?.();
          this.wake = null;
        });
    }
  }

  private async process(task: Task): Promise<void> {
    if (task.kind === 'robots-sitemaps') {
      const policy = await this.robotsFor(task.origin);
      for (const sitemap of policy.sitemaps) this.enqueueSitemap(sitemap, 0);
    } else if (task.kind === 'sitemap') {
      await this.processSitemap(task.url, task.key, task.nesting);
    } else {
      await this.processPage(task);
    }
  }

  private async processPage(task: PageTask): Promise<void> {
    const outcome = await this.fetchAdmitted(task.url, task.key);
    if (outcome?.kind !== 'fetched') {
      if (outcome?.kind === 'failed') this.fail(task.key, outcome.error);
      else this.pagesReserved -= 1;
      return;
    }
    if (task.isStart && mayBeSitemap(outcome)) {
      const sitemap = await readSitemap(outcome.bytes, this.settings.maxBytesPerPage);
      if (sitemap !== null) {
        this.pagesReserved -= 1;
        this.expandSitemap(sitemap, 0);
        return;
      }
    }
    const source = normalizeUrl(outcome.url);
    if (this.yieldedSources.has(source)) {
      this.pagesReserved -= 1;
      return;
    }
    this.yieldedSources.add(source);
    const page: FetchedPage = { source, url: outcome.url.href, bytes: outcome.bytes, contentType: outcome.contentType };
    this.pages += 1;
    this.results.push(page);
    if (outcome.contentType !== null && htmlTypes.has(outcome.contentType)) {
      const html = new TextDecoder().decode(outcome.bytes);
      for (const link of extractLinks(html, outcome.url)) this.enqueuePage(link, task.depth + 1, false);
    }
  }

  private async processSitemap(url: URL, key: string, nesting: number): Promise<void> {
    const outcome = await this.fetchAdmitted(url, key);
    if (outcome?.kind === 'failed') this.fail(key, outcome.error, 'sitemap');
    if (outcome?.kind !== 'fetched') return;
    const sitemap = await readSitemap(outcome.bytes, this.settings.maxBytesPerPage);
    if (sitemap === null) {
      this.fail(key, invalidRequest(`${url.href} is not a sitemap: expected <urlset> or <sitemapindex>`, { url: url.href }), 'sitemap');
      return;
    }
    this.expandSitemap(sitemap, nesting);
  }

  /** Fetches a URL that robots.txt allows and nobody requested yet; null when it was not requested. */
  private async fetchAdmitted(url: URL, key: string): Promise<FetchOutcome | null> {
    const refusal = await this.admit(url, key);
    if (refusal !== null) return null;
    await this.pace(url.origin);
    if (this.stopped) return null;
    const outcome = await fetchResource(url, this.fetchSettings());
    if (outcome.kind === 'skipped') return null;
    return outcome;
  }

  /**
   * Waits for the origin's next request slot when its robots.txt sets a Crawl-delay:
   * slots are handed out in order, so concurrent tasks for one origin space out too.
   */
  private async pace(origin: string): Promise<void> {
    const { crawlDelayMs } = await this.robotsFor(origin);
    if (crawlDelayMs <= 0) return;
    const now = Date.now();
    const slot = Math.max(now, this.nextSlot.get(origin) ?? now);
    this.nextSlot.set(origin, slot + crawlDelayMs);
    if (slot > now) await abortableDelay(slot - now, this.controller.signal);
  }

  /** Robots check and claim: counts what it refuses. */
  private async admit(url: URL, key = normalizeUrl(url)): Promise<Refusal | null> {
    const policy = await this.robotsFor(url.origin);
    let refusal: Refusal | null = null;
    if (policy.unavailable !== null) refusal = 'robotsUnavailable';
    else if (!policy.allows(url)) refusal = 'disallowedByRobots';
    else if (this.claimed.has(key)) refusal = 'duplicate';
    if (refusal === null) this.claimed.add(key);
    else if (refusal !== 'duplicate') this.skip(refusal, key);
    return refusal;
  }

  private fetchSettings(): FetchResourceSettings {
    const { fetch, userAgent, timeoutMs, maxBytesPerPage, maxRedirects } = this.settings;
    return {
      fetch,
      userAgent,
      timeoutMs,
      maxBytes: maxBytesPerPage,
      maxRedirects,
      signal: this.controller.signal,
      admitRedirect: async (target, from) => {
        if (!this.settings.allowPrivateNetwork && isPrivateHost(target.hostname)) {
          return new OrioleError('forbidden', `${from.href} redirected to ${target.href}, a private-network address the crawler refuses`, {
            details: { url: from.href, location: target.href },
          });
        }
        if (this.settings.sameHostOnly && !this.startHosts.has(target.host)) {
          return new OrioleError(
            'forbidden',
            `${from.href} redirected to ${target.href} on another host; the crawl stays on ${[...this.startHosts].join(', ')} (start it at ${target.origin} to crawl that site)`,
            { details: { url: from.href, location: target.href } },
          );
        }
        return this.admit(target);
      },
    };
  }

  private robotsFor(origin: string): Promise<RobotsPolicy> {
    let policy = this.robots.get(origin);
    if (policy === undefined) {
      const { fetch, userAgent, timeoutMs, maxRedirects, allowPrivateNetwork } = this.settings;
      policy = loadRobotsPolicy(origin, { fetch, userAgent, timeoutMs, maxRedirects, allowPrivateNetwork, signal: this.controller.signal }).then(
        (loaded) => {
          if (loaded.unavailable !== null) this.fail(new URL('/robots.txt', origin).href, loaded.unavailable, 'robots');
          return loaded;
        },
      );
      this.robots.set(origin, policy);
    }
    return policy;
  }

  private enqueuePage(url: URL, depth: number, isStart: boolean): void {
    const key = normalizeUrl(url);
    // A start URL was asked for by name, so its extension does not matter.
    const refusal = this.screen(url, key, !isStart);
    if (refusal !== null) return this.skip(refusal, key);
    // Not remembered as seen: the same URL may turn up later at a shallower depth.
    if (depth > this.settings.maxDepth) return this.skip('beyondMaxDepth', key);
    const queued = this.queuedPages.get(key);
    if (queued !== undefined) {
      queued.depth = Math.min(queued.depth, depth);
      return;
    }
    if (this.seenPages.has(key)) return;
    this.seenPages.add(key);
    const task: PageTask = { kind: 'page', url: new URL(key), key, depth, isStart };
    this.queue.push(task);
    this.queuedPages.set(key, task);
  }

  private enqueueSitemap(text: string, nesting: number): void {
    const url = parseUrl(text);
    if (url === null) return;
    const key = normalizeUrl(url);
    if (this.seenSitemaps.has(key)) return;
    this.seenSitemaps.add(key);
    const refusal = this.screen(url, key, false);
    if (refusal !== null) return this.skip(refusal, key);
    if (nesting > sitemapNestingLimit || this.sitemapsQueued >= this.settings.maxSitemaps) {
      return this.skip('beyondMaxSitemaps', key);
    }
    this.sitemapsQueued += 1;
    this.queue.push({ kind: 'sitemap', url, key, nesting });
  }

  /** The checks that need no request: scheme, private network, host, and asset extensions for links. */
  private screen(url: URL, key: string, skipAssets: boolean): CrawlSkipReason | null {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'unsupportedScheme';
    if (!this.settings.allowPrivateNetwork && isPrivateHost(url.hostname)) return 'privateNetwork';
    if (this.settings.sameHostOnly && !this.startHosts.has(url.host)) return 'offHost';
    if (!skipAssets) return null;
    if (!this.settings.admitUrl(url)) return 'excludedByPattern';
    const extension = /\.([a-z0-9]+)$/i.exec(new URL(key).pathname)?.[1]?.toLowerCase();
    if (extension !== undefined && assetExtensions.has(extension)) return 'asset';
    return null;
  }

  private expandSitemap(sitemap: Sitemap, nesting: number): void {
    if (sitemap.kind === 'sitemapindex') {
      for (const entry of sitemap.sitemaps) this.enqueueSitemap(entry, nesting + 1);
      return;
    }
    for (const entry of sitemap.urls) {
      const url = parseUrl(entry);
      if (url !== null) this.enqueuePage(url, 0, false);
    }
  }

  private skip(reason: CrawlSkipReason, key: string): void {
    this.skipped.get(reason)?.add(key);
  }

  private fail(source: string, error: OrioleError, resource: CrawlFailure['resource'] = 'page'): void {
    const failure: CrawlFailure = { source, resource, error };
    this.failures += 1;
    this.results.push(failure);
  }

  private summary(): CrawlSummary {
    const skipped = Object.fromEntries(crawlSkipReasons.map((reason) => [reason, 0])) as Record<CrawlSkipReason, number>;
    for (const [reason, keys] of this.skipped) {
      // A link first found too deep may have been fetched from a shallower page after all, and
      // a link the patterns refuse may be a start page, which is fetched whatever they say.
      const fetchedAnyway = reason === 'beyondMaxDepth' || reason === 'excludedByPattern';
      const stillSkipped = fetchedAnyway ? [...keys].filter((key) => !this.seenPages.has(key)) : [...keys];
      skipped[reason] = stillSkipped.length;
    }
    return {
      pages: this.pages,
      failures: this.failures,
      skipped,
      disallowed: [...(this.skipped.get('disallowedByRobots') ?? [])],
    };
  }
}

function mayBeSitemap(outcome: Extract<FetchOutcome, { kind: 'fetched' }>): boolean {
  if (outcome.contentType !== null && htmlTypes.has(outcome.contentType)) return false;
  return (
    (outcome.contentType ?? '').includes('xml') || /\.xml(\.gz)?$/i.test(outcome.url.pathname) || isGzip(outcome.bytes)
  );
}

async function readSitemap(bytes: Uint8Array, maxBytes: number): Promise<Sitemap | null> {
  const raw = isGzip(bytes) ? await gunzip(bytes, maxBytes) : bytes;
  return raw === null ? null : parseSitemap(new TextDecoder().decode(raw));
}

function isGzip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Decompresses a gzipped sitemap; null when it is corrupt or inflates past `maxBytes`. */
async function gunzip(bytes: Uint8Array, maxBytes: number): Promise<Uint8Array | null> {
  try {
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
    const chunks: Uint8Array[] = [];
    let total = 0;
    for await (const chunk of stream) {
      total += chunk.byteLength;
      if (total > maxBytes) return null;
      chunks.push(chunk);
    }
    return new Uint8Array(await new Blob(chunks as Uint8Array<ArrayBuffer>[]).arrayBuffer());
  } catch {
    return null;
  }
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

function parseUrl(text: string): URL | null {
  try {
    const url = new URL(text);
    url.hash = '';
    return url;
  } catch {
    return null;
  }
}
