// Reports of an eval run: report.md for reviews and a self-contained report.html for QA.
export { renderHtmlReport } from './html.ts';
export { renderMarkdownReport } from './markdown.ts';
