import type { Loader, LoaderInput, ParsedDocument } from '../../src/core/index.ts';
import { collapseWhitespace } from './collapse-whitespace.ts';
import { contentTypes } from './content-types.ts';
import { decodeText } from './decode-text.ts';
import { unparseable } from './unparseable.ts';

/** Plain text: one paragraph per run of lines between blank lines; no title. */
export const textLoader: Loader = {
  contentTypes: [contentTypes.plainText],
  async load({ source, bytes }: LoaderInput): Promise<ParsedDocument> {
    const text = decodeText(bytes);
    if (text === null) throw unparseable(source, 'text', 'not UTF-8 text');
    const paragraphs = text
      .split(/\r?\n[ \t]*(?:\r?\n[ \t]*)+/)
      .map(collapseWhitespace)
      .filter((paragraph) => paragraph !== '');
    return {
      title: null,
      contentType: contentTypes.plainText,
      blocks: paragraphs.map((paragraph) => ({ kind: 'paragraph', text: paragraph })),
      metadata: {},
    };
  },
};
