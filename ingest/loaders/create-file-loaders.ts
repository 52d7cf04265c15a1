import type { Loader, LoaderInput, ParsedDocument } from '../../src/core/index.ts';
import { isOrioleError, OrioleError, unsupportedTypeAdvice } from '../../src/core/index.ts';
import { contentTypes } from './content-types.ts';
import { csvLoader } from './csv-loader.ts';
import { detectContentType } from './detect-content-type.ts';
import { createDocxLoader } from './docx-loader.ts';
import { createHtmlLoader } from './html-loader.ts';
import { imageLoader } from './image-loader.ts';
import { createMarkdownLoader } from './markdown-loader.ts';
import { createOdfLoader } from './odf-loader.ts';
import { defaultOfficeArchiveLimits } from './office-archive.ts';
import { createPdfLoader } from './pdf-loader.ts';
import { createPptxLoader } from './pptx-loader.ts';
import { textLoader } from './text-loader.ts';
import { createXlsxLoader } from './xlsx-loader.ts';

/** Parses a document of a built-in type somewhere else; the type is already detected. */
export type BuiltInParser = (input: LoaderInput & { contentType: string }) => Promise<ParsedDocument>;

export interface FileLoaderOptions {
  /**
   * Most bytes one document may inflate to (Office files' zip members, PDF streams), counted while
   * inflating (ORIOLE_MAX_DECOMPRESSED_MB); 100 MB when unset.
   */
  maxDecompressedBytes?: number;
  /**
   * Runs the built-in loaders elsewhere: the parse pool's worker threads, so a hostile
   * file never parses on the caller's thread. Unset: they run here (the pool's worker
   * itself, tests of the loaders).
   */
  isolate?: BuiltInParser;
  /**
   * Loaders for further types, such as the Unstructured API loader. The built-in
   * loaders keep the types they parse; an extra loader serves the others.
   */
  extraLoaders?: readonly Loader[];
  /**
   * Reads the pictures a loader left in `ocrTargets` (the OCR stage, ingest/ocr). Set:
   * image files are documents too. Unset with `isolate` (ORIOLE_OCR=off): the targets are
   * dropped, so a scanned PDF has no text. Unset without (a parse-pool thread): they are
   * handed back with the document for the caller's OCR stage.
   */
  recognize?: (document: ParsedDocument, input: LoaderInput) => Promise<ParsedDocument>;
  /**
   * The built-in loaders leave pictures inside documents (a DOCX's screenshots, data:
   * URIs in HTML and Markdown) as `embedded` OCR targets, for ORIOLE_OCR=all; false by
   * default, so their bytes are not copied for nothing. With `isolate` it is the parse
   * pool's own `embeddedImages` that counts, since the loaders run there.
   */
  embeddedImages?: boolean;
}

export interface FileLoaders {
  /** Every type some loader parses, the built-in ones first. */
  readonly contentTypes: readonly string[];
  supports(contentType: string): boolean;
  /**
   * Detects the type by content (`input.contentType` is only a hint) and parses with
   * the loader for it. Fails with `unsupported_media_type` for a type no loader parses,
   * `invalid_request` for a file its parser rejects, `decompression_limit` for a
   * decompression bomb, `document_too_complex` for a PDF claiming too many pages, a
   * spreadsheet of too many cells (and, isolated, for a parse past its time or heap budget).
   */
  load(input: LoaderInput): Promise<ParsedDocument>;
}

/** The types Oriole parses itself, without extra loaders. */
export const supportedContentTypes: readonly string[] = Object.values(contentTypes);

export function createFileLoaders(options: FileLoaderOptions = {}): FileLoaders {
  const maxDecompressedBytes = options.maxDecompressedBytes ?? defaultOfficeArchiveLimits.maxDecompressedBytes;
  const officeLimits = { ...defaultOfficeArchiveLimits, maxDecompressedBytes };
  const pictures = { embeddedImages: options.embeddedImages ?? false };
  const inThisThread = [
    createMarkdownLoader(pictures),
    createHtmlLoader(pictures),
    textLoader,
    csvLoader,
    createPdfLoader({ maxDecompressedBytes }),
    createDocxLoader(officeLimits, pictures),
    createXlsxLoader(officeLimits),
    createPptxLoader(officeLimits),
    createOdfLoader(officeLimits),
  ];
  const { isolate } = options;
  const builtIn = isolate ? inThisThread.map((loader) => isolated(loader, isolate)) : inThisThread;
  // An image has nothing to parse, so it needs no isolation: its bytes go to OCR as they are.
  const forOcr = options.recognize ? [imageLoader] : [];
  const loaderByType = new Map<string, Loader>();
  for (const loader of [...builtIn, ...forOcr, ...(options.extraLoaders ?? [])]) {
    for (const contentType of loader.contentTypes) {
      const key = canonical(contentType);
      if (!loaderByType.has(key)) loaderByType.set(key, loader);
    }
  }
  const known = [...loaderByType.keys()];

  return {
    contentTypes: known,
    supports: (contentType) => loaderByType.has(canonical(contentType)),
    async load(input) {
      const { source } = input;
      const contentType = detectContentType({ source, bytes: input.bytes, declared: input.contentType });
      if (contentType === null) {
        throw new OrioleError(
          'unsupported_media_type',
          `${source} is neither text nor a file format Oriole knows (it looks like binary data)`,
          { details: { source, contentType: null, supported: known } },
        );
      }
      const loader = loaderByType.get(contentType);
      if (loader === undefined) {
        const advice = unsupportedTypeAdvice(contentType);
        throw new OrioleError(
          'unsupported_media_type',
          `${source} is ${contentType}, which Oriole cannot parse${advice === undefined ? '' : `: ${advice}`}`,
          { details: { source, contentType, supported: known } },
        );
      }
      try {
        const document = await loader.load({ ...input, contentType });
        if (options.isolate === undefined && options.recognize === undefined) return document;
        return options.recognize ? await options.recognize(document, input) : withoutOcrTargets(document);
      } catch (error) {
        if (isOrioleError(error)) throw error;
        throw new OrioleError('internal', `Loading ${source} as ${contentType} failed unexpectedly`, {
          details: { source, contentType },
          cause: error,
        });
      }
    },
  };
}

function withoutOcrTargets({ ocrTargets: _dropped, ...document }: ParsedDocument): ParsedDocument {
  return document;
}

/** A built-in loader's types, parsed by `isolate` instead. */
function isolated(loader: Loader, isolate: BuiltInParser): Loader {
  return {
    contentTypes: loader.contentTypes,
    load: (input) => isolate({ ...input, contentType: input.contentType ?? loader.contentTypes[0]! }),
  };
}

function canonical(contentType: string): string {
  return contentType.split(';')[0]!.trim().toLowerCase();
}
