import { Buffer } from 'node:buffer';
import type { Loader, LoaderInput, ParsedDocument } from '../../src/core/index.ts';
import { contentTypes } from './content-types.ts';
import { htmlToDocument } from './html-to-document.ts';
import { defaultOfficeArchiveLimits, inflateOfficeMembers, type OfficeArchiveLimits } from './office-archive.ts';
import { unparseable } from './unparseable.ts';

/** Bounds on what a DOCX (a zip archive) may inflate to: those of every Office file. */
export type DocxLimits = OfficeArchiveLimits;
export const defaultDocxLimits: DocxLimits = defaultOfficeArchiveLimits;

// Word's "Title" style is the document title, not body text.
const styleMap = ["p[style-name='Title'] => h1:fresh"];

/**
 * Word (.docx) through mammoth's semantic HTML, then the HTML path, so headings, lists
 * and tables survive. Title: the first heading. Images become their alt text.
 */
export function createDocxLoader(limits: DocxLimits = defaultDocxLimits): Loader {
  return {
    contentTypes: [contentTypes.docx],
    async load({ source, bytes }: LoaderInput): Promise<ParsedDocument> {
      const members = inflateOfficeMembers(source, 'DOCX', bytes, limits);
      let html: string;
      try {
        // mammoth is loaded on first use, like pdf.js: most runs never see a DOCX.
        const { default: mammoth } = await import('mammoth');
        const result = await mammoth.convertToHtml(
          // The members inflated within budget, so mammoth (and JSZip under it) never
          // inflates anything itself. `file` is the zip it opens (lib/unzip.js); its
          // type declarations list only `path`, `buffer` and `arrayBuffer`.
          { file: inflatedZip(members) } as unknown as { buffer: Buffer },
          {
            styleMap,
            // Linked files outside the document are never read.
            externalFileAccess: false,
            // Only the alt text is kept, so the image bytes are not base64-encoded for nothing.
            convertImage: mammoth.images.imgElement(async () => ({ src: '' })),
          },
        );
        html = result.value;
      } catch (error) {
        throw unparseable(source, 'DOCX', error);
      }
      const { blocks } = htmlToDocument(html);
      const firstHeading = blocks.find((block) => block.kind === 'heading');
      return {
        title: firstHeading?.kind === 'heading' ? firstHeading.text : null,
        contentType: contentTypes.docx,
        blocks,
        metadata: {},
      };
    },
  };
}

/** The zip interface mammoth reads (lib/zipfile.js), over members already inflated. */
function inflatedZip(members: Map<string, Uint8Array>) {
  return {
    exists: (name: string) => members.has(name),
    async read(name: string, encoding?: string) {
      const member = members.get(name);
      if (member === undefined) throw new Error(`${name} is missing from the archive`);
      if (encoding === 'base64') return Buffer.from(member).toString('base64');
      return encoding ? new TextDecoder(encoding).decode(member) : member;
    },
    write(name: string, contents: string | Uint8Array) {
      members.set(name, typeof contents === 'string' ? new TextEncoder().encode(contents) : contents);
    },
    toArrayBuffer: () => Promise.reject(new Error('not supported')),
  };
}
