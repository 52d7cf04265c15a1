import { isOrioleError } from '../../src/core/index.ts';
import {
  claimNextJob,
  completeJobItem,
  finishJob,
  getKnowledgeBaseById,
  jobItemContent,
  markDocumentFailed,
  pendingJobItems,
  releaseJob,
  renewJobLease,
  type Job,
} from '../../src/db/index.ts';
import { assertEmbedderMatches, ingestDocument, type IngestContext } from './ingest-document.ts';

export interface JobWorkerOptions {
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
}

export const defaultJobWorkerOptions: Omit<JobWorkerOptions, 'workerId'> = {
  leaseSeconds: 60,
  pollIntervalMs: 500,
  maxAttempts: 3,
};

export interface JobWorker {
  /** Wakes the worker now (a job was just queued) instead of at the next poll. */
  notify(): void;
  /** Finishes the current document, hands an unfinished job back to the queue, and stops. */
  stop(): Promise<void>;
}

/** Processes queued ingestion jobs until stopped; several workers may share one queue. */
export function startJobWorker(context: IngestContext, options: JobWorkerOptions): JobWorker {
  let stopping = false;
  let wake: (() => void) | undefined;
  const sleep = (milliseconds: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, milliseconds);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const loop = (async () => {
    while (!stopping) {
      let job: Job | undefined;
      try {
        job = await claimNextJob(context.database, options);
        if (job) await runJob(context, job, options, () => stopping);
      } catch (error) {
        options.onError?.(error, job);
      }
      if (!job && !stopping) await sleep(options.pollIntervalMs);
    }
  })();

  return {
    notify: () => wake?.(),
    async stop() {
      stopping = true;
      wake?.();
      await loop;
    },
  };
}

async function runJob(
  context: IngestContext,
  job: Job,
  options: JobWorkerOptions,
  isStopping: () => boolean,
): Promise<void> {
  const { workerId, leaseSeconds } = options;
  if (job.attempts > options.maxAttempts) {
    await finishJob(context.database, {
      jobId: job.id,
      workerId,
      status: 'failed',
      error: `Gave up after ${options.maxAttempts} attempts: the workers processing it stopped before finishing`,
    });
    options.onJobDone?.(job, 'failed');
    return;
  }
  const renewal = setInterval(() => {
    renewJobLease(context.database, { jobId: job.id, workerId, leaseSeconds }).catch((error: unknown) =>
      options.onError?.(error, job),
    );
  }, (leaseSeconds * 1000) / 3);
  try {
    const kb = await getKnowledgeBaseById(context.database, job.kbId);
    assertEmbedderMatches(kb, context.embedderSpec);
    const items = await pendingJobItems(context.database, job.id);
    for (const item of items) {
      if (item.status !== 'queued') continue;
      if (isStopping()) {
        await releaseJob(context.database, { jobId: job.id, workerId });
        return;
      }
      try {
        const bytes = await jobItemContent(context.database, job.id, item.ordinal);
        const outcome = await ingestDocument(context, kb, {
          source: item.source,
          bytes,
          ...(item.contentType ? { contentType: item.contentType } : {}),
          title: item.title,
          url: item.url,
          metadata: item.metadata,
          tags: item.tags,
        });
        await completeJobItem(context.database, {
          jobId: job.id,
          ordinal: item.ordinal,
          status: 'succeeded',
          outcome: outcome.outcome,
          documentId: outcome.documentId,
        });
      } catch (error) {
        // The database going away is not this document's fault: the job is retried later.
        if (isOrioleError(error) && error.code === 'upstream_unavailable') throw error;
        const message = isOrioleError(error) ? error.message : `unexpected error: ${(error as Error).message}`;
        await markDocumentFailed(context.database, { kbId: kb.id, source: item.source, error: message });
        await completeJobItem(context.database, { jobId: job.id, ordinal: item.ordinal, status: 'failed', error: message });
      }
    }
    const finished = await pendingJobItems(context.database, job.id);
    const failures = finished.filter((item) => item.status === 'failed');
    const status = failures.length === 0 ? 'succeeded' : 'failed';
    await finishJob(context.database, {
      jobId: job.id,
      workerId,
      status,
      ...(failures.length > 0
        ? {
            error: `${failures.length} of ${finished.length} document(s) failed: ${failures
              .slice(0, 5)
              .map((item) => `${item.source}: ${item.error}`)
              .join('; ')}`,
          }
        : {}),
      result: {
        documents: finished.map((item) => ({
          source: item.source,
          documentId: item.documentId,
          status: item.status,
          outcome: item.outcome,
          error: item.error,
        })),
      },
    });
    options.onJobDone?.(job, status);
  } catch (error) {
    if (isOrioleError(error) && error.code !== 'upstream_unavailable') {
      await finishJob(context.database, { jobId: job.id, workerId, status: 'failed', error: error.message });
      options.onJobDone?.(job, 'failed');
      return;
    }
    throw error;
  } finally {
    clearInterval(renewal);
  }
}
