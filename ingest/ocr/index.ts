// OCR: text in scanned PDF pages, image files and (ORIOLE_OCR=all) pictures inside
// documents, read by Tesseract in a pool of worker threads (docs/ingestion-formats.md).
export { createOcrPool } from './ocr-pool.ts';
export type { OcrPoolOptions, TextRecognizer } from './ocr-pool.ts';
export { maxOcrPagesPerDocument, minUsefulConfidence, recognizeDocument } from './recognize-document.ts';
export type { OcrReport, OcrStage } from './recognize-document.ts';
export { recognizedParagraphs } from './ocr-text.ts';
export { ocrLanguages } from './tessdata.ts';
export { pageRendering, renderPdfPage } from './render-pdf-page.ts';
export type { OcrJob, Recognition } from './protocol.ts';
