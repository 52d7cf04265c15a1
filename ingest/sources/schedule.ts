import { Cron } from 'croner';
import { invalidRequest } from '../../src/core/index.ts';

/** A source's schedule: every fixed interval, or at the times a cron expression names (UTC). */
export type SyncSchedule = { kind: 'interval'; ms: number; text: string } | { kind: 'cron'; cron: Cron; text: string };

/** Shorter intervals would hammer the platforms' rate limits for articles that change weekly. */
export const minimumIntervalMs = 5 * 60_000;

/** A hundred years: a longer interval would name a date past what a timestamp holds (a 500 instead of a 400). */
export const maximumIntervalMs = 36_500 * 86_400_000;

/** Runs of a cron expression whose spacing is checked against the minimum (its next ones). */
const cronRunsChecked = 64;

const units: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Reads `"6h"`, `"30m"`, `"1d"` or a five- or six-field cron expression (`"0 3 * * *"`,
 * in UTC). Throws `invalid_request` naming the field `schedule`.
 */
export function parseSchedule(text: string): SyncSchedule {
  const trimmed = text.trim();
  const interval = /^(\d+)\s*([mhd])$/i.exec(trimmed);
  if (interval) {
    const ms = Number(interval[1]) * units[interval[2]!.toLowerCase()]!;
    if (ms < minimumIntervalMs) {
      throw invalidRequest(`schedule '${text}' is shorter than the minimum of 5m`, { field: 'schedule' });
    }
    if (ms > maximumIntervalMs) {
      throw invalidRequest(`schedule '${text}' is longer than the maximum of 36500d; leave the schedule out to sync on request only`, {
        field: 'schedule',
      });
    }
    return { kind: 'interval', ms, text: trimmed };
  }
  if (trimmed.split(/\s+/).length < 5) {
    throw invalidRequest(`schedule '${text}' is neither an interval like "6h" / "30m" / "1d" nor a cron expression like "0 3 * * *"`, {
      field: 'schedule',
    });
  }
  let cron: Cron;
  try {
    // A fixed UTC offset: the times of UTC, without a time-zone lookup for each of them.
    cron = new Cron(trimmed, { utcOffset: 0, paused: true });
  } catch (error) {
    throw invalidRequest(`schedule '${text}' is not a valid cron expression: ${(error as Error).message}`, { field: 'schedule' });
  }
  // The minimum holds for cron expressions too: "* * * * *" would sync every minute.
  const runs = cron.nextRuns(cronRunsChecked);
  if (runs.length === 0) {
    throw invalidRequest(`schedule '${text}' never runs (no date matches it)`, { field: 'schedule' });
  }
  if (runs.some((run, index) => index > 0 && run.getTime() - runs[index - 1]!.getTime() < minimumIntervalMs)) {
    throw invalidRequest(`schedule '${text}' runs more often than the minimum of every 5m`, { field: 'schedule' });
  }
  return { kind: 'cron', cron, text: trimmed };
}

/**
 * When a source runs next, counted from `after` (the end of the last claim, not the
 * missed due time): a worker that was down for a day runs a missed sync once, not once
 * per missed slot.
 */
export function nextRunAfter(schedule: SyncSchedule, after: Date): Date {
  if (schedule.kind === 'interval') return new Date(after.getTime() + schedule.ms);
  return schedule.cron.nextRun(after) ?? new Date(after.getTime() + 365 * 86_400_000);
}
