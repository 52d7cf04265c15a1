/**
 * The types sent to Unstructured by default: formats Unstructured partitions that
 * Oriole's own loaders (Markdown, HTML, plain text, PDF, CSV, DOCX, XLSX, PPTX and
 * OpenDocument) do not parse, such as legacy Office files (.doc, .xls, .ppt).
 * Types Oriole parses itself stay local: no upload, no per-page cost, no network.
 * Each entry maps to the file extension Unstructured expects, which it uses with the
 * part's Content-Type to pick a partitioner.
 */
export const unstructuredFileExtensions = {
  'application/vnd.ms-powerpoint': 'ppt',
  'application/msword': 'doc',
  'application/vnd.ms-excel': 'xls',
  'application/rtf': 'rtf',
  'text/rtf': 'rtf',
  'application/epub+zip': 'epub',
  'message/rfc822': 'eml',
  'application/vnd.ms-outlook': 'msg',
  'text/x-rst': 'rst',
  'text/org': 'org',
  'application/xml': 'xml',
  'text/xml': 'xml',
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/tiff': 'tiff',
  'image/bmp': 'bmp',
  'image/heic': 'heic',
} as const satisfies Record<string, string>;

export const unstructuredContentTypes: readonly string[] = Object.keys(unstructuredFileExtensions);
