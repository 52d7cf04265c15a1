import type { Block, ErrorCode, LoaderInput, OcrMode, OcrTarget, ParsedDocument } from '../../src/core/index.ts';
import pLimit from 'p-limit';
import { isOrioleError } from '../../src/core/index.ts';
import { recognizedParagraphs } from './ocr-text.ts';
import type { TextRecognizer } from './ocr-pool.ts';
import type { OcrJob } from './protocol.ts';

/**
 * More scanned pages than this in one document are not read: at 2–3 s a page
 * on one core, more would hold an ingestion job for many minutes. The pages past it
 * are reported, not silently dropped.
 */
export const maxOcrPagesPerDocument = 300;

/** Below this mean word confidence a reading is noise (a photo, a pattern), not text. */
export const minUsefulConfidence = 30;

/** What OCR did to one document, kept in its metadata as `ocr`. */
export interface OcrReport {
  /** Pictures read, with text found in `withText` of them. */
  recognized: number;
  withText: number;
  /** Pictures that could not be read, each with why; the rest of the document is kept. */
  failed: { page?: number; code: ErrorCode; reason: string }[];
  /** Mean Tesseract word confidence over the pictures with text, 0–100. */
  meanConfidence: number | null;
}

export interface OcrStage {
  mode: Exclude<OcrMode, 'off'>;
  recognizer: TextRecognizer;
}

/**
 * Reads the pictures a loader left (`ocrTargets`) and adds their text: a scanned page's
 * paragraphs under its page number, an image file's as the document's text. A picture
 * that fails is listed in `metadata.ocr.failed` and never fails the document.
 */
export async function recognizeDocument(document: ParsedDocument, input: LoaderInput, stage: OcrStage): Promise<ParsedDocument> {
  const { ocrTargets = [], ...rest } = document;
  const wanted = ocrTargets.filter((target) => target.kind !== 'embedded' || stage.mode === 'all');
  if (wanted.length === 0) return rest;
  const report: OcrReport = { recognized: 0, withText: 0, failed: [], meanConfidence: null };
  const readable = wanted.slice(0, maxOcrPagesPerDocument);
  for (const target of wanted.slice(maxOcrPagesPerDocument)) {
    report.failed.push({ ...pageOf(target), code: 'document_too_complex', reason: `not read: more than ${maxOcrPagesPerDocument} pages of this document need OCR` });
  }
  const confidences: number[] = [];
  // No more pages queued than the pool reads at once: each carries the whole PDF to its thread.
  const limit = pLimit(Math.max(1, stage.recognizer.concurrency));
  // One copy of the document in shared memory: each page's job then hands its thread a
  // view of it instead of cloning a many-megabyte scan once per page.
  const shared = readable.some((target) => target.kind === 'pdf_page') ? sharedCopy(input.bytes) : input.bytes;
  const read = async (target: OcrTarget) => {
    try {
      const recognition = await stage.recognizer.recognize(jobFor(target, shared), labelOf(target, input.source));
      report.recognized += 1;
      const paragraphs = recognition.confidence >= minUsefulConfidence ? recognizedParagraphs(recognition.text) : [];
      if (paragraphs.length > 0) {
        report.withText += 1;
        confidences.push(recognition.confidence);
      }
      return { target, paragraphs };
    } catch (error) {
      report.failed.push({ ...pageOf(target), ...(isOrioleError(error) ? { code: error.code, reason: error.message } : { code: 'internal', reason: 'the recogniser failed' }) });
      return { target, paragraphs: [] as string[] };
    }
  };
  const readings = await Promise.all(readable.map((target) => limit(() => read(target))));
  report.meanConfidence = confidences.length === 0 ? null : Math.round(confidences.reduce((sum, value) => sum + value, 0) / confidences.length);
  report.failed.sort((a, b) => (a.page ?? 0) - (b.page ?? 0));
  return {
    ...rest,
    blocks: withRecognizedBlocks(rest.blocks, readings),
    metadata: { ...rest.metadata, ocr: report },
  };
}

function sharedCopy(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(new SharedArrayBuffer(bytes.byteLength));
  copy.set(bytes);
  return copy;
}

function jobFor(target: OcrTarget, bytes: Uint8Array): OcrJob {
  switch (target.kind) {
    case 'pdf_page':
      return { kind: 'pdf_page', pdf: bytes, page: target.page };
    case 'image_file':
      return { kind: 'image', bytes };
    case 'embedded':
      return { kind: 'image', bytes: target.bytes };
  }
}

function labelOf(target: OcrTarget, source: string): string {
  switch (target.kind) {
    case 'pdf_page':
      return `page ${target.page} of ${source}`;
    case 'image_file':
      return source;
    case 'embedded':
      return `an image in ${source}`;
  }
}

function pageOf(target: OcrTarget): { page?: number } {
  return target.kind === 'pdf_page' ? { page: target.page } : {};
}

/**
 * Scanned pages' paragraphs go among the text pages in page order; an image file's are
 * its only text; an embedded picture's follow the block before it, after its alt text.
 */
function withRecognizedBlocks(blocks: readonly Block[], readings: readonly { target: OcrTarget; paragraphs: string[] }[]): Block[] {
  const result = [...blocks];
  const insertions: { position: number; blocks: Block[] }[] = [];
  for (const { target, paragraphs } of readings) {
    if (paragraphs.length === 0) continue;
    if (target.kind === 'pdf_page') {
      const position = result.findIndex((block) => (block.page ?? 0) > target.page);
      const pageBlocks = paragraphs.map((text): Block => ({ kind: 'paragraph', text, page: target.page }));
      result.splice(position === -1 ? result.length : position, 0, ...pageBlocks);
    } else if (target.kind === 'image_file') {
      result.push(...paragraphs.map((text): Block => ({ kind: 'paragraph', text })));
    } else {
      const caption = [target.alt, target.url].filter(Boolean).join(' ');
      const lead: Block[] = caption ? [{ kind: 'paragraph', text: `Image: ${caption}` }] : [];
      insertions.push({ position: target.position, blocks: [...lead, ...paragraphs.map((text): Block => ({ kind: 'paragraph', text }))] });
    }
  }
  // From the back, so earlier positions stay where they were; of two pictures at one
  // position the later goes in first, so the earlier ends up before it.
  const fromTheBack = insertions.map((insertion, order) => ({ ...insertion, order })).sort((a, b) => b.position - a.position || b.order - a.order);
  for (const { position, blocks: inserted } of fromTheBack) {
    result.splice(Math.min(position, result.length), 0, ...inserted);
  }
  return result;
}
