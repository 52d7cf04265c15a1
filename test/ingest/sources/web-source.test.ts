import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectorDependencies, ListingEnd, SourceConnector, SourceDocument, SourceEntry } from '../../../ingest/sources/connector.ts';
import type { WebConfig } from '../../../ingest/sources/platforms/web-source.ts';
import { createWebConnector, urlFilter } from '../../../ingest/sources/platforms/web-source.ts';
import type { RouteHandler, TestSite } from '../web/help-site.ts';
import { gzippedUrlset, html, redirect, sitemapIndex, startSite, text, urlset } from '../web/help-site.ts';

// The sites listen on 127.0.0.1, which the crawler refuses unless told otherwise.
const dependencies: ConnectorDependencies = { fetch: globalThis.fetch, allowPrivateNetwork: true };

const sites: TestSite[] = [];

async function site(routes: Record<string, RouteHandler>): Promise<TestSite> {
  const started = await startSite(routes);
  sites.push(started);
  return started;
}

afterEach(async () => {
  await Promise.all(sites.splice(0).map((started) => started.close()));
});

function connector(config: WebConfig): SourceConnector {
  return createWebConnector(config, dependencies);
}

async function list(source: SourceConnector, signal = new AbortController().signal) {
  const generator = source.list({ since: null, signal });
  const entries: SourceEntry[] = [];
  for (;;) {
    const next = await generator.next();
    if (next.done) return { entries, end: next.value as ListingEnd };
    entries.push(next.value);
  }
}

const documentsOf = (entries: SourceEntry[]): SourceDocument[] =>
  entries.flatMap((entry) => (entry.kind === 'document' ? [entry.document] : []));

/** Document sources as paths of the site, sorted. */
const documentPaths = (on: TestSite, entries: SourceEntry[]) =>
  documentsOf(entries)
    .map((document) => document.source.slice(on.base.length))
    .sort();

/** Everything but documents, as `[kind, path, code]`. */
const otherEntries = (on: TestSite, entries: SourceEntry[]) =>
  entries.flatMap((entry) => {
    if (entry.kind === 'gone') return [[entry.kind, entry.source.slice(on.base.length)]];
    if (entry.kind === 'failed') return [[entry.kind, entry.source.slice(on.base.length), entry.error.code]];
    return [];
  });

const robotsTxt = (body: string): RouteHandler => text(200, 'text/plain', body);

