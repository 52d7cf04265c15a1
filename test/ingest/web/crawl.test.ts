import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrioleError } from '../../../src/core/index.ts';
import type { CrawlFailure, CrawlOptions, CrawlResult, CrawlSummary, FetchedPage } from '../../../ingest/web/index.ts';
import { crawl, defaultCrawlSettings, isCrawlFailure } from '../../../ingest/web/index.ts';
import type { TestSite } from './help-site.ts';
import {
  gzippedUrlset,
  hugePage,
  html,
  neverAnswers,
  redirect,
  sitemapIndex,
  startSite,
  text,
  urlset,
} from './help-site.ts';

const pageLimit = 64 * 1024;

/** Small enough that the never-answering page fails fast, far above what a local page takes. */
const testTimeoutMs = 2_000;

const testOptions: CrawlOptions = {
  allowPrivateNetwork: true, // the test servers listen on 127.0.0.1
  maxBytesPerPage: pageLimit,
  timeoutMs: testTimeoutMs,
};

async function collect(generator: AsyncGenerator<CrawlResult, CrawlSummary>) {
  const pages: FetchedPage[] = [];
  const failures: CrawlFailure[] = [];
  for (;;) {
    const next = await generator.next();
    if (next.done) return { pages, failures, summary: next.value };
    if (isCrawlFailure(next.value)) failures.push(next.value);
    else pages.push(next.value);
  }
}

const paths = (site: TestSite, sources: string[]) =>
  sources.map((source) => (source.startsWith(site.base) ? source.slice(site.base.length) : source)).sort();

