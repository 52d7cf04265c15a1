import { XMLParser } from 'fast-xml-parser';

/** What a sitemap lists: page URLs (`<urlset>`) or further sitemaps (`<sitemapindex>`). */
export type Sitemap = { kind: 'urlset'; urls: string[] } | { kind: 'sitemapindex'; sitemaps: string[] };

const parser = new XMLParser({
  ignoreAttributes: true,
  // Some generators write <sm:urlset xmlns:sm="…">; the protocol's names are what matter.
  removeNSPrefix: true,
  // A <loc> must stay a string even when it looks like a number.
  parseTagValue: false,
  isArray: (name) => name === 'url' || name === 'sitemap',
});

/**
 * Reads a sitemap (sitemaps.org protocol 0.9) from its XML text; null when the text is
 * not a sitemap (not XML, or neither `<urlset>` nor `<sitemapindex>` at the root).
 * Entries without a usable `<loc>` are skipped.
 */
export function parseSitemap(xml: string): Sitemap | null {
  let document: unknown;
  try {
    document = parser.parse(xml);
  } catch {
    return null;
  }
  if (!isRecord(document)) return null;
  if (isRecord(document.urlset) || document.urlset === '') {
    return { kind: 'urlset', urls: locations(isRecord(document.urlset) ? document.urlset.url : undefined) };
  }
  if (isRecord(document.sitemapindex) || document.sitemapindex === '') {
    const entries = isRecord(document.sitemapindex) ? document.sitemapindex.sitemap : undefined;
    return { kind: 'sitemapindex', sitemaps: locations(entries) };
  }
  return null;
}

function locations(entries: unknown): string[] {
  if (!Array.isArray(entries)) return [];
  return entries
    .map((entry) => (isRecord(entry) && typeof entry.loc === 'string' ? entry.loc.trim() : ''))
    .filter((location) => location !== '');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
