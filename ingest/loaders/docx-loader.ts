import { Buffer } from 'node:buffer';
import type { Loader, LoaderInput, ParsedDocument } from '../../src/core/index.ts';
import { contentTypes } from './content-types.ts';
import {
  embeddedOcrTargets,
  isEmbeddedImageWorthReading,
  maxEmbeddedImagesPerDocument,
  type EmbeddedImageOptions,
  type EmbeddedPicture,
} from './embedded-image.ts';
import { htmlToDocument } from './html-to-document.ts';
import type { BlockImage } from './mdast-to-blocks.ts';
import { defaultOfficeArchiveLimits, inflateOfficeMembers, type OfficeArchiveLimits } from './office-archive.ts';
import { unparseable } from './unparseable.ts';

/** Bounds on what a DOCX (a zip archive) may inflate to: those of every Office file. */
export type DocxLimits = OfficeArchiveLimits;
export const defaultDocxLimits: DocxLimits = defaultOfficeArchiveLimits;

// Word's "Title" style is the document title, not body text.
const styleMap = ["p[style-name='Title'] => h1:fresh"];

/**
 * Word (.docx) through mammoth's semantic HTML, then the HTML path, so headings, lists
 * and tables survive. Title: the first heading. Images become their alt text; with
 * `embeddedImages`, the PNG, JPEG and WebP ones are also left for OCR at their place.
 */
export function createDocxLoader(limits: DocxLimits = defaultDocxLimits, { embeddedImages = false }: EmbeddedImageOptions = {}): Loader {
  return {
    contentTypes: [contentTypes.docx],
    async load({ source, bytes }: LoaderInput): Promise<ParsedDocument> {
      const members = inflateOfficeMembers(source, 'DOCX', bytes, limits);
      const pictures: Uint8Array[] = [];
      const html = await docxToHtml(source, members, embeddedImages ? pictures : undefined);
      const { blocks, images } = htmlToDocument(html);
      const ocrTargets = embeddedImages ? embeddedOcrTargets(picturesAmong(images, pictures)) : [];
      const firstHeading = blocks.find((block) => block.kind === 'heading');
      return {
        title: firstHeading?.kind === 'heading' ? firstHeading.text : null,
        contentType: contentTypes.docx,
        blocks,
        metadata: {},
        ...(ocrTargets.length > 0 ? { ocrTargets } : {}),
      };
    },
  };
}

/** With `keptPictures`, the pictures worth reading are kept there and named in the HTML by their index. */
async function docxToHtml(source: string, members: Map<string, Uint8Array>, keptPictures: Uint8Array[] | undefined): Promise<string> {
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
        // Without OCR only the alt text is kept, so the image bytes are not base64-encoded for nothing.
        convertImage: mammoth.images.imgElement(keptPictures ? keepingPictures(keptPictures) : async () => ({ src: '' })),
      },
    );
    return result.value;
  } catch (error) {
    throw unparseable(source, 'DOCX', error);
  }
}

// Not a URL scheme anything resolves: the picture's index in the loader's list, so the
// HTML path reports where among the blocks each one landed.
const pictureSrcPrefix = 'oriole-image:';

/**
 * mammoth converts pictures one at a time in document order, so once enough are kept
 * the rest are not even read; the ones not worth reading are dropped at once.
 */
function keepingPictures(kept: Uint8Array[]) {
  return async (image: { read(): Promise<Buffer> }) => {
    if (kept.length === maxEmbeddedImagesPerDocument) return { src: '' };
    // A linked picture (outside the file) cannot be read; it keeps its alt text like any other.
    const bytes = await image.read().catch(() => undefined);
    if (bytes === undefined || !isEmbeddedImageWorthReading(bytes)) return { src: '' };
    return { src: `${pictureSrcPrefix}${kept.push(bytes) - 1}` };
  };
}

function* picturesAmong(images: readonly BlockImage[], kept: readonly Uint8Array[]): Generator<EmbeddedPicture> {
  for (const { url, alt, position } of images) {
    if (!url.startsWith(pictureSrcPrefix)) continue;
    yield { bytes: kept[Number(url.slice(pictureSrcPrefix.length))], alt, position };
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
