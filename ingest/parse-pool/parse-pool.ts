import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { LoaderInput, ParsedDocument } from '../../src/core/index.ts';
import { OrioleError } from '../../src/core/index.ts';
import type { ParseReply, ParseRequest, ParseWorkerData } from './protocol.ts';

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

interface Task {
  request: ParseRequest;
  resolve(document: ParsedDocument): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  /** Settles when the worker has loaded the loaders and listens. */
  ready: Promise<void>;
  started: boolean;
  task: Task | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * Worker threads that run the built-in loaders, one document at a time each, reused
 * until a parse goes over budget or crashes; then that thread is terminated and a new
 * one starts for the next document. The caller's event loop only posts bytes and
 * receives blocks, so its timers (job lease renewal) and HTTP requests keep running.
 */
export function createParsePool({ budgets, size = defaultPoolSize() }: ParsePoolOptions): ParsePool {
  const slots: (Slot | undefined)[] = Array.from({ length: size }, () => undefined);
  const waiting: Task[] = [];
  let nextId = 1;
  let closed = false;

  const workerData: ParseWorkerData = { maxDecompressedBytes: budgets.maxDecompressedBytes };

  const spawn = (index: number): Slot => {
    const worker = new Worker(workerEntry, { workerData, resourceLimits: { maxOldGenerationSizeMb: budgets.maxHeapMb } });
    let markReady: () => void = () => undefined;
    let failStart: (error: Error) => void = () => undefined;
    const slot: Slot = {
      worker,
      ready: new Promise<void>((resolve, reject) => {
        markReady = resolve;
        failStart = reject;
      }),
      started: false,
      task: undefined,
      timer: undefined,
    };
    // Nobody may await `ready` if the worker dies idle; that is not an unhandled rejection.
    slot.ready.catch(() => undefined);
    worker.unref();
    worker.on('message', (reply: ParseReply) => {
      if (reply.type === 'ready') {
        slot.started = true;
        return markReady();
      }
      const task = slot.task;
      if (task === undefined || task.request.id !== reply.id) return;
      finishTask(slot);
      if (reply.ok) task.resolve(reply.document);
      else task.reject(new OrioleError(reply.error.code, reply.error.message, reply.error.details ? { details: reply.error.details } : {}));
      pump();
    });
    const died = (error: Error | undefined) => {
      if (slots[index] !== slot) return;
      slots[index] = undefined;
      const task = slot.task;
      if (task) finishTask(slot);
      if (!slot.started) {
        // Not this document's fault: the thread could not load the loaders.
        failStart(error ?? new Error('the parse worker exited while starting'));
        return;
      }
      task?.reject(crashed(task.request.input.source, error, budgets));
      // Out of heap or crashed: replaced at once, like a worker out of time.
      if (task && !closed) slots[index] = spawn(index);
      pump();
    };
    worker.on('error', died);
    worker.on('exit', () => died(undefined));
    return slot;
  };

  const finishTask = (slot: Slot) => {
    clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.task = undefined;
    slot.worker.unref();
  };

  /** Stops a worker whose parse ran out of time; a fresh one starts at once for the next document. */
  const recycle = (index: number, slot: Slot) => {
    void slot.worker.terminate();
    if (slots[index] === slot) slots[index] = closed ? undefined : spawn(index);
    pump();
  };

  const run = async (index: number, slot: Slot, task: Task) => {
    slot.task = task;
    // Referenced while busy: a CLI waiting only on this parse must not exit under it.
    slot.worker.ref();
    try {
      await slot.ready;
    } catch (error) {
      task.reject(new OrioleError('internal', 'The document parser could not start', { cause: error }));
      pump();
      return;
    }
    if (slot.task !== task) return;
    slot.timer = setTimeout(() => {
      if (slot.task !== task) return;
      finishTask(slot);
      task.reject(tooSlow(task.request.input.source, budgets.timeoutMs));
      recycle(index, slot);
    }, budgets.timeoutMs);
    slot.worker.postMessage(task.request);
  };

  const pump = () => {
    if (closed) return;
    for (let index = 0; index < slots.length && waiting.length > 0; index++) {
      const slot = (slots[index] ??= spawn(index));
      if (slot.task !== undefined) continue;
      void run(index, slot, waiting.shift()!);
    }
  };

  return {
    parse(input) {
      if (closed) return Promise.reject(new OrioleError('internal', 'The document parser has been shut down'));
      return new Promise<ParsedDocument>((resolve, reject) => {
        const { source, bytes, contentType } = input;
        waiting.push({ request: { type: 'parse', id: nextId++, input: { source, bytes, contentType } }, resolve, reject });
        pump();
      });
    },
    async close() {
      closed = true;
      for (const task of waiting.splice(0)) task.reject(new OrioleError('internal', 'The document parser has been shut down'));
      const running = slots.splice(0).filter((slot): slot is Slot => slot !== undefined);
      await Promise.all(running.map((slot) => slot.worker.terminate()));
    },
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
function crashed(source: string, error: Error | undefined, budgets: ParseBudgets): OrioleError {
  if ((error as { code?: string } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY') {
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