describe('web connector', () => {
  it('never requests what robots.txt disallows and spaces its requests by the Crawl-delay', async () => {
    const startedAt = new Map<string, number>();
    const timed = (handler: RouteHandler): RouteHandler => (request, response, self) => {
      startedAt.set(request.url ?? '', performance.now());
      handler(request, response, self);
    };
    const docs = await site({
      '/robots.txt': robotsTxt('User-agent: *\nDisallow: /private/\nCrawl-delay: 1\n'),
      '/': timed(html('Home', ['/a', '/b', '/private/secret'])),
      '/a': timed(html('A', ['/private/other'])),
      '/b': timed(html('B', [])),
      '/private/secret': html('Secret', []),
      '/private/other': html('Other', []),
    });

    const { entries, end } = await list(connector({ url: `${docs.base}/` }));

    expect(documentPaths(docs, entries)).toEqual(['/', '/a', '/b']);
    expect(otherEntries(docs, entries)).toEqual([]);
    expect(end).toEqual({ complete: true, cursor: null });
    expect(docs.requests.filter((request) => request.includes('/private/'))).toEqual([]);
    expect(docs.requests[0]).toBe('GET /robots.txt');
    // Crawl-delay: 1 asks for a second between requests; a little slack for timer granularity. No upper bound.
    const times = [...startedAt.values()].sort((a, b) => a - b);
    expect(times).toHaveLength(3);
    for (let index = 1; index < times.length; index += 1) {
      expect((times[index] ?? 0) - (times[index - 1] ?? 0)).toBeGreaterThanOrEqual(900);
    }
  });

  it('lists the pages of a sitemap index whose sitemaps are plain and gzipped', async () => {
    const docs = await site({
      '/sitemap_index.xml': sitemapIndex(['/sitemap-guides.xml', '/sitemap-more.xml.gz']),
      '/sitemap-guides.xml': urlset(['/guides/a', '/guides/b']),
      '/sitemap-more.xml.gz': gzippedUrlset(['/guides/c']),
      '/guides/a': html('Guide A', []),
      '/guides/b': html('Guide B', []),
      '/guides/c': html('Guide C', []),
    });

    const { entries, end } = await list(connector({ url: `${docs.base}/sitemap_index.xml` }));

    expect(documentPaths(docs, entries)).toEqual(['/guides/a', '/guides/b', '/guides/c']);
    expect(otherEntries(docs, entries)).toEqual([]);
    expect(end.complete).toBe(true);
    expect(docs.requests).toContain('GET /sitemap-more.xml.gz');
    const guideC = documentsOf(entries).find((document) => document.source === `${docs.base}/guides/c`);
    expect(guideC).toMatchObject({ url: `${docs.base}/guides/c`, contentType: 'text/html', title: null });
    expect(new TextDecoder().decode(guideC?.bytes)).toContain('<h1>Guide C</h1>');
  });

  it('gives a redirected page the final URL', async () => {
    const docs = await site({
      '/old-pricing': redirect(301, '/pricing'),
      '/pricing': html('Pricing', []),
    });

    const { entries, end } = await list(connector({ url: `${docs.base}/old-pricing` }));

    const [only, ...rest] = documentsOf(entries);
    expect(rest).toEqual([]);
    expect(only?.url).toBe(`${docs.base}/pricing`);
    expect(only?.source).toBe(`${docs.base}/pricing`);
    expect(new TextDecoder().decode(only?.bytes)).toContain('<h1>Pricing</h1>');
    expect(end.complete).toBe(true);
    expect(docs.requests).toEqual(['GET /robots.txt', 'GET /old-pricing', 'GET /pricing']);
  });

  it('on the next listing, reports a page answering 404 as gone and leaves out a page no longer linked', async () => {
    let links = ['/a', '/b', '/c'];
    const docs = await site({
      '/': html('Home', () => links),
      '/a': html('A', []),
      '/b': html('B', []),
      '/c': html('C', []),
    });
    const source = connector({ url: `${docs.base}/` });

    const first = await list(source);
    expect(documentPaths(docs, first.entries)).toEqual(['/', '/a', '/b', '/c']);
    expect(first.end.complete).toBe(true);

    docs.routes.set('/a', text(404, 'text/html', '<h1>Not found</h1>'));
    links = ['/a', '/b'];
    docs.requests.length = 0;
    const second = await list(source);

    expect(documentPaths(docs, second.entries)).toEqual(['/', '/b']);
    expect(otherEntries(docs, second.entries)).toEqual([['gone', '/a']]);
    expect(second.end).toEqual({ complete: true, cursor: null });
    expect(docs.requests).not.toContain('GET /c');
  });

  it('reports a page answering 500 as failed, and the listing as incomplete', async () => {
    const docs = await site({
      '/': html('Home', ['/a', '/b']),
      '/a': html('A', []),
      '/b': text(500, 'text/plain', 'boom'),
    });

    const { entries, end } = await list(connector({ url: `${docs.base}/` }));

    expect(documentPaths(docs, entries)).toEqual(['/', '/a']);
    expect(otherEntries(docs, entries)).toEqual([['failed', '/b', 'upstream_unavailable']]);
    expect(end).toEqual({ complete: false, cursor: null });
  });

  it('reports a start URL answering 404 as failed, not gone, so a broken source deletes nothing', async () => {
    const docs = await site({ '/a': html('A', []) });

    const { entries, end } = await list(connector({ url: `${docs.base}/sitemap.xml` }));

    expect(otherEntries(docs, entries)).toEqual([['failed', '/sitemap.xml', 'not_found']]);
    expect(end.complete).toBe(false);
  });

  it('is incomplete when the site has more pages than maxPages', async () => {
    const docs = await site({
      '/': html('Home', ['/a', '/b', '/c']),
      '/a': html('A', []),
      '/b': html('B', []),
      '/c': html('C', []),
    });

    const { entries, end } = await list(connector({ url: `${docs.base}/`, maxPages: 2 }));

    expect(documentsOf(entries)).toHaveLength(2);
    expect(otherEntries(docs, entries)).toEqual([]);
    expect(end.complete).toBe(false);
  });

  it('is incomplete when robots.txt answers 503', async () => {
    const docs = await site({
      '/robots.txt': text(503, 'text/plain', 'maintenance'),
      '/': html('Home', ['/a']),
      '/a': html('A', []),
    });

    const { entries, end } = await list(connector({ url: `${docs.base}/` }));

    expect(documentsOf(entries)).toEqual([]);
    expect(otherEntries(docs, entries)).toEqual([['failed', '/robots.txt', 'upstream_unavailable']]);
    expect(end.complete).toBe(false);
    expect(docs.requests).toEqual(['GET /robots.txt']);
  });

  it('is incomplete when sitemaps nest deeper than the crawler reads', async () => {
    // index → index → index → index → urlset: the urlset is one level past the nesting limit.
    const docs = await site({
      '/sitemap_index.xml': sitemapIndex(['/level-1.xml']),
      '/level-1.xml': sitemapIndex(['/level-2.xml']),
      '/level-2.xml': sitemapIndex(['/level-3.xml']),
      '/level-3.xml': sitemapIndex(['/pages.xml']),
      '/pages.xml': urlset(['/a']),
      '/a': html('A', []),
    });

    const { entries, end } = await list(connector({ url: `${docs.base}/sitemap_index.xml` }));

    expect(documentsOf(entries)).toEqual([]);
    expect(docs.requests).not.toContain('GET /pages.xml');
    expect(end.complete).toBe(false);
  });

  it('fails a nested sitemap answering 404 instead of reporting it gone, so the pages it lists are kept', async () => {
    const docs = await site({
      '/sitemap_index.xml': sitemapIndex(['/pages-1.xml', '/pages-2.xml']),
      '/pages-1.xml': urlset(['/a']),
      '/a': html('A', []),
    });

    const { entries, end } = await list(connector({ url: `${docs.base}/sitemap_index.xml` }));

    expect(documentsOf(entries).map((document) => document.url)).toEqual([`${docs.base}/a`]);
    expect(entries.filter((entry) => entry.kind === 'gone')).toEqual([]);
    expect(entries).toContainEqual(expect.objectContaining({ kind: 'failed', source: `${docs.base}/pages-2.xml` }));
    expect(end.complete).toBe(false);
  });

  it('fetches the start page for its links but lists only pages its include and exclude patterns admit', async () => {
    const docs = await site({
      '/': html('Home', ['/docs/a', '/docs/internal/secret', '/blog/post', '/docs/b']),
      '/docs/a': html('Docs A', ['/docs/c']),
      '/docs/b': html('Docs B', []),
      '/docs/c': html('Docs C', []),
      '/docs/internal/secret': html('Internal', []),
      '/blog/post': html('Post', ['/docs/from-blog']),
      '/docs/from-blog': html('From the blog', []),
    });

    const { entries, end } = await list(connector({ url: `${docs.base}/`, include: ['/docs/*'], exclude: ['*/internal/*'] }));

    expect(documentPaths(docs, entries)).toEqual(['/docs/a', '/docs/b', '/docs/c']);
    expect(otherEntries(docs, entries)).toEqual([]);
    expect(end.complete).toBe(true);
    expect(docs.requests).toContain('GET /');
    expect(docs.requests).not.toContain('GET /docs/internal/secret');
    expect(docs.requests).not.toContain('GET /blog/post');
  });

  it('stops with an incomplete listing when the sync is aborted', async () => {
    const docs = await site({ '/': html('Home', []) });
    const controller = new AbortController();
    controller.abort();

    const { entries, end } = await list(connector({ url: `${docs.base}/` }), controller.signal);

    expect(entries).toEqual([]);
    expect(end).toEqual({ complete: false, cursor: null });
  });
});

