import { createHash } from 'node:crypto';
import type { Chunk } from '../../src/core/index.ts';

/**
 * Bumped when parsing or chunking changes what a document turns into, so the next
 * ingest rewrites documents whose bytes did not change.
 */
// 2: doc-site dialects (GitBook, Hugo, HTML exports) parsed, and chunks keep their section's anchor.
// 3: XLSX, PPTX and OpenDocument parsed by Oriole's own loaders (before: by Unstructured, when configured).
// 4: PDF pages without a text layer read by OCR (ORIOLE_OCR=scanned, the default).
export const pipelineVersion = 4;

export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface FingerprintInput {
  bytes: Uint8Array;
  /** The declared type only where it changes the detected one: detection from the bytes is covered by the bytes. */
  contentType: string | null;
  title: string | null;
  url: string | null;
  tags: Record<string, string>;
  metadata: Record<string, unknown>;
  /** Chunking settings in effect: new settings re-chunk unchanged files. */
  chunking: unknown;
  /**
   * Parser settings in effect where they differ from the defaults (an OCR mode other than
   * `scanned`): changing ORIOLE_OCR re-reads documents, while every process on the defaults,
   * whatever composed it, agrees on each document's fingerprint.
   */
  parsing?: unknown;
}

/** The document hash stored last as the commit marker: equal → nothing to do. */
export function documentFingerprint(input: FingerprintInput): string {
  return sha256(
    JSON.stringify([
      pipelineVersion,
      sha256(input.bytes),
      input.contentType,
      input.title,
      input.url,
      sortedEntries(input.tags),
      input.metadata,
      input.chunking,
      input.parsing ?? null,
    ]),
  );
}

/** "Title › Section › Subsection": puts a chunk's context into what both search legs see. */
export function breadcrumb(title: string | null, headingPath: readonly string[]): string {
  const parts = [title, ...headingPath].map((part) => part?.trim() ?? '').filter((part) => part.length > 0);
  // An h1 that repeats the title would otherwise double the title's weight in every chunk.
  return parts.filter((part, index) => index === 0 || part.toLowerCase() !== parts[index - 1]!.toLowerCase()).join(' › ');
}

/** The text indexed and embedded for a chunk; its hash decides whether a vector can be reused. */
export function indexText(title: string | null, chunk: Pick<Chunk, 'headingPath' | 'text'>): string {
  const trail = breadcrumb(title, chunk.headingPath);
  return trail ? `${trail}\n${chunk.text}` : chunk.text;
}

function sortedEntries(record: Record<string, string>): [string, string][] {
  return Object.entries(record).sort(([left], [right]) => left.localeCompare(right));
}
