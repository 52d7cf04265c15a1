export { createFileLoaders, supportedContentTypes } from './create-file-loaders.ts';
export type { BuiltInParser, FileLoaderOptions, FileLoaders } from './create-file-loaders.ts';
export { detectContentType } from './detect-content-type.ts';
export type { ContentTypeProbe } from './detect-content-type.ts';
export { contentTypes } from './content-types.ts';
export type { ContentType } from './content-types.ts';
export { defaultDocxLimits } from './docx-loader.ts';
export { maxPdfPages } from './pdf-loader.ts';
export type { DocxLimits } from './docx-loader.ts';
