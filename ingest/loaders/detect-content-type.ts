import { contentTypes } from './content-types.ts';
import { decodeText } from './decode-text.ts';
import { zipEntries } from './zip-entries.ts';

export interface ContentTypeProbe {
  /** The document's source; its extension decides when the content alone does not. */
  source: string;
  bytes: Uint8Array;
  /** A type the caller declared (upload header, API field): a hint, used when nothing better is known. */
  declared?: string | undefined;
}

const typeByExtension: Record<string, string> = {
  md: contentTypes.markdown,
  markdown: contentTypes.markdown,
  mdx: contentTypes.markdown,
  html: contentTypes.html,
  htm: contentTypes.html,
  xhtml: contentTypes.html,
  txt: contentTypes.plainText,
  text: contentTypes.plainText,
  csv: contentTypes.csv,
  pdf: contentTypes.pdf,
  docx: contentTypes.docx,
  xlsx: contentTypes.xlsx,
  xlsm: contentTypes.xlsx,
  pptx: contentTypes.pptx,
  odt: contentTypes.odt,
  ods: contentTypes.ods,
  odp: contentTypes.odp,
};

const aliasOfDeclared: Record<string, string> = {
  'text/x-markdown': contentTypes.markdown,
  'application/xhtml+xml': contentTypes.html,
  'application/csv': contentTypes.csv,
  'text/comma-separated-values': contentTypes.csv,
  'application/x-pdf': contentTypes.pdf,
};

/** Office files: zip archives, told apart by their main part or their `mimetype` entry. */
const zipDocumentTypes = new Set<string>([contentTypes.docx, contentTypes.xlsx, contentTypes.pptx, contentTypes.odt, contentTypes.ods, contentTypes.odp]);

// Names that promise a binary format: its parser, not detection, reports a file that is not one.
const binaryTypes = new Set<string>([contentTypes.pdf, ...zipDocumentTypes]);

/** Leading bytes of binary formats, so they are named (and an extra loader can claim them). */
const signatures: { type: string; parts: { offset: number; bytes: string | number[] }[] }[] = [
  { type: contentTypes.pdf, parts: [{ offset: 0, bytes: '%PDF-' }] },
  { type: 'image/png', parts: [{ offset: 0, bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] }] },
  { type: 'image/jpeg', parts: [{ offset: 0, bytes: [0xff, 0xd8, 0xff] }] },
  { type: 'image/gif', parts: [{ offset: 0, bytes: 'GIF8' }] },
  { type: 'image/tiff', parts: [{ offset: 0, bytes: [0x49, 0x49, 0x2a, 0x00] }] },
  { type: 'image/tiff', parts: [{ offset: 0, bytes: [0x4d, 0x4d, 0x00, 0x2a] }] },
  { type: 'image/webp', parts: [{ offset: 0, bytes: 'RIFF' }, { offset: 8, bytes: 'WEBP' }] },
  { type: 'image/heic', parts: [{ offset: 4, bytes: 'ftypheic' }] },
  { type: 'application/rtf', parts: [{ offset: 0, bytes: '{\\rtf' }] },
  { type: 'application/gzip', parts: [{ offset: 0, bytes: [0x1f, 0x8b] }] },
  { type: 'application/x-cfb', parts: [{ offset: 0, bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1] }] },
  { type: 'application/zip', parts: [{ offset: 0, bytes: 'PK\u0003\u0004' }] },
  { type: 'application/zip', parts: [{ offset: 0, bytes: 'PK\u0005\u0006' }] },
];

/** Office Open XML packages, told apart by their main part. */
const zipTypeByEntry: Record<string, string> = {
  'word/document.xml': contentTypes.docx,
  'xl/workbook.xml': contentTypes.xlsx,
  'ppt/presentation.xml': contentTypes.pptx,
};

