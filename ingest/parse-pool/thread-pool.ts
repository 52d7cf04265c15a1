import { Worker } from 'node:worker_threads';
import type { ErrorCode } from '../../src/core/index.ts';
import { OrioleError } from '../../src/core/index.ts';

/**
 * Worker threads that each run one task at a time, reused until a task goes over its
 * time or heap budget or crashes; then that thread is terminated and a new one starts
 * for the next task. The parse pool (hostile documents) and the OCR pool (page images)
 * are two of these: the caller's event loop only posts bytes and receives results, so
 * its timers (job lease renewal) and HTTP requests keep running.
 */
export interface ThreadPoolOptions<Data> {
  /** A plain JavaScript entry that registers tsx and imports the TypeScript worker (see parse-worker-entry.js). */
  entry: URL;
  workerData: Data;
  size: number;
  /** Wall-clock time from handing a task to a worker to its answer. */
  timeoutMs: number;
  /** Old-generation heap of each worker thread. */
  maxHeapMb: number;
  /** The errors the pool's users see, in their own words. */
  errors: {
    tooSlow(label: string): OrioleError;
    /** The worker died mid-task; `outOfMemory` when it hit its heap budget. */
    crashed(label: string, error: Error | undefined, outOfMemory: boolean): OrioleError;
    notStarted(cause: unknown): OrioleError;
    closed(): OrioleError;
  };
}

export interface ThreadPool<Request, Result> {
  /** Runs one task; `label` names it in errors (the document's source, "page 3 of a.pdf"). */
  run(request: Request, label: string): Promise<Result>;
  /** Stops every worker; tasks still waiting fail. */
  close(): Promise<void>;
}

/** An OrioleError as it crosses the thread boundary (structured clone drops its class). */
export interface TaskFailure {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export type TaskMessage<Request> = { type: 'task'; id: number; request: Request };

export type TaskReply<Result> =
  | { type: 'ready' }
  | { type: 'done'; id: number; ok: true; result: Result }
  | { type: 'done'; id: number; ok: false; error: TaskFailure };

interface Task<Request, Result> {
  message: TaskMessage<Request>;
  label: string;
  resolve(result: Result): void;
  reject(error: Error): void;
}

interface Slot<Request, Result> {
  worker: Worker;
  /** Settles when the worker has loaded its code and listens. */
  ready: Promise<void>;
  started: boolean;
  task: Task<Request, Result> | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export function createThreadPool<Data, Request, Result>(options: ThreadPoolOptions<Data>): ThreadPool<Request, Result> {
  const { entry, workerData, size, timeoutMs, maxHeapMb, errors } = options;
  const slots: (Slot<Request, Result> | undefined)[] = Array.from({ length: size }, () => undefined);
  const waiting: Task<Request, Result>[] = [];
  let nextId = 1;
  let closed = false;

  const spawn = (index: number): Slot<Request, Result> => {
    const worker = new Worker(entry, { workerData, resourceLimits: { maxOldGenerationSizeMb: maxHeapMb } });
    let markReady: () => void = () => undefined;
    let failStart: (error: Error) => void = () => undefined;
    const slot: Slot<Request, Result> = {
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
    worker.on('message', (reply: TaskReply<Result>) => {
      if (reply.type === 'ready') {
        slot.started = true;
        return markReady();
      }
      const task = slot.task;
      if (task === undefined || task.message.id !== reply.id) return;
      finishTask(slot);
      if (reply.ok) task.resolve(reply.result);
      else task.reject(new OrioleError(reply.error.code, reply.error.message, reply.error.details ? { details: reply.error.details } : {}));
      pump();
    });
    const died = (error: Error | undefined) => {
      if (slots[index] !== slot) return;
      slots[index] = undefined;
      const task = slot.task;
      if (task) finishTask(slot);
      if (!slot.started) {
        // Not this task's fault: the thread could not load its code.
        failStart(error ?? new Error('the worker thread exited while starting'));
        return;
      }
      const outOfMemory = (error as { code?: string } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
      task?.reject(errors.crashed(task.label, error, outOfMemory));
      // Out of heap or crashed: replaced at once, like a worker out of time.
      if (task && !closed) slots[index] = spawn(index);
      pump();
    };
    worker.on('error', died);
    worker.on('exit', () => died(undefined));
    return slot;
  };

  const finishTask = (slot: Slot<Request, Result>) => {
    clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.task = undefined;
    slot.worker.unref();
  };

  /** Stops a worker whose task ran out of time; a fresh one starts at once for the next task. */
  const recycle = (index: number, slot: Slot<Request, Result>) => {
    void slot.worker.terminate();
    if (slots[index] === slot) slots[index] = closed ? undefined : spawn(index);
    pump();
  };

  const run = async (index: number, slot: Slot<Request, Result>, task: Task<Request, Result>) => {
    slot.task = task;
    // Referenced while busy: a CLI waiting only on this task must not exit under it.
    slot.worker.ref();
    try {
      await slot.ready;
    } catch (error) {
      task.reject(errors.notStarted(error));
      pump();
      return;
    }
    if (slot.task !== task) return;
    slot.timer = setTimeout(() => {
      if (slot.task !== task) return;
      finishTask(slot);
      task.reject(errors.tooSlow(task.label));
      recycle(index, slot);
    }, timeoutMs);
    slot.worker.postMessage(task.message);
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
    run(request, label) {
      if (closed) return Promise.reject(errors.closed());
      return new Promise<Result>((resolve, reject) => {
        waiting.push({ message: { type: 'task', id: nextId++, request }, label, resolve, reject });
        pump();
      });
    },
    async close() {
      closed = true;
      for (const task of waiting.splice(0)) task.reject(errors.closed());
      const running = slots.splice(0).filter((slot): slot is Slot<Request, Result> => slot !== undefined);
      await Promise.all(running.map((slot) => slot.worker.terminate()));
    },
  };
}
