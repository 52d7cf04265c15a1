/** The canonical MIME types Oriole's own loaders parse; detection reports these names. */
export const contentTypes = {
  markdown: 'text/markdown',
  html: 'text/html',
  plainText: 'text/plain',
  csv: 'text/csv',
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  odt: 'application/vnd.oasis.opendocument.text',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
  odp: 'application/vnd.oasis.opendocument.presentation',
} as const;

export type ContentType = (typeof contentTypes)[keyof typeof contentTypes];
