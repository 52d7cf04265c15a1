/** The canonical MIME types Oriole's own loaders parse; detection reports these names. */
export const contentTypes = {
  markdown: 'text/markdown',
  html: 'text/html',
  plainText: 'text/plain',
  csv: 'text/csv',
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
} as const;

export type ContentType = (typeof contentTypes)[keyof typeof contentTypes];
