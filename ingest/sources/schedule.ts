import { Cron } from 'croner';
import { invalidRequest } from '../../src/core/index.ts';

/** A source's schedule: every fixed interval, or at the times a cron expression names (UTC). */
export type SyncSchedule = { kind: 'interval'; ms: number; text: string } | { kind: 'cron'; cron: Cron; text: string };

/** Shorter intervals would hammer the platforms' rate limits for articles that change weekly. */
export const minimumIntervalMs = 5 * 60_000;

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
    return { kind: 'interval', ms, text: trimmed };
  }
  if (trimmed.split(/\s+/).length < 5) {
    throw invalidRequest(`schedule '${text}' is neither an interval like "6h" / "30m" / "1d" nor a cron expression like "0 3 * * *"`, {
      field: 'schedule',
    });
  }
  try {
    return { kind: 'cron', cron: new Cron(trimmed, { timezone: 'UTC', paused: true }), text: trimmed };
  } catch (error) {
    throw invalidRequest(`schedule '${text}' is not a valid cron expression: ${(error as Error).message}`, { field: 'schedule' });
  }
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
