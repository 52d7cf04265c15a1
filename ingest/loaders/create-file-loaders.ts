import type { Loader, LoaderInput, ParsedDocument } from '../../src/core/index.ts';
import { isOrioleError, OrioleError } from '../../src/core/index.ts';
import { contentTypes } from './content-types.ts';
import { csvLoader } from './csv-loader.ts';
import { detectContentType } from './detect-content-type.ts';
import { createDocxLoader, defaultDocxLimits, type DocxLimits } from './docx-loader.ts';
import { htmlLoader } from './html-loader.ts';
import { markdownLoader } from './markdown-loader.ts';
import { pdfLoader } from './pdf-loader.ts';
import { textLoader } from './text-loader.ts';

export interface FileLoaderOptions {
  /** Bounds on DOCX expansion; unset fields keep `defaultDocxLimits`. */
  docxLimits?: Partial<DocxLimits>;
  /**
   * Loaders for further types, such as the Unstructured API loader. The built-in
   * loaders keep the types they parse; an extra loader serves the others.
   */
  extraLoaders?: readonly Loader[];
}

export interface FileLoaders {
  /** Every type some loader parses, the built-in ones first. */
  readonly contentTypes: readonly string[];
  supports(contentType: string): boolean;
  /**
   * Detects the type by content (`input.contentType` is only a hint) and parses with
   * the loader for it. Fails with `unsupported_media_type` for a type no loader parses,
   * `invalid_request` for a file its parser rejects, `payload_too_large` for a zip bomb.
   */
  load(input: LoaderInput): Promise<ParsedDocument>;
}

/** The types Oriole parses itself, without extra loaders. */
export const supportedContentTypes: readonly string[] = Object.values(contentTypes);

export function createFileLoaders(options: FileLoaderOptions = {}): FileLoaders {
  const builtIn = [
    markdownLoader,
    htmlLoader,
    textLoader,
    csvLoader,
    pdfLoader,
    createDocxLoader({ ...defaultDocxLimits, ...options.docxLimits }),
  ];
  const loaderByType = new Map<string, Loader>();
  for (const loader of [...builtIn, ...(options.extraLoaders ?? [])]) {
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
        throw new OrioleError('unsupported_media_type', `${source} is ${contentType}, which Oriole cannot parse`, {
          details: { source, contentType, supported: known },
        });
      }
      try {
        return await loader.load({ ...input, contentType });
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

function canonical(contentType: string): string {
  return contentType.split(';')[0]!.trim().toLowerCase();
}
