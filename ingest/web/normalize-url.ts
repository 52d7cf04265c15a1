/**
 * The canonical form of a page URL, used both to fetch each page once and as the
 * document's `source`: the fragment is dropped (it names a place in the same page),
 * an empty query's `?` goes; WHATWG parsing already lower-cases the scheme and host,
 * drops default ports and gives an empty path its `/`. The query itself is kept:
 * on many help sites it selects the article.
 */
export function normalizeUrl(url: URL | string): string {
  const copy = new URL(url);
  copy.hash = '';
  if (copy.search === '') copy.search = '';
  return copy.href;
}
