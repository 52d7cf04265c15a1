import { Buffer } from 'node:buffer';
import type { Loader, LoaderInput, ParsedDocument } from '../../src/core/index.ts';
import { contentTypes } from './content-types.ts';
import { htmlToDocument } from './html-to-document.ts';
import { createInflateBudget } from './inflate-budget.ts';
import { unparseable } from './unparseable.ts';
import { readZipMembers, ZipReadError } from './zip-entries.ts';

/** Bounds on what a DOCX (a zip archive) may inflate to, counted while inflating. */
export interface DocxLimits {
  /** Most bytes its members may inflate to, in total (ORIOLE_MAX_DECOMPRESSED_MB). */
  maxDecompressedBytes: number;
  /** Most bytes inflated per byte of the archive: a tiny file that inflates enormously is a bomb at any total. */
  maxCompressionRatio: number;
}

/** Text-heavy Word files compress about 5–15 times; a zip bomb compresses about 1000 times. */
export const defaultDocxLimits: DocxLimits = {
  maxDecompressedBytes: 100 * 1024 * 1024,
  maxCompressionRatio: 100,
};

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
      const members = inflateArchive(source, bytes, limits);
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

function inflateArchive(source: string, bytes: Uint8Array, limits: DocxLimits): Map<string, Uint8Array> {
  const byRatio = limits.maxCompressionRatio * bytes.byteLength;
  const budget = createInflateBudget({
    source,
    maxBytes: Math.min(limits.maxDecompressedBytes, byRatio),
    limit: byRatio < limits.maxDecompressedBytes ? 'maxCompressionRatio' : 'maxDecompressedBytes',
  });
  try {
    return readZipMembers(bytes, budget);
  } catch (error) {
    if (error instanceof ZipReadError) throw unparseable(source, 'DOCX', error);
    throw error;
  }
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
