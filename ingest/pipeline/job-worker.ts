import { assertEmbedderMatches, isOrioleError, type IngestedDocumentOutcome } from '../../src/core/index.ts';
import {
  completeJobItem,
  getKnowledgeBaseById,
  jobItemContent,
  markDocumentFailed,
  pendingJobItems,
  releaseDocumentReservation,
  type Job,
  type JobItem,
  type JobKind,
  type KnowledgeBase,
} from '../../src/db/index.ts';
import {
  defaultJobLoopSettings,
  startJobLoop,
  type JobControl,
  type JobLoopSettings,
  type JobOutcome,
  type JobWorker,
} from '../../src/jobs/index.ts';
import { ingestDocument, type IngestContext } from './ingest-document.ts';
import { runCrawlJob, type CrawlPages } from './crawl-job.ts';
import { recordAbandonedSync, runSyncJob } from '../sources/sync-job.ts';
import type { SyncDependencies } from '../sources/sync-source.ts';

export interface JobWorkerOptions extends JobLoopSettings {
  /** Told about each document of a job once it was ingested or failed (for metrics); not about retried ones. */
  onDocumentIngested?: (ingested: { outcome: IngestedDocumentOutcome; seconds: number }) => void;
  /** Crawls a site for crawl jobs (POST /documents `{ url }`); without it the worker leaves crawl jobs to others. */
  crawl?: CrawlPages;
  /** Connectors for source syncs (docs/sources.md); without them the worker leaves sync jobs to others. */
  sync?: SyncDependencies;
}
export type { JobWorker };

export const defaultJobWorkerOptions: Omit<JobWorkerOptions, 'workerId'> = defaultJobLoopSettings;

/**
 * Processes queued ingestion jobs until stopped; several workers may share one queue.
 * On stop it finishes the current document and hands the rest of the job back.
 */
export function startJobWorker(context: IngestContext, options: JobWorkerOptions): JobWorker {
  const { crawl, sync } = options;
  const kinds: JobKind[] = ['ingest', ...(crawl ? (['crawl'] as const) : []), ...(sync ? (['sync'] as const) : [])];
  return startJobLoop(
    context.database,
    kinds,
    {
      ...options,
      onGiveUp: (job, reason) =>
        job.kind === 'sync' ? recordAbandonedSync(context.database, job, reason) : failRemainingDocuments(context, job, reason),
    },
    (job, control) => {
      if (job.kind === 'crawl' && crawl) return runCrawlJob(context, crawl, job, control, options.onDocumentIngested);
      if (job.kind === 'sync' && sync) return runSyncJob(sync, job, control);
      return runJob(context, job, control, options.onDocumentIngested);
    },
  );
}

async function runJob(
  context: IngestContext,
  job: Job,
  control: JobControl,
  onDocumentIngested: JobWorkerOptions['onDocumentIngested'],
): Promise<JobOutcome> {
  const kb = await getKnowledgeBaseById(context.database, job.kbId);
  assertEmbedderMatches(kb, context.embedderSpec);
  for (const item of await pendingJobItems(context.database, job.id)) {
    if (item.status !== 'queued') continue;
    if (control.isStopping()) return { status: 'released' };
    const started = performance.now();
    const outcome = await ingestItem(context, kb, item);
    onDocumentIngested?.({ outcome, seconds: (performance.now() - started) / 1000 });
  }
  return jobOutcome(await pendingJobItems(context.database, job.id));
}

/** Ingests one document of the job and records its outcome; only a storage outage escapes. */
async function ingestItem(context: IngestContext, kb: KnowledgeBase, item: JobItem): Promise<IngestedDocumentOutcome> {
  try {
    const bytes = await jobItemContent(context.database, item.jobId, item.ordinal);
    const outcome = await ingestDocument(context, kb, {
      source: item.source,
      bytes,
      ...(item.contentType ? { contentType: item.contentType } : {}),
      title: item.title,
      url: item.url,
      metadata: item.metadata,
      tags: item.tags,
    });
    if (outcome.outcome === 'skipped') {
      // No document was written, so the placeholder the upload reserved goes too.
      await releaseDocumentReservation(context.database, { kbId: kb.id, source: item.source });
      await completeJobItem(context.database, {
        jobId: item.jobId,
        ordinal: item.ordinal,
        status: 'succeeded',
        outcome: 'skipped',
        reason: outcome.reason,
      });
      return 'skipped';
    }
    await completeJobItem(context.database, {
      jobId: item.jobId,
      ordinal: item.ordinal,
      status: 'succeeded',
      outcome: outcome.outcome,
      documentId: outcome.documentId,
    });
    return outcome.outcome;
  } catch (error) {
    // The database going away is not this document's fault: the job is retried later.
    if (isOrioleError(error) && error.code === 'upstream_unavailable') throw error;
    // Any other failure, a parse over budget included, is final: retrying the same bytes fails the same way.
    await failItem(context, kb.id, item, failureReason(error));
    return 'failed';
  }
}

/** A document's failure as stored and shown: the error's stable code first, so clients can branch on it. */
function failureReason(error: unknown): string {
  return isOrioleError(error) ? `${error.code}: ${error.message}` : `unexpected error: ${(error as Error).message}`;
}

async function failItem(context: IngestContext, kbId: string, item: JobItem, reason: string): Promise<void> {
  await markDocumentFailed(context.database, { kbId, source: item.source, error: reason });
  await completeJobItem(context.database, { jobId: item.jobId, ordinal: item.ordinal, status: 'failed', error: reason });
}

/** A job given up on: its documents not yet done fail with the reason instead of staying pending. */
async function failRemainingDocuments(context: IngestContext, job: Job, reason: string): Promise<void> {
  for (const item of await pendingJobItems(context.database, job.id)) {
    if (item.status === 'queued') await failItem(context, job.kbId, item, reason);
  }
}

/** The job fails when any of its documents did (a skipped one did not); the result lists each document's outcome. */
function jobOutcome(finished: JobItem[]): JobOutcome {
  const failures = finished.filter((item) => item.status === 'failed');
  return {
    status: failures.length === 0 ? 'succeeded' : 'failed',
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
        reason: item.reason,
      })),
    },
  };
}
