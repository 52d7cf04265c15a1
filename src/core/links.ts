/**
 * Links Oriole hands to a client: a document's `url`, a citation's, a link in an answer.
 * Only absolute `http:` and `https:` URLs are links. Any other scheme (`javascript:`,
 * `data:`, `file:`, `vbscript:`, `mailto:`) or a relative reference can run script or
 * reach the reader's machine when a widget renders it, so it is refused at ingest and
 * never served, even from a document stored before this rule existed.
 */

/** Whether `url` is an absolute http(s) URL. */
export function isWebUrl(url: string): boolean {
  // The WHATWG parser strips the tabs, newlines and leading control characters browsers ignore ("java\tscript:").
  if (!URL.canParse(url)) return false;
  const { protocol } = new URL(url);
  return protocol === 'http:' || protocol === 'https:';
}

/** `url` when it is an http(s) URL, else null: the one filter every served document, passage and citation url goes through. */
export function webUrlOrNull(url: string | null | undefined): string | null {
  return typeof url === 'string' && isWebUrl(url) ? url : null;
}

/**
 * Where a passage is on the web: its document's url with the fragment that lands on it,
 * `#page=N` for a paged document (N its first page; PDF viewers open there), else its
 * section's anchor (`#usage`). A fragment the document's url already has is replaced;
 * without a section or page the url is left as it is, and a document with no web url
 * gets no link at all.
 */
export function passageUrl(documentUrl: string | null | undefined, place: { anchor?: string | null; pages?: readonly number[] }): string | null {
  const url = webUrlOrNull(documentUrl);
  if (url === null) return null;
  const page = place.pages?.[0];
  const fragment = page !== undefined ? `page=${page}` : place.anchor;
  if (fragment === undefined || fragment === null || fragment === '') return url;
  const link = new URL(url);
  link.hash = fragment;
  return link.href;
}
