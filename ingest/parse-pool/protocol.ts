import type { ErrorCode, ParsedDocument } from '../../src/core/index.ts';

/** What the pool tells each worker thread once, at its start. */
export interface ParseWorkerData {
  maxDecompressedBytes: number;
}

/** One document to parse; its type was detected on the caller's side. */
export interface ParseRequest {
  type: 'parse';
  id: number;
  input: { source: string; bytes: Uint8Array; contentType: string };
}

/** An OrioleError as it crosses the thread boundary (structured clone drops its class). */
export interface ParseFailure {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export type ParseReply =
  | { type: 'ready' }
  | { type: 'parsed'; id: number; ok: true; document: ParsedDocument }
  | { type: 'parsed'; id: number; ok: false; error: ParseFailure };
