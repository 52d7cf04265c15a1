import type { Loader, LoaderInput, ParsedDocument } from '../../src/core/index.ts';
import { contentTypes } from './content-types.ts';
import { decodeText } from './decode-text.ts';
import { dataUriOcrTargets, type EmbeddedImageOptions } from './embedded-image.ts';
import { htmlToDocument } from './html-to-document.ts';
import { unparseable } from './unparseable.ts';

/**
 * An HTML page's main content; navigation, headers, footers, sidebars, scripts and
 * forms are left out. `metadata.description` is the page's meta description. With
 * `embeddedImages`, its data: URI pictures are left for OCR.
 */
export function createHtmlLoader({ embeddedImages = false }: EmbeddedImageOptions = {}): Loader {
  return {
    contentTypes: [contentTypes.html],
    async load({ source, bytes }: LoaderInput): Promise<ParsedDocument> {
      const html = decodeText(bytes);
      if (html === null) throw unparseable(source, 'HTML', 'not UTF-8 text');
      // A relative canonical link resolves against the page's own URL, when it was crawled.
      const baseUrl = /^https?:\/\//i.test(source) ? source : undefined;
      const { images, ...page } = htmlToDocument(html, baseUrl);
      const ocrTargets = embeddedImages ? dataUriOcrTargets(images) : [];
      return { ...page, contentType: contentTypes.html, ...(ocrTargets.length > 0 ? { ocrTargets } : {}) };
    },
  };
}
