import { Buffer } from 'node:buffer';
import type { Loader, LoaderInput, ParsedDocument } from '../../src/core/index.ts';
import { OrioleError } from '../../src/core/index.ts';
import { contentTypes } from './content-types.ts';
import { htmlToDocument } from './html-to-document.ts';
import { unparseable } from './unparseable.ts';
import { zipEntries } from './zip-entries.ts';

/** Bounds on what a DOCX (a zip archive) may expand to, checked before anything is decompressed. */
export interface DocxLimits {
  /** Most bytes the archive's entries may declare uncompressed, in total. */
  maxUncompressedBytes: number;
  /** Highest ratio of declared uncompressed to compressed bytes over the whole archive. */
  maxCompressionRatio: number;
}

/** Text-heavy Word files compress about 5–15 times; a zip bomb compresses about 1000 times. */
export const defaultDocxLimits: DocxLimits = {
  maxUncompressedBytes: 50 * 1024 * 1024,
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
      checkArchive(source, bytes, limits);
      let html: string;
      try {
        // mammoth is loaded on first use, like pdf.js: most runs never see a DOCX.
        const { default: mammoth } = await import('mammoth');
        const result = await mammoth.convertToHtml(
          // mammoth's Node build reads only `buffer` (`arrayBuffer` is its browser build's input).
          { buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) },
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

function checkArchive(source: string, bytes: Uint8Array, limits: DocxLimits): void {
  const entries = zipEntries(bytes);
  if (entries === null) throw unparseable(source, 'DOCX', 'the zip archive is truncated or damaged');
  const uncompressed = entries.reduce((total, entry) => total + entry.uncompressedSize, 0);
  const compressed = entries.reduce((total, entry) => total + entry.compressedSize, 0);
  if (uncompressed > limits.maxUncompressedBytes) {
    throw new OrioleError(
      'payload_too_large',
      `${source} expands to ${megabytes(uncompressed)}, more than the ${megabytes(limits.maxUncompressedBytes)} a Word file may`,
      { details: { source, limit: 'maxUncompressedBytes', value: uncompressed, maximum: limits.maxUncompressedBytes } },
    );
  }
  const ratio = Math.round(uncompressed / Math.max(compressed, 1));
  if (ratio > limits.maxCompressionRatio) {
    throw new OrioleError(
      'payload_too_large',
      `${source} is compressed ${ratio}:1, beyond the ${limits.maxCompressionRatio}:1 a Word file may be; it looks like a zip bomb`,
      { details: { source, limit: 'maxCompressionRatio', value: ratio, maximum: limits.maxCompressionRatio } },
    );
  }
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
