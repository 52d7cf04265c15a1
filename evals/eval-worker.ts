import { z } from 'zod';
import type { AnswerService } from '../src/answer/index.ts';
import { OrioleError, isOrioleError } from '../src/core/index.ts';
import {
  getEvalSet,
  getKnowledgeBaseById,
  updateJobProgress,
  type Database,
  type Job,
  type KnowledgeBase,
} from '../src/db/index.ts';
import {
  defaultJobLoopSettings,
  startJobLoop,
  type JobControl,
  type JobLoopSettings,
  type JobOutcome,
  type JobWorker,
} from '../src/jobs/index.ts';
import { evalCaseSchema } from './cases.ts';
import { runEval } from './runner.ts';
import type { EvalCase, Judge } from './types.ts';

/**
 * What `POST /evals` queues in `jobs.payload`: the cases themselves, or none and the name
 * of a stored set to load when the run starts. `evalSet` is the name the report shows.
 */
export const evalJobPayloadSchema = z.object({
  evalSet: z.string().min(1),
  cases: z.array(evalCaseSchema).min(1).optional(),
  k: z.number().int().min(1),
  concurrency: z.number().int().min(1),
});

export type EvalJobPayload = z.infer<typeof evalJobPayloadSchema>;

export interface EvalWorkerOptions extends JobLoopSettings {
  /** Least time between two progress writes: a fast run must not write a row per case. */
  progressIntervalMs: number;
}

export const defaultEvalWorkerOptions: Omit<EvalWorkerOptions, 'workerId'> = {
  ...defaultJobLoopSettings,
  progressIntervalMs: 500,
};

export interface EvalWorkerDependencies {
  database: Database;
  /** The service `/answer` uses, so an eval measures what customers get. */
  answers: Pick<AnswerService, 'stream'>;
  judge: Judge | null;
  /** The configured LLM spec ('extractive' for the reader), as the report records it. */
  llm: string;
  oriole: { version: string; gitCommit: string | null; node: string };
  options: EvalWorkerOptions;
}

/**
 * Runs queued eval jobs (`POST /evals`) until stopped: the report goes to `jobs.result`.
 * A case that fails is a row of the report; a KB or stored set that is gone fails the
 * job. On stop the run is aborted and the job handed back to the queue.
 */
export function startEvalWorker(dependencies: EvalWorkerDependencies): JobWorker {
  return startJobLoop(dependencies.database, ['eval'], dependencies.options, (job, control) =>
    runEvalJob(dependencies, job, control),
  );
}

async function runEvalJob(dependencies: EvalWorkerDependencies, job: Job, control: JobControl): Promise<JobOutcome> {
  const { database, options } = dependencies;
  const payload = parsePayload(job.payload);
  const kb = await getKnowledgeBaseById(database, job.kbId);
  const cases = await casesOf(database, kb, payload);
  const progress = throttledProgress(
    (done, total) => updateJobProgress(database, { jobId: job.id, workerId: control.workerId, done, total }),
    options.progressIntervalMs,
    (error) => options.onError?.(error, job),
  );
  try {
    const report = await runEval(dependencies.answers, {
      cases,
      evalSet: payload.evalSet,
      kb: { name: kb.name, version: kb.version, embedder: kb.embedder },
      k: payload.k,
      concurrency: payload.concurrency,
      llm: dependencies.llm,
      judge: dependencies.judge,
      oriole: dependencies.oriole,
      onProgress: progress.report,
      signal: control.signal,
    });
    await progress.flush();
    return { status: 'succeeded', result: report };
  } catch (error) {
    await progress.flush();
    if (control.signal.aborted) return { status: 'released' };
    return failureOf(error, job, options);
  }
}

/** Storage outages and user-facing errors go to the job loop; a bug fails this job rather than being retried. */
function failureOf(error: unknown, job: Job, options: EvalWorkerOptions): JobOutcome {
  if (isOrioleError(error)) throw error;
  options.onError?.(error, job);
  return { status: 'failed', error: `unexpected error: ${(error as Error).message}` };
}

function parsePayload(payload: Record<string, unknown>): EvalJobPayload {
  const parsed = evalJobPayloadSchema.safeParse(payload);
  if (!parsed.success) throw new OrioleError('invalid_request', `Malformed eval job: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** The cases sent with the request, or the stored set's as they are now. */
async function casesOf(database: Database, kb: KnowledgeBase, payload: EvalJobPayload): Promise<EvalCase[]> {
  if (payload.cases) return payload.cases;
  const stored = await getEvalSet(database, { kbId: kb.id, name: payload.evalSet }).catch((error: unknown) => {
    if (isOrioleError(error) && error.code === 'not_found') {
      throw new OrioleError('not_found', `The eval set '${payload.evalSet}' of knowledge base '${kb.name}' was deleted before the run started`, {
        details: { kb: kb.name, evalSet: payload.evalSet },
      });
    }
    throw error;
  });
  const parsed = z.array(evalCaseSchema).min(1).safeParse(stored.cases);
  if (!parsed.success) throw new OrioleError('invalid_request', `The stored eval set '${payload.evalSet}' is malformed: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/**
 * Progress writes at most one per `intervalMs`, in order, with the latest value written
 * last (a trailing write, and `flush` at the end), so the job shows where the run is
 * without a row update per case.
 */
function throttledProgress(
  write: (done: number, total: number) => Promise<void>,
  intervalMs: number,
  onError: (error: unknown) => void,
): { report(done: number, total: number): void; flush(): Promise<void> } {
  let latest: { done: number; total: number } | undefined;
  let lastWrite = 0;
  let trailing: ReturnType<typeof setTimeout> | undefined;
  let writes = Promise.resolve();
  const push = () => {
    clearTimeout(trailing);
    trailing = undefined;
    if (!latest) return;
    const { done, total } = latest;
    latest = undefined;
    lastWrite = Date.now();
    writes = writes.then(() => write(done, total)).catch(onError);
  };
  return {
    report(done, total) {
      latest = { done, total };
      const wait = lastWrite + intervalMs - Date.now();
      if (wait <= 0) push();
      else trailing ??= setTimeout(push, wait);
    },
    async flush() {
      push();
      await writes;
    },
  };
}
