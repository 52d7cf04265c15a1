import { fromHtml } from 'hast-util-from-html';
import { select, selectAll } from 'hast-util-select';

/**
 * The targets of a page's `<a href>` links, resolved against the page URL (or its
 * `<base href>`), without fragments, in document order and without repeats. Hrefs
 * that do not parse as URLs are left out; filtering by scheme, host and kind is the
 * crawler's job, so it can count what it skipped.
 */
export function extractLinks(html: string, pageUrl: URL): URL[] {
  const tree = fromHtml(html);
  const base = resolve(stringProperty(select('base[href]', tree)?.properties.href), pageUrl) ?? pageUrl;
  const links = new Map<string, URL>();
  for (const anchor of selectAll('a[href]', tree)) {
    const target = resolve(stringProperty(anchor.properties.href), base);
    if (!target) continue;
    target.hash = '';
    if (!links.has(target.href)) links.set(target.href, target);
  }
  return [...links.values()];
}

function stringProperty(value: unknown): string | undefined {
  return typeof value === 'string' ? value.trim() : undefined;
}

function resolve(href: string | undefined, base: URL): URL | null {
  if (href === undefined || href === '') return null;
  try {
    return new URL(href, base);
  } catch {
    return null;
  }
}