describe('urlFilter', () => {
  const admits = (include: string[], exclude: string[], url: string) => urlFilter(include, exclude)(new URL(url));

  it('admits every URL without patterns', () => {
    expect(admits([], [], 'https://help.example.com/')).toBe(true);
    expect(admits([], [], 'https://help.example.com/anything/at/all?q=1')).toBe(true);
  });

  it('matches a pattern starting with / against the path only, from its start to its end', () => {
    expect(admits(['/docs/*'], [], 'https://help.example.com/docs/getting-started')).toBe(true);
    expect(admits(['/docs/*'], [], 'https://other.example.org/docs/a/b?lang=de')).toBe(true);
    expect(admits(['/docs/*'], [], 'https://help.example.com/blog/docs/a')).toBe(false);
    expect(admits(['/docs/*'], [], 'https://help.example.com/docs')).toBe(false);
    expect(admits(['/docs'], [], 'https://help.example.com/docs/a')).toBe(false);
  });

  it('matches any other pattern against the whole URL', () => {
    expect(admits(['https://help.example.com/en/*'], [], 'https://help.example.com/en/billing')).toBe(true);
    expect(admits(['https://help.example.com/en/*'], [], 'https://help.example.com/de/billing')).toBe(false);
    expect(admits(['https://help.example.com/en/*'], [], 'https://docs.example.com/en/billing')).toBe(false);
    expect(admits(['*?lang=en'], [], 'https://help.example.com/article?lang=en')).toBe(true);
    expect(admits(['*?lang=en'], [], 'https://help.example.com/article?lang=de')).toBe(false);
  });

  it('ignores case', () => {
    expect(admits(['/Docs/*'], [], 'https://help.example.com/DOCS/Setup')).toBe(true);
    expect(admits([], ['*/INTERNAL/*'], 'https://help.example.com/docs/internal/x')).toBe(false);
  });

  it('takes the other regular-expression characters literally', () => {
    expect(admits(['/v1.2/*'], [], 'https://help.example.com/v1.2/setup')).toBe(true);
    expect(admits(['/v1.2/*'], [], 'https://help.example.com/v1x2/setup')).toBe(false);
    expect(admits(['/a+b/(x)'], [], 'https://help.example.com/a+b/(x)')).toBe(true);
    expect(admits(['/a+b/(x)'], [], 'https://help.example.com/aab/x')).toBe(false);
  });

  it('answers at once for a pattern of many stars that a regular expression would backtrack on for minutes', () => {
    const pattern = `/${'*a'.repeat(40)}b`;
    const url = `https://help.example.com/${'a'.repeat(400)}`;
    expect(admits([pattern], [], url)).toBe(false);
    expect(admits([pattern], [], `${url}b`)).toBe(true);
    expect(admits(['/*/*/*-*'], [], 'https://help.example.com/docs/guide/set-up')).toBe(true);
    expect(admits(['/*/*/*-*'], [], 'https://help.example.com/docs/guide')).toBe(false);
  });

  it('needs one include pattern to match and no exclude pattern', () => {
    const filter = urlFilter(['/docs/*', '/guides/*'], ['*/internal/*', '/docs/drafts/*']);
    expect(filter(new URL('https://help.example.com/guides/a'))).toBe(true);
    expect(filter(new URL('https://help.example.com/docs/a'))).toBe(true);
    expect(filter(new URL('https://help.example.com/blog/a'))).toBe(false);
    expect(filter(new URL('https://help.example.com/docs/internal/a'))).toBe(false);
    expect(filter(new URL('https://help.example.com/docs/drafts/a'))).toBe(false);
    expect(urlFilter([], ['*/internal/*'])(new URL('https://help.example.com/blog/a'))).toBe(true);
  });
});
