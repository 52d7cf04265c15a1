/** One picture to read: an image file's bytes, or a page of a PDF to render first. */
export type OcrJob = { kind: 'image'; bytes: Uint8Array } | { kind: 'pdf_page'; pdf: Uint8Array; page: number };

export interface Recognition {
  /** Tesseract's text: lines, blank lines between paragraphs. */
  text: string;
  /** Tesseract's mean word confidence, 0–100. */
  confidence: number;
  /** Quarter turns the picture needed to read upright (0–3). */
  quarterTurns: number;
}

/** What the pool tells each OCR thread once, at its start. */
export interface OcrWorkerData {
  /** A directory holding `<language>.traineddata.gz` for each of `languages`. */
  langPath: string;
  /** Tesseract language codes, the main one first. */
  languages: string[];
}
