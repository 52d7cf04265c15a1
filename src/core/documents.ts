/**
 * What loaders produce and the chunker consumes: a document as a flat sequence of
 * structural blocks. Every format (Markdown, HTML, PDF, DOCX, CSV, Unstructured
 * elements) is mapped to these, so chunking is written once.
 */

/**
 * The largest document accepted by default, in bytes (docs/limits.md): the HTTP upload
 * refuses a larger file before reading it, the ingest pipeline any larger input.
 */
export const defaultMaxDocumentBytes = 25 * 1024 * 1024;

/**
 * What to do with a file of a type Oriole recognises but does not parse itself, for the
 * refusal's message; undefined for other types. Legacy (binary, pre-2007) Office files
 * are read only by the Unstructured API loader.
 */
export function unsupportedTypeAdvice(contentType: string): string | undefined {
  if (ocrImageTypes.includes(contentType)) return 'an image, which Oriole reads only with OCR on; set ORIOLE_OCR=scanned (the default) or all';
  const legacy = legacyOfficeFormats[contentType];
  return legacy && `${legacy.what}; save it as ${legacy.modern}, or set UNSTRUCTURED_API_URL to have the Unstructured API parse it`;
}

/** Image files ingested as documents when OCR is on: screenshots and scans. */
export const ocrImageTypes: readonly string[] = ['image/png', 'image/jpeg', 'image/webp'];

const legacyOfficeFormats: Record<string, { what: string; modern: string }> = {
  'application/msword': { what: 'a Word 97–2003 file (.doc)', modern: '.docx' },
  'application/vnd.ms-excel': { what: 'an Excel 97–2003 file (.xls)', modern: '.xlsx' },
  'application/vnd.ms-powerpoint': { what: 'a PowerPoint 97–2003 file (.ppt)', modern: '.pptx' },
};

interface BlockBase {
  /** 1-based page of a paged format (PDF), kept so citations can name the page. */
  page?: number;
}

export type Block =
  | (BlockBase & {
      kind: 'heading';
      level: number;
      text: string;
      /**
       * The heading's anchor on the published page, for citation fragments: the id the
       * source declares (`## Usage {#usage}`, an HTML heading's `id`), else for Markdown
       * the slug the site's generator gives it (see `assignHeadingAnchors` in ingest/loaders).
       */
      anchor?: string;
    })
  | (BlockBase & { kind: 'paragraph'; text: string })
  | (BlockBase & { kind: 'list'; ordered: boolean; items: string[] })
  | (BlockBase & { kind: 'code'; text: string; language?: string })
  | (BlockBase & { kind: 'table'; header: string[] | null; rows: string[][] });

export interface ParsedDocument {
  /** From front matter, <title>/<h1>, PDF/DOCX properties or the first heading; null when none. */
  title: string | null;
  /** The canonical MIME type the document was parsed as, e.g. 'text/markdown'. */
  contentType: string;
  blocks: Block[];
  /** Format-specific facts worth keeping (front matter, PDF page count, …); JSON-serialisable. */
  metadata: Record<string, unknown>;
  /** A canonical URL when the document names one (front matter `url`, <link rel=canonical>). */
  url?: string | null;
  /**
   * Pictures whose text only OCR can read, left for the OCR stage (ingest/ocr), which
   * recognises them and adds their text as blocks, or leaves them when OCR is off.
   */
  ocrTargets?: OcrTarget[];
}

export type OcrTarget =
  /** A page of the PDF with no text layer (a scan), to be rendered and recognised. */
  | { kind: 'pdf_page'; page: number }
  /** The file itself is the picture (a PNG screenshot, a JPEG scan). */
  | { kind: 'image_file' }
  /** A picture inside the document (a DOCX's screenshot); its text goes after `position` blocks. */
  | { kind: 'embedded'; bytes: Uint8Array; position: number; alt?: string; url?: string };

export interface LoaderInput {
  /** The document's identity within its KB: a relative POSIX path, a URL or an API-given name. */
  source: string;
  bytes: Uint8Array;
  /** A declared type (upload header, API field); detection by content may override a wrong one. */
  contentType?: string;
}

/** One format's parser. Loaders are pure: bytes in, blocks out, no I/O. */
export interface Loader {
  /** MIME types this loader parses. */
  readonly contentTypes: readonly string[];
  load(input: LoaderInput): Promise<ParsedDocument>;
}
