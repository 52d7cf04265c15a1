import { lockDueSources, queueSourceSync, setSourceNextRun, type Database, type Job } from '../../src/db/index.ts';
import { nextRunAfter, parseSchedule } from './schedule.ts';

export interface SyncSchedulerSettings {
  /** How often due sources are looked for. */
  intervalMs: number;
  /** Told about each sync it queued (to wake a job worker). */
  onQueued?: (job: Job) => void;
  onError?: (error: unknown) => void;
}

export const defaultSyncSchedulerSettings = { intervalMs: 30_000 } as const;

/** Sources claimed per transaction: keeps each one short when many come due at once. */
const claimBatch = 20;

export interface SyncScheduler {
  /** Queues the syncs due now; resolves to how many it queued. */
  tick(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Queues each source's sync when its schedule comes due, in every `oriole serve` and
 * `oriole worker` process at once, safely: the due rows are locked with SKIP LOCKED and
 * moved to their next run in the same transaction that queues the job, so one scheduler
 * claims each due run, and the job queue allows one pending sync per source. The next
 * run is counted from now, so a run missed while every process was down runs once.
 */
export function startSyncScheduler(database: Database, settings: SyncSchedulerSettings): SyncScheduler {
  let stopped = false;
  let running: Promise<number> | null = null;

  async function claimDue(): Promise<number> {
    let queued = 0;
    for (;;) {
      const jobs = await database.transaction(async (transaction) => {
        const { sources, now } = await lockDueSources(transaction, claimBatch);
        const created: Job[] = [];
        for (const source of sources) {
          await setSourceNextRun(transaction, source.id, nextRunOrNull(source.schedule, now));
          const { job, created: isNew } = await queueSourceSync(transaction, { sourceId: source.id, kbId: source.kbId, trigger: 'schedule' });
          if (isNew) created.push(job);
        }
        return { created, claimed: sources.length };
      });
      queued += jobs.created.length;
      for (const job of jobs.created) settings.onQueued?.(job);
      if (jobs.claimed < claimBatch || stopped) return queued;
    }
  }

  function tick(): Promise<number> {
    running ??= claimDue().finally(() => {
      running = null;
    });
    return running;
  }

  const timer = setInterval(() => {
    if (!stopped) tick().catch((error: unknown) => settings.onError?.(error));
  }, settings.intervalMs);
  timer.unref();
  // Missed runs are due at start, so they run now rather than one interval later.
  tick().catch((error: unknown) => settings.onError?.(error));

  return {
    tick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}

/** A schedule that no longer parses (stored before a rule changed) stops the source's schedule rather than the scheduler. */
function nextRunOrNull(schedule: string, now: Date): Date | null {
  try {
    return nextRunAfter(parseSchedule(schedule), now);
  } catch {
    return null;
  }
}
