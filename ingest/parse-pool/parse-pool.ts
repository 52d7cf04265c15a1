import { availableParallelism } from 'node:os';
import type { LoaderInput, ParsedDocument } from '../../src/core/index.ts';
import { OrioleError } from '../../src/core/index.ts';
import type { ParseRequest, ParseWorkerData } from './protocol.ts';
import { createThreadPool } from './thread-pool.ts';

/** What one document's parse may use; the defaults are `defaultParseBudgets` in src/core/config.ts. */
export interface ParseBudgets {
  /** Wall-clock time from handing the document to a worker to its answer (ORIOLE_PARSE_TIMEOUT_MS). */
  timeoutMs: number;
  /** Old-generation heap of each worker thread (ORIOLE_PARSE_MAX_HEAP_MB). */
  maxHeapMb: number;
  /** Bytes one document may inflate to, counted while inflating (ORIOLE_MAX_DECOMPRESSED_MB). */
  maxDecompressedBytes: number;
}

export interface ParsePoolOptions {
  budgets: ParseBudgets;
  /** Worker threads; `defaultPoolSize()` when unset. */
  size?: number;
  /**
   * Leave pictures inside documents as OCR targets (FileLoaderOptions.embeddedImages):
   * only for ORIOLE_OCR=all, since their bytes then cross back from the thread. False when unset.
   */
  embeddedImages?: boolean;
}

export interface ParsePool {
  /**
   * Parses one document of a built-in type in a worker thread. Over its time or heap
   * budget it fails with `document_too_complex` and the worker is replaced; every other
   * failure is the loaders' own (`invalid_request`, `decompression_limit`…).
   */
  parse(input: LoaderInput & { contentType: string }): Promise<ParsedDocument>;
  /** Stops every worker; parses still waiting fail. */
  close(): Promise<void>;
}

/** Two threads at most: ingestion is one document at a time per job loop, and the API's cores stay free. */
export function defaultPoolSize(): number {
  return Math.max(1, Math.min(2, availableParallelism()));
}

// A plain JavaScript entry registers tsx in the thread, as bin/oriole.js does for the
// process, then loads the TypeScript worker: a worker thread starts without the
// parent's loader hooks.
const workerEntry = new URL('./parse-worker-entry.js', import.meta.url);

/**
 * Worker threads that run the built-in loaders, one document at a time each (see
 * `createThreadPool`): a parse over its time or heap budget fails with
 * `document_too_complex` and its thread is replaced.
 */
export function createParsePool({ budgets, size = defaultPoolSize(), embeddedImages = false }: ParsePoolOptions): ParsePool {
  const pool = createThreadPool<ParseWorkerData, ParseRequest, ParsedDocument>({
    entry: workerEntry,
    workerData: { maxDecompressedBytes: budgets.maxDecompressedBytes, embeddedImages },
    size,
    timeoutMs: budgets.timeoutMs,
    maxHeapMb: budgets.maxHeapMb,
    errors: {
      tooSlow: (source) => tooSlow(source, budgets.timeoutMs),
      crashed: (source, error, outOfMemory) => crashed(source, error, outOfMemory, budgets),
      notStarted: (cause) => new OrioleError('internal', 'The document parser could not start', { cause }),
      closed: () => new OrioleError('internal', 'The document parser has been shut down'),
    },
  });
  return {
    parse: ({ source, bytes, contentType }) => pool.run({ source, bytes, contentType }, source),
    close: () => pool.close(),
  };
}

function tooSlow(source: string, timeoutMs: number): OrioleError {
  return new OrioleError(
    'document_too_complex',
    `${source} took longer than ${timeoutMs} ms to parse (ORIOLE_PARSE_TIMEOUT_MS), so it was stopped`,
    { details: { source, limit: 'timeoutMs', maximum: timeoutMs } },
  );
}

/** A worker that died mid-parse: out of heap (its budget), or the parser crashed on this file. */
function crashed(source: string, error: Error | undefined, outOfMemory: boolean, budgets: ParseBudgets): OrioleError {
  if (outOfMemory) {
    return new OrioleError(
      'document_too_complex',
      `${source} needed more than ${budgets.maxHeapMb} MB of memory to parse (ORIOLE_PARSE_MAX_HEAP_MB), so it was stopped`,
      { details: { source, limit: 'maxHeapMb', maximum: budgets.maxHeapMb }, cause: error },
    );
  }
  return new OrioleError('document_too_complex', `The parser crashed on ${source}: ${error?.message ?? 'it exited'}`, {
    details: { source, limit: 'crashed' },
    cause: error,
  });
}
