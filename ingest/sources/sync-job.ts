import { isOrioleError } from '../../src/core/index.ts';
import { getContentSource, recordSyncRun, updateJobProgress, type ContentSource, type Database, type Job } from '../../src/db/index.ts';
import type { JobControl, JobOutcome } from '../../src/jobs/index.ts';
import { syncSource, type SyncDependencies } from './sync-source.ts';

/** Items listed in a sync job's result; the counts cover them all. */
const listedItemsLimit = 1_000;

/**
 * Runs a sync job (`POST /sources/:id/sync`, or queued by the scheduler). The job
 * fails when the run did not fully succeed, so `oriole sources sync` exits 1 then; the
 * source's own status (`lastRun`, `lastError`) says what happened either way.
 */
export async function runSyncJob(dependencies: SyncDependencies, job: Job, control: JobControl): Promise<JobOutcome> {
  const { sourceId, full } = job.payload as { sourceId: string; full?: boolean };
  let source: ContentSource;
  try {
    source = await getContentSource(dependencies.ingest.database, sourceId);
  } catch (error) {
    if (isOrioleError(error) && error.code === 'not_found') return { status: 'failed', error: `Source ${sourceId} was removed before it synced` };
    throw error;
  }
  const result = await syncSource(
    dependencies,
    source,
    {
      signal: control.signal,
      isStopping: () => control.isStopping(),
      onProgress: (processed) =>
        updateJobProgress(dependencies.ingest.database, { jobId: job.id, workerId: control.workerId, done: processed, total: processed }),
    },
    { full: full === true },
  );
  if (result.status === 'released') return { status: 'released' };
  const outcome = {
    sourceId,
    run: result.run,
    items: result.items.slice(0, listedItemsLimit),
    ...(result.items.length > listedItemsLimit ? { itemsOmitted: result.items.length - listedItemsLimit } : {}),
  };
  if (result.run.status === 'succeeded') return { status: 'succeeded', result: outcome };
  return { status: 'failed', error: result.error ?? `The sync ${result.run.status === 'partial' ? 'partly ' : ''}failed`, result: outcome };
}

/** A sync job given up on (its workers kept dying): the source shows the failed run. */
export async function recordAbandonedSync(database: Database, job: Job, reason: string): Promise<void> {
  const { sourceId } = job.payload as { sourceId: string };
  const at = new Date().toISOString();
  await recordSyncRun(database, {
    sourceId,
    run: { status: 'failed', mode: 'full', added: 0, updated: 0, unchanged: 0, deleted: 0, failed: 0, startedAt: at, finishedAt: at },
    error: reason,
  });
}
