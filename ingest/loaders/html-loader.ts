import type { Loader, LoaderInput, ParsedDocument } from '../../src/core/index.ts';
import { contentTypes } from './content-types.ts';
import { decodeText } from './decode-text.ts';
import { htmlToDocument } from './html-to-document.ts';
import { unparseable } from './unparseable.ts';

/**
 * An HTML page's main content; navigation, headers, footers, sidebars, scripts and
 * forms are left out. `metadata.description` is the page's meta description.
 */
export const htmlLoader: Loader = {
  contentTypes: [contentTypes.html],
  async load({ source, bytes }: LoaderInput): Promise<ParsedDocument> {
    const html = decodeText(bytes);
    if (html === null) throw unparseable(source, 'HTML', 'not UTF-8 text');
    // A relative canonical link resolves against the page's own URL, when it was crawled.
    const baseUrl = /^https?:\/\//i.test(source) ? source : undefined;
    return { ...htmlToDocument(html, baseUrl), contentType: contentTypes.html };
  },
};
