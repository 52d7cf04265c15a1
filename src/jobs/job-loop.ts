import { isOrioleError } from '../core/index.ts';
import { claimNextJob, finishJob, releaseJob, renewJobLease, type Database, type Job, type JobKind } from '../db/index.ts';

/** How a worker shares the job queue; the same for every kind of job. */
export interface JobLoopSettings {
  /** Unique per process; shows in `jobs.locked_by`. */
  workerId: string;
  /** How long a claim lasts without renewal; a dead worker's job is claimed again after it. */
  leaseSeconds: number;
  /** Idle wait between polls of an empty queue. */
  pollIntervalMs: number;
  /** A job claimed this many times (its workers kept dying) is failed instead of retried. */
  maxAttempts: number;
  onError?: (error: unknown, job?: Job) => void;
  onJobDone?: (job: Job, status: 'succeeded' | 'failed') => void;
  /**
   * Records what a job given up on (`maxAttempts` claims, its workers died each time)
   * leaves unfinished, with the reason: an ingestion job fails its remaining documents,
   * so none stays pending.
   */
  onGiveUp?: (job: Job, reason: string) => Promise<void>;
}

export const defaultJobLoopSettings: Omit<JobLoopSettings, 'workerId'> = {
  leaseSeconds: 60,
  pollIntervalMs: 500,
  maxAttempts: 3,
};

/** What became of a claimed job: finished, or handed back to the queue (the worker is stopping). */
export type JobOutcome =
  | { status: 'succeeded' | 'failed'; error?: string; result?: object }
  | { status: 'released' };

export interface JobControl {
  workerId: string;
  /** Aborted when the worker is asked to stop. */
  signal: AbortSignal;
  isStopping(): boolean;
}

/** Does one claimed job. An OrioleError it throws fails the job; storage outages and bugs leave it to be retried. */
export type JobHandler = (job: Job, control: JobControl) => Promise<JobOutcome>;

export interface JobWorker {
  /** Wakes the worker now (a job was just queued) instead of at the next poll. */
  notify(): void;
  /** Asks the current job to stop, hands an unfinished job back to the queue, and stops. */
  stop(): Promise<void>;
}

/**
 * Claims jobs of `kinds` one at a time and runs `handle` on each, renewing the job's
 * lease meanwhile, until stopped. Several loops (processes) may share one queue.
 */
export function startJobLoop(
  database: Database,
  kinds: readonly JobKind[],
  settings: JobLoopSettings,
  handle: JobHandler,
): JobWorker {
  const stopping = new AbortController();
  const idle = idleWaiter();
  const control: JobControl = {
    workerId: settings.workerId,
    signal: stopping.signal,
    isStopping: () => stopping.signal.aborted,
  };

  // A job whose run the database's going away interrupted: handed back as soon as the
  // database answers again, rather than left `running` until its lease lapses.
  let interrupted: Job | undefined;

  const loop = (async () => {
    while (!stopping.signal.aborted) {
      let job: Job | undefined;
      try {
        if (interrupted) {
          await releaseJob(database, { jobId: interrupted.id, workerId: settings.workerId });
          interrupted = undefined;
        }
        job = await claimNextJob(database, { ...settings, kinds });
        const claimed = job;
        if (claimed) await runClaimed(database, claimed, settings, () => handle(claimed, control));
      } catch (error) {
        if (job && isOrioleError(error) && error.code === 'upstream_unavailable') interrupted = job;
        settings.onError?.(error, job);
        // Not straight back to the database that just failed: wait a poll interval.
        if (job && !stopping.signal.aborted) await idle.wait(settings.pollIntervalMs);
      }
      if (!job && !stopping.signal.aborted) await idle.wait(settings.pollIntervalMs);
    }
    // Stopping while the database is still away: the lease lapses and another worker takes the job.
    if (interrupted) await releaseJob(database, { jobId: interrupted.id, workerId: settings.workerId }).catch(() => undefined);
  })();

  return {
    notify: () => idle.wake(),
    async stop() {
      stopping.abort();
      idle.wake();
      await loop;
    },
  };
}

async function runClaimed(
  database: Database,
  job: Job,
  settings: JobLoopSettings,
  run: () => Promise<JobOutcome>,
): Promise<void> {
  const { workerId, leaseSeconds } = settings;
  // Attempts count claims: a worker that died (its lease lapsed) used one up, whatever it was doing.
  if (job.attempts > settings.maxAttempts) {
    const reason = `Gave up after ${settings.maxAttempts} attempts: the workers processing it stopped before finishing`;
    await settings.onGiveUp?.(job, reason);
    await finish(database, job, settings, { status: 'failed', error: reason });
    return;
  }
  const renewal = setInterval(() => {
    renewJobLease(database, { jobId: job.id, workerId, leaseSeconds }).catch((error: unknown) =>
      settings.onError?.(error, job),
    );
  }, (leaseSeconds * 1000) / 3);
  try {
    const outcome = await run().catch((error: unknown) => failedBy(error));
    if (outcome.status === 'released') await releaseJob(database, { jobId: job.id, workerId });
    else await finish(database, job, settings, outcome);
  } finally {
    clearInterval(renewal);
  }
}

/** A user-facing error fails the job with its message; anything else (storage down, a bug) is rethrown. */
function failedBy(error: unknown): JobOutcome {
  if (isOrioleError(error) && error.code !== 'upstream_unavailable') return { status: 'failed', error: error.message };
  throw error;
}

async function finish(
  database: Database,
  job: Job,
  settings: JobLoopSettings,
  outcome: Exclude<JobOutcome, { status: 'released' }>,
): Promise<void> {
  await finishJob(database, { jobId: job.id, workerId: settings.workerId, ...outcome });
  settings.onJobDone?.(job, outcome.status);
}

/** A sleep that `wake` cuts short. */
function idleWaiter(): { wait(milliseconds: number): Promise<void>; wake(): void } {
  let wake: (() => void) | undefined;
  return {
    wait: (milliseconds) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, milliseconds);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      }),
    wake: () => wake?.(),
  };
}
