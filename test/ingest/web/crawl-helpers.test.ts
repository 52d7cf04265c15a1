import { describe, expect, it } from 'vitest';
import { isPrivateHost, normalizeUrl } from '../../../ingest/web/index.ts';
import { extractLinks } from '../../../ingest/web/extract-links.ts';
import { parseSitemap } from '../../../ingest/web/parse-sitemap.ts';

describe('isPrivateHost', () => {
  it.each([
    'http://127.0.0.1/',
    'http://127.8.9.10/',
    'http://2130706433/', // 127.0.0.1 as one number
    'http://0x7f.1/',
    'http://10.0.0.5/',
    'http://172.16.0.1/',
    'http://172.31.255.255/',
    'http://192.168.0.10/',
    'http://169.254.169.254/latest/meta-data',
    'http://100.64.0.1/',
    'http://0.0.0.0/',
    'http://localhost:8787/',
    'http://api.localhost/',
    'http://[::1]/',
    'http://[::]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[fd12:3456::1]/',
    'http://[fe80::1]/',
    // IPv6 forms that carry an IPv4 address and route to it
    'http://[::127.0.0.1]/', // IPv4-compatible
    'http://[::ffff:0:127.0.0.1]/', // IPv4-translated
    'http://[64:ff9b::127.0.0.1]/', // NAT64
    'http://[64:ff9b:1::a9fe:a9fe]/', // local-use NAT64 to 169.254.169.254
    'http://[2002:7f00:1::]/', // 6to4 of 127.0.0.1
    'http://[2002:c0a8:1::1]/', // 6to4 of 192.168.0.1
    'http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/', // Teredo, client 127.0.0.1
  ])('refuses %s', (url) => {
    expect(isPrivateHost(new URL(url).hostname)).toBe(true);
  });

  it.each([
    'https://help.example.com/',
    'http://8.8.8.8/',
    'http://172.32.0.1/',
    'http://192.169.0.1/',
    'http://[2606:4700::1111]/',
    'http://[::ffff:8.8.8.8]/',
    'http://[64:ff9b::8.8.8.8]/',
    'http://[2002:808:808::1]/', // 6to4 of 8.8.8.8
    'http://localhost.example.com/',
  ])('allows %s', (url) => {
    expect(isPrivateHost(new URL(url).hostname)).toBe(false);
  });
});

describe('normalizeUrl', () => {
  it('drops the fragment and an empty query, keeps the query, and canonicalises host and port', () => {
    expect(normalizeUrl('HTTPS://Help.Example.COM:443/a/b?x=1#top')).toBe('https://help.example.com/a/b?x=1');
    expect(normalizeUrl('http://help.example.com?#')).toBe('http://help.example.com/');
  });
});

describe('extractLinks', () => {
  it('resolves hrefs against the page or its <base>, drops fragments and repeats, and skips unparsable hrefs', () => {
    const html = `<html><head><base href="https://help.example.com/docs/"></head><body>
      <a href="billing">Billing</a>
      <a href="billing#refunds">Refunds</a>
      <a href="/faq?lang=en">FAQ</a>
      <a href="mailto:help@example.com">Mail</a>
      <a href="http://[bad">Bad</a>
      <a>no href</a>
    </body></html>`;
    expect(extractLinks(html, new URL('https://other.example.com/page')).map((url) => url.href)).toEqual([
      'https://help.example.com/docs/billing',
      'https://help.example.com/faq?lang=en',
      'mailto:help@example.com',
    ]);
  });
});

describe('parseSitemap', () => {
  it('reads a urlset, decoding entities and ignoring entries without <loc>', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
      <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
        <url><loc> https://help.example.com/search?q=a&amp;page=2 </loc><lastmod>2024-01-01</lastmod></url>
        <url><loc>https://help.example.com/12345</loc></url>
        <url><lastmod>2024-01-01</lastmod></url>
      </urlset>`;
    expect(parseSitemap(xml)).toEqual({
      kind: 'urlset',
      urls: ['https://help.example.com/search?q=a&page=2', 'https://help.example.com/12345'],
    });
  });

  it('reads a sitemap index, also with a namespace prefix, and a single entry', () => {
    const xml = `<sm:sitemapindex xmlns:sm="http://www.sitemaps.org/schemas/sitemap/0.9">
        <sm:sitemap><sm:loc>https://help.example.com/sitemap-1.xml</sm:loc></sm:sitemap>
      </sm:sitemapindex>`;
    expect(parseSitemap(xml)).toEqual({ kind: 'sitemapindex', sitemaps: ['https://help.example.com/sitemap-1.xml'] });
  });

  it('answers null for what is not a sitemap', () => {
    expect(parseSitemap('<rss><channel/></rss>')).toBeNull();
    expect(parseSitemap('<!doctype html><html><body>hi</body></html>')).toBeNull();
    expect(parseSitemap('plain text')).toBeNull();
  });
});