describe('crawl over a real local help site', () => {
  let site: TestSite;
  let external: TestSite;

  beforeAll(async () => {
    external = await startSite({ '/external': html('External', []), '/landing': html('Landing', []) });
    site = await startSite({
      '/robots.txt': text(
        200,
        'text/plain',
        (self) =>
          `User-agent: OtherBot\nDisallow: /\n\nUser-agent: *\nDisallow: /private/\n\nSitemap: ${self.base}/sitemap_index.xml\n`,
      ),
      '/': html('Help center', () => [
        '/getting-started',
        '/getting-started#install',
        'billing/',
        '/private/secret',
        `${external.base}/external`,
        'mailto:support@example.com',
        'javascript:void(0)',
        '/logo.png',
        '/missing',
        '/old-refunds',
        '/huge',
        '/slow',
        '/broken',
        '/manual.pdf',
        '/off-site',
        '#top',
      ]),
      '/getting-started': html('Getting started', ['/', '/deep/1']),
      '/billing/': html('Billing', ['refunds', '/billing/invoices']),
      '/billing/refunds': html('Refunds', ['/billing/']),
      '/billing/invoices': html('Invoices', []),
      '/deep/1': html('Deep 1', ['/deep/2']),
      '/deep/2': html('Deep 2', ['/deep/3']),
      '/deep/3': html('Deep 3', []),
      '/private/secret': html('Secret', []),
      '/old-refunds': redirect(301, '/billing/refunds'),
      '/off-site': redirect(302, () => `${external.base}/landing`),
      '/huge': hugePage(1024 * 1024),
      '/slow': neverAnswers,
      '/broken': text(500, 'text/plain', 'boom'),
      '/manual.pdf': text(200, 'application/pdf', '%PDF-1.4 not really'),
      '/guides/a': html('Guide A', ['/guides/b']),
      '/guides/b': html('Guide B', []),
      '/guides/only-in-sitemap': html('Only in the sitemap', []),
      '/sitemap_index.xml': sitemapIndex(['/sitemap-guides.xml', '/sitemap-main.xml']),
      '/sitemap-guides.xml': urlset(['/guides/a', '/guides/b']),
      '/sitemap-main.xml': urlset(['/guides/only-in-sitemap', '/billing/invoices', '/private/secret']),
      '/sitemap-compressed.xml.gz': gzippedUrlset(['/guides/b', '/billing/invoices']),
    });
  });

  afterAll(async () => {
    await site.close();
    await external.close();
  });

  const resetLogs = () => {
    site.requests.length = 0;
    external.requests.length = 0;
  };

  it('fetches exactly the reachable, allowed pages from the root, each once, and reports failures per page', async () => {
    resetLogs();
    const { pages, failures, summary } = await collect(crawl([`${site.base}/`], { ...testOptions, maxDepth: 2 }));
    const sources = [...pages, ...failures].map((result) => result.source);
    expect(new Set(sources).size).toBe(sources.length);

    expect(paths(site, pages.map((page) => page.source))).toEqual(
      [
        '/',
        '/billing/',
        '/billing/invoices',
        '/billing/refunds',
        '/deep/1',
        '/getting-started',
        '/guides/a',
        '/guides/b',
        '/guides/only-in-sitemap',
        '/manual.pdf',
      ].sort(),
    );
    const failureCodes = Object.fromEntries(failures.map((failure) => [failure.source.slice(site.base.length), failure.error.code]));
    expect(failureCodes).toEqual({
      '/missing': 'not_found',
      '/huge': 'payload_too_large',
      '/slow': 'upstream_unavailable',
      '/broken': 'upstream_unavailable',
      '/off-site': 'forbidden',
    });
    for (const failure of failures) expect(failure.error).toBeInstanceOf(OrioleError);
    expect(failures.find((failure) => failure.source.endsWith('/slow'))?.error.message).toContain(`within ${testTimeoutMs} ms`);
    expect(failures.find((failure) => failure.source.endsWith('/missing'))?.error.message).toContain('HTTP 404');

    // Every request the server saw, exactly once; the disallowed page, the asset and
    // the page past maxDepth never.
    expect([...site.requests].sort()).toEqual(
      [
        '/robots.txt',
        '/',
        '/getting-started',
        '/billing/',
        '/billing/refunds',
        '/billing/invoices',
        '/deep/1',
        '/manual.pdf',
        '/guides/a',
        '/guides/b',
        '/guides/only-in-sitemap',
        '/sitemap_index.xml',
        '/sitemap-guides.xml',
        '/sitemap-main.xml',
        '/missing',
        '/old-refunds',
        '/huge',
        '/slow',
        '/broken',
        '/off-site',
      ]
        .map((path) => `GET ${path}`)
        .sort(),
    );
    expect(external.requests).toEqual([]);
    expect(site.userAgents).toEqual(new Set([defaultCrawlSettings.userAgent]));

    expect(summary).toEqual({
      pages: 10,
      failures: 5,
      skipped: {
        disallowedByRobots: 1,
        robotsUnavailable: 0,
        offHost: 1,
        unsupportedScheme: 2,
        asset: 1,
        privateNetwork: 0,
        beyondMaxDepth: 1,
        beyondMaxPages: 0,
        beyondMaxSitemaps: 0,
        excludedByPattern: 0,
      },
      disallowed: [`${site.base}/private/secret`],
    });
  });

  it('gives each page its canonical source, the final URL and the bare content type', async () => {
    resetLogs();
    const { pages } = await collect(crawl([`${site.base}/old-refunds`, `${site.base}/manual.pdf#page=2`], { ...testOptions, maxDepth: 0 }));
    const bySource = new Map(pages.map((page) => [page.source, page]));
    const refunds = bySource.get(`${site.base}/billing/refunds`);
    expect(refunds?.url).toBe(`${site.base}/billing/refunds`);
    expect(refunds?.contentType).toBe('text/html');
    expect(new TextDecoder().decode(refunds?.bytes)).toContain('<h1>Refunds</h1>');
    const manual = bySource.get(`${site.base}/manual.pdf`);
    expect(manual?.contentType).toBe('application/pdf');
    expect(new TextDecoder().decode(manual?.bytes)).toBe('%PDF-1.4 not really');
    expect(pages).toHaveLength(2);
  });

  it('stops at maxPages', async () => {
    resetLogs();
    const { pages, summary } = await collect(
      crawl([`${site.base}/getting-started`], { ...testOptions, maxPages: 2, concurrency: 1 }),
    );
    expect(paths(site, pages.map((page) => page.source))).toEqual(['/', '/getting-started']);
    expect(site.requests).toEqual(['GET /robots.txt', 'GET /getting-started', 'GET /']);
    expect(summary.pages).toBe(2);
    expect(summary.skipped.beyondMaxPages).toBeGreaterThan(0);
  });

  it('fetches the start page whatever admitUrl says, but no link it refuses, and counts each refused URL once', async () => {
    resetLogs();
    const admitUrl = (url: URL) => url.pathname === '/billing/refunds';
    const { pages, summary } = await collect(crawl([`${site.base}/billing/`], { ...testOptions, maxDepth: 1, admitUrl }));
    expect(paths(site, pages.map((page) => page.source))).toEqual(['/billing/', '/billing/refunds']);
    expect(site.requests.sort()).toEqual(['GET /billing/', 'GET /billing/refunds', 'GET /robots.txt']);
    // /billing/invoices; not /billing/, which refunds links back to but was fetched as the start page.
    expect(summary.skipped.excludedByPattern).toBe(1);
  });

  it('follows no links at maxDepth 0', async () => {
    resetLogs();
    const { pages, summary } = await collect(crawl([`${site.base}/billing/`], { ...testOptions, maxDepth: 0 }));
    expect(paths(site, pages.map((page) => page.source))).toEqual(['/billing/']);
    expect(site.requests.sort()).toEqual(['GET /billing/', 'GET /robots.txt']);
    expect(summary.skipped.beyondMaxDepth).toBe(2);
  });

  it('expands a sitemap index start URL into its pages and never yields the sitemaps themselves', async () => {
    resetLogs();
    const { pages, failures, summary } = await collect(
      crawl([`${site.base}/sitemap_index.xml`], { ...testOptions, maxDepth: 0 }),
    );
    expect(failures).toEqual([]);
    expect(paths(site, pages.map((page) => page.source))).toEqual(
      ['/billing/invoices', '/guides/a', '/guides/b', '/guides/only-in-sitemap'].sort(),
    );
    expect(site.requests).not.toContain('GET /private/secret');
    expect(summary.disallowed).toEqual([`${site.base}/private/secret`]);
    expect(summary.pages).toBe(4);
  });

  it('reads a gzipped sitemap', async () => {
    resetLogs();
    const { pages } = await collect(crawl([`${site.base}/sitemap-compressed.xml.gz`], { ...testOptions, maxDepth: 0 }));
    expect(paths(site, pages.map((page) => page.source))).toEqual(['/billing/invoices', '/guides/b']);
  });

  it('bounds recursive sitemap indexes with maxSitemaps', async () => {
    resetLogs();
    const { pages, summary } = await collect(
      crawl([`${site.base}/sitemap_index.xml`], { ...testOptions, maxDepth: 0, maxSitemaps: 1 }),
    );
    expect(paths(site, pages.map((page) => page.source))).toEqual(['/guides/a', '/guides/b']);
    expect(summary.skipped.beyondMaxSitemaps).toBe(1);
    expect(site.requests).not.toContain('GET /sitemap-main.xml');
  });

  it('treats a host whose robots.txt fails as off limits (RFC 9309) and reports it once', async () => {
    const flaky = await startSite({
      '/robots.txt': text(503, 'text/plain', 'maintenance'),
      '/': html('Flaky', ['/a', '/b']),
    });
    try {
      const { pages, failures, summary } = await collect(crawl([`${flaky.base}/`], testOptions));
      expect(pages).toEqual([]);
      expect(failures).toHaveLength(1);
      expect(failures[0]?.source).toBe(`${flaky.base}/robots.txt`);
      expect(failures[0]?.error.code).toBe('upstream_unavailable');
      expect(flaky.requests).toEqual(['GET /robots.txt']);
      expect(summary.skipped.robotsUnavailable).toBe(1);
    } finally {
      await flaky.close();
    }
  });

  it('crawls everything when a host has no robots.txt', async () => {
    const plain = await startSite({ '/': html('Plain', ['/a']), '/a': html('A', []) });
    try {
      const { pages } = await collect(crawl([`${plain.base}/`], testOptions));
      expect(paths(plain, pages.map((page) => page.source))).toEqual(['/', '/a']);
    } finally {
      await plain.close();
    }
  });

  it('aborts requests in flight when the consumer stops early', async () => {
    resetLogs();
    let markClosed: () => void = () => undefined;
    const slowClosed = new Promise<void>((resolve) => {
      markClosed = resolve;
    });
    site.routes.set('/slow-watched', (_request, response) => response.on('close', markClosed));
    // A long timeout: only stopping the crawl can end the slow request within the test's time.
    const generator = crawl([`${site.base}/slow-watched`, `${site.base}/billing/invoices`], {
      ...testOptions,
      timeoutMs: 120_000,
      maxDepth: 0,
    });
    const first = await generator.next();
    expect(first.done === false && !isCrawlFailure(first.value) ? first.value.source : null).toBe(`${site.base}/billing/invoices`);
    await generator.return(undefined as never);
    await slowClosed;
    expect(site.requests.sort()).toEqual(['GET /billing/invoices', 'GET /robots.txt', 'GET /slow-watched']);
  });
});

