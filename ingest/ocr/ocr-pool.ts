import { OrioleError } from '../../src/core/index.ts';
import { createThreadPool } from '../parse-pool/index.ts';
import type { OcrJob, OcrWorkerData, Recognition } from './protocol.ts';
import { linkLanguageData, ocrLanguages } from './tessdata.ts';

export interface TextRecognizer {
  /** Reads one picture; `label` ("page 3 of policy.pdf") names it in errors. */
  recognize(job: OcrJob, label: string): Promise<Recognition>;
  /** How many pictures it reads at once; callers queue no more than this many per document. */
  readonly concurrency: number;
  close(): Promise<void>;
}

export interface OcrPoolOptions {
  /** Threads, each with its own Tesseract engine (ORIOLE_OCR_CONCURRENCY). */
  concurrency: number;
  /** Time one page may take, rendering included (ORIOLE_OCR_PAGE_TIMEOUT_MS). */
  pageTimeoutMs: number;
  /** Tesseract language codes with an `@tesseract.js-data/<code>` package installed; `ocrLanguages` when unset. */
  languages?: readonly string[];
}

const workerEntry = new URL('./ocr-worker-entry.js', import.meta.url);

/**
 * Tesseract in worker threads: a page over its time limit, or one that crashes its
 * thread, fails alone (`ocr_failed` for that page) and the thread is replaced. Threads
 * and language data are set up on the first page, so a process that never meets a
 * scan pays nothing.
 */
export function createOcrPool({ concurrency, pageTimeoutMs, languages = ocrLanguages }: OcrPoolOptions): TextRecognizer {
  let started: { pool: ReturnType<typeof startPool>; remove(): void } | undefined;
  const startPool = (workerData: OcrWorkerData) =>
    createThreadPool<OcrWorkerData, OcrJob, Recognition>({
      entry: workerEntry,
      workerData,
      size: concurrency,
      timeoutMs: pageTimeoutMs,
      // Rendering a page at 300 dpi holds its decoded images; Tesseract's memory is its own thread's.
      maxHeapMb: 512,
      errors: {
        tooSlow: (label) =>
          new OrioleError('document_too_complex', `Reading ${label} took longer than ${pageTimeoutMs} ms (ORIOLE_OCR_PAGE_TIMEOUT_MS)`, {
            details: { limit: 'pageTimeoutMs', maximum: pageTimeoutMs },
          }),
        crashed: (label, error, outOfMemory) =>
          new OrioleError('document_too_complex', `Reading ${label} ${outOfMemory ? 'needed more memory than allowed' : 'crashed the recogniser'}`, {
            details: { limit: outOfMemory ? 'maxHeapMb' : 'crashed' },
            cause: error,
          }),
        notStarted: (cause) => new OrioleError('internal', 'The text recogniser (OCR) could not start', { cause }),
        closed: () => new OrioleError('internal', 'The text recogniser (OCR) has been shut down'),
      },
    });
  return {
    concurrency,
    recognize(job, label) {
      if (started === undefined) {
        const languageData = linkLanguageData(languages);
        started = { pool: startPool({ langPath: languageData.langPath, languages: languageData.languages }), remove: languageData.remove };
      }
      return started.pool.run(job, label);
    },
    async close() {
      if (started === undefined) return;
      const { pool, remove } = started;
      started = undefined;
      await pool.close();
      remove();
    },
  };
}