/** Legacy Office files share one container format; only the name tells them apart. */
const compoundFileTypeByExtension: Record<string, string> = {
  doc: 'application/msword',
  xls: 'application/vnd.ms-excel',
  ppt: 'application/vnd.ms-powerpoint',
  msg: 'application/vnd.ms-outlook',
};

/**
 * What a file is, judged by its content first: magic bytes (PDF; a zip is a DOCX, XLSX
 * or PPTX only when it holds word/document.xml, xl/workbook.xml or ppt/presentation.xml,
 * an OpenDocument file when its `mimetype` entry says so; images and other binary formats are named so they
 * can be refused or given to an extra loader), then HTML sniffing, then the source's
 * extension, then the declared type; other text is text/plain. Returns null for bytes
 * that are neither a known binary format nor text (NUL bytes, invalid UTF-8).
 * Synchronous and cheap: it reads the first bytes and, for a zip, its directory.
 */
export function detectContentType({ source, bytes, declared }: ContentTypeProbe): string | null {
  const extension = extensionOf(source);
  const byName = typeByExtension[extension] ?? canonicalDeclared(declared);
  const magic = signatures.find(({ parts }) => parts.every((part) => startsWith(bytes, part.offset, part.bytes)));
  if (magic?.type === 'application/zip') {
    // A damaged zip named .docx (or .xlsx, .odt…) is a damaged Office file, for its parser to report.
    const named = byName !== undefined && zipDocumentTypes.has(byName) ? byName : undefined;
    return zipTypeOf(bytes, named) ?? named ?? magic.type;
  }
  if (magic?.type === 'application/x-cfb') return compoundFileTypeByExtension[extension] ?? magic.type;
  if (magic) return magic.type;

  const text = decodeText(bytes);
  if (text !== null && looksLikeHtml(text)) return contentTypes.html;
  if (byName !== undefined && binaryTypes.has(byName)) return byName;
  if (text === null) return null;
  return byName ?? contentTypes.plainText;
}

/** The type of a zip package, or null when its directory cannot be read. `named`: the Office type the file's name promises. */
function zipTypeOf(bytes: Uint8Array, named: string | undefined): string | null {
  // EPUB and OpenDocument name themselves in a first, uncompressed entry called "mimetype".
  if (startsWith(bytes, 30, 'mimetype')) {
    const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(18, true);
    const named = new TextDecoder().decode(bytes.subarray(38, 38 + Math.min(length, 100)));
    if (/^application\/[\w.+-]+$/.test(named)) return named;
  }
  const entries = zipEntries(bytes);
  if (entries === null) return null;
  const names = new Set(entries.map((entry) => entry.name));
  for (const [entry, type] of Object.entries(zipTypeByEntry)) if (names.has(entry)) return type;
  // An OpenDocument file rewritten by a zip tool may have compressed or moved its mimetype entry.
  if (named !== undefined && named.startsWith('application/vnd.oasis.opendocument.') && names.has('content.xml')) return named;
  return 'application/zip';
}

function startsWith(bytes: Uint8Array, offset: number, expected: string | number[]): boolean {
  const codes = typeof expected === 'string' ? [...expected].map((character) => character.charCodeAt(0)) : expected;
  return bytes.length >= offset + codes.length && codes.every((code, index) => bytes[offset + index] === code);
}

function extensionOf(source: string): string {
  const path = source.replace(/[?#].*$/, '');
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

function canonicalDeclared(declared: string | undefined): string | undefined {
  const mime = declared?.split(';')[0]?.trim().toLowerCase();
  if (!mime || mime === 'application/octet-stream') return undefined;
  return aliasOfDeclared[mime] ?? mime;
}

// The start of a document, past a BOM, whitespace, an XML prolog and comments.
const htmlStart = /^\uFEFF?\s*(?:<\?xml[^>]*>\s*)?(?:<!--[\s\S]*?-->\s*)*<(?:!doctype\s+html|html)[\s>]/i;

function looksLikeHtml(text: string): boolean {
  return htmlStart.test(text.slice(0, 4096));
}
