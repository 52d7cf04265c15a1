/** What the pool tells each worker thread once, at its start. */
export interface ParseWorkerData {
  maxDecompressedBytes: number;
  /** Whether the loaders leave pictures inside documents for OCR (FileLoaderOptions.embeddedImages). */
  embeddedImages: boolean;
}

/** One document to parse; its type was detected on the caller's side. */
export interface ParseRequest {
  source: string;
  bytes: Uint8Array;
  contentType: string;
}
