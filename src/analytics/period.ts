import { invalidRequest } from '../core/index.ts';

/** The reporting window: answers asked at or after `from` and before `to`. */
export interface Period {
  from: Date;
  to: Date;
}

export const periodDefaults = {
  /** The window when neither `from` nor `days` is given: the last 30 days. */
  days: 30,
  /** The longest window one report covers; longer ones are refused rather than scanned. */
  maxDays: 366,
} as const;

const dayMs = 24 * 60 * 60 * 1000;
const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;
const dateTimePattern = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Whether `text` is an ISO 8601 date (`2026-03-01`, a UTC day) or a date-time with a
 * zone (`2026-03-01T09:30:00Z`, `…+02:00`): a date-time without one would depend on
 * the server's time zone.
 */
export function isIsoDate(text: string): boolean {
  return parseInstant(text, 'start') !== undefined;
}

/**
 * The window from `from`/`to` (ISO dates) or `days` back from `now`. A date alone in `to`
 * means the end of that day (UTC), so `from=2026-03-01&to=2026-03-31` is all of March.
 * Defaults: `to` now, `from` 30 days before `to`. Invalid dates, `from` not before `to`,
 * `days` together with `from`, and windows over 366 days are `invalid_request`.
 */
export function resolvePeriod(input: { from?: string; to?: string; days?: number }, now: Date): Period {
  if (input.days !== undefined && input.from !== undefined) {
    throw invalidRequest('Give either days or from (with to), not both', { days: input.days, from: input.from });
  }
  if (input.days !== undefined && (!Number.isInteger(input.days) || input.days < 1 || input.days > periodDefaults.maxDays)) {
    throw invalidRequest(`days must be an integer from 1 to ${periodDefaults.maxDays}`, { days: input.days });
  }
  const to = input.to === undefined ? now : instantOrThrow('to', input.to, 'end');
  const from =
    input.from === undefined
      ? new Date(to.getTime() - (input.days ?? periodDefaults.days) * dayMs)
      : instantOrThrow('from', input.from, 'start');
  if (from.getTime() >= to.getTime()) {
    throw invalidRequest(`from (${from.toISOString()}) must be before to (${to.toISOString()})`, {
      from: from.toISOString(),
      to: to.toISOString(),
    });
  }
  if (to.getTime() - from.getTime() > periodDefaults.maxDays * dayMs) {
    throw invalidRequest(`The period is longer than ${periodDefaults.maxDays} days; report on shorter periods`, {
      from: from.toISOString(),
      to: to.toISOString(),
    });
  }
  return { from, to };
}

/** The UTC days (`YYYY-MM-DD`) the period touches, in order. */
export function daysOf(period: Period): string[] {
  const days: string[] = [];
  const last = new Date(period.to.getTime() - 1);
  for (let day = startOfUtcDay(period.from); day <= last; day = new Date(day.getTime() + dayMs)) {
    days.push(day.toISOString().slice(0, 10));
  }
  return days;
}

function instantOrThrow(name: 'from' | 'to', text: string, edge: 'start' | 'end'): Date {
  const instant = parseInstant(text, edge);
  if (!instant) {
    throw invalidRequest(`${name} must be an ISO 8601 date (2026-03-01) or date-time with a zone (2026-03-01T09:30:00Z)`, {
      [name]: text.slice(0, 64),
    });
  }
  return instant;
}

/** The instant of an ISO date (its start, or with `end` its end: the next midnight UTC) or zoned date-time; undefined when invalid. */
export function parseInstant(text: string, edge: 'start' | 'end'): Date | undefined {
  const date = datePattern.exec(text);
  if (date) {
    const day = utcDay(Number(date[1]), Number(date[2]), Number(date[3]));
    if (!day) return undefined;
    return edge === 'start' ? day : new Date(day.getTime() + dayMs);
  }
  const dateTime = dateTimePattern.exec(text);
  if (!dateTime || !utcDay(Number(dateTime[1]), Number(dateTime[2]), Number(dateTime[3]))) return undefined;
  const instant = new Date(text);
  return Number.isNaN(instant.getTime()) ? undefined : instant;
}

/** Midnight UTC of that day, or undefined for a day that does not exist (2026-02-30). */
function utcDay(year: number, month: number, day: number): Date | undefined {
  const date = new Date(Date.UTC(year, month - 1, day));
  const valid = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return valid ? date : undefined;
}

function startOfUtcDay(instant: Date): Date {
  return new Date(Date.UTC(instant.getUTCFullYear(), instant.getUTCMonth(), instant.getUTCDate()));
}