describe('crawl guards', () => {
  it('refuses private and loopback start URLs unless allowPrivateNetwork is set', async () => {
    const site = await startSite({ '/': html('Home', []) });
    try {
      for (const url of [`${site.base}/`, 'http://localhost/', 'http://10.1.2.3/', 'http://169.254.169.254/latest/meta-data', 'http://[::1]/']) {
        expect(() => crawl([url])).toThrow(OrioleError);
      }
      expect(site.requests).toEqual([]);
      try {
        crawl([`${site.base}/`]);
      } catch (error) {
        expect((error as OrioleError).code).toBe('invalid_request');
        expect((error as OrioleError).message).toContain('allowPrivateNetwork');
      }
    } finally {
      await site.close();
    }
  });

  it.each([
    [['not a url'], {}],
    [['ftp://files.example.com/'], {}],
    [[], {}],
    [['https://help.example.com/'], { maxPages: 0 }],
    [['https://help.example.com/'], { concurrency: 1.5 }],
    [['https://help.example.com/'], { timeoutMs: -1 }],
  ] as [string[], CrawlOptions][])('throws invalid_request for %j with %j', (urls, options) => {
    let thrown: unknown;
    try {
      crawl(urls, options);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(OrioleError);
    expect((thrown as OrioleError).code).toBe('invalid_request');
  });

  it('refuses a redirect to a private address and skips private links, with an injected fetch', async () => {
    const requested: string[] = [];
    const fakeFetch = async (input: string | URL | Request): Promise<Response> => {
      const url = String(input instanceof Request ? input.url : input);
      requested.push(url);
      if (url === 'https://help.example.com/robots.txt') return new Response('User-agent: *\nAllow: /\n', { status: 200 });
      if (url === 'https://help.example.com/') {
        return new Response('<a href="/to-metadata">m</a> <a href="http://192.168.1.1/admin">router</a>', {
          headers: { 'content-type': 'text/html' },
        });
      }
      if (url === 'https://help.example.com/to-metadata') {
        return new Response(null, { status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data/' } });
      }
      return new Response('nope', { status: 404 });
    };
    const { pages, failures, summary } = await collect(
      crawl(['https://help.example.com/'], { fetch: fakeFetch, sameHostOnly: false }),
    );
    expect(pages.map((page) => page.source)).toEqual(['https://help.example.com/']);
    expect(failures.map((failure) => [failure.source, failure.error.code])).toEqual([
      ['https://help.example.com/to-metadata', 'forbidden'],
    ]);
    expect(requested.some((url) => url.includes('169.254') || url.includes('192.168'))).toBe(false);
    expect(summary.skipped.privateNetwork).toBe(1);
  });
});
