import { afterEach, describe, expect, it } from 'vitest';
import { isOrioleError, type OrioleError } from '../../../src/core/index.ts';
import { minimumIntervalMs, nextRunAfter, parseSchedule } from '../../../ingest/sources/schedule.ts';

/** The error `parseSchedule` threw, or a failure when it threw none. */
function refusal(text: string): OrioleError {
  try {
    parseSchedule(text);
  } catch (error) {
    if (isOrioleError(error)) return error;
    throw error;
  }
  throw new Error(`parseSchedule('${text}') was accepted`);
}

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;

describe('parseSchedule', () => {
  it('reads intervals in minutes, hours and days', () => {
    expect(parseSchedule('30m')).toEqual({ kind: 'interval', ms: 30 * minute, text: '30m' });
    expect(parseSchedule('6h')).toEqual({ kind: 'interval', ms: 6 * hour, text: '6h' });
    expect(parseSchedule('1d')).toEqual({ kind: 'interval', ms: day, text: '1d' });
    // Surrounding blanks are not part of what is stored; the unit's case does not matter.
    expect(parseSchedule('  12H ')).toMatchObject({ kind: 'interval', ms: 12 * hour, text: '12H' });
  });

  it('accepts the minimum interval of 5m and refuses anything shorter, naming the field', () => {
    expect(minimumIntervalMs).toBe(5 * minute);
    expect(parseSchedule('5m')).toMatchObject({ kind: 'interval', ms: 5 * minute });
    for (const text of ['4m', '1m', '0m', '0h', '0d']) {
      const error = refusal(text);
      expect(error.code, text).toBe('invalid_request');
      expect(error.details, text).toEqual({ field: 'schedule' });
      expect(error.message, text).toContain('5m');
    }
  });

  it('refuses text that is neither an interval nor a cron expression, naming the field', () => {
    const garbage = [
      '',
      '   ',
      'soon',
      'daily',
      '6',
      '6x',
      '6 h x',
      '-6h',
      '1.5h',
      'every 6h',
      '6h30m',
      '@daily',
      '0 3 * *',
      '61 3 * * *',
      '0 25 * * *',
      'a b c d e',
      '0 3 * * * * * *',
    ];
    for (const text of garbage) {
      const error = refusal(text);
      expect(error.code, JSON.stringify(text)).toBe('invalid_request');
      expect(error.details, JSON.stringify(text)).toEqual({ field: 'schedule' });
    }
  });

  it('refuses an interval too long to name a date (a 500 when stored) and accepts long ones up to 36500d', () => {
    // 10^15 days is past the last date JavaScript (and PostgreSQL) can hold.
    for (const text of ['1000000000000000d', '99999999999999999999h', '36501d']) {
      const error = refusal(text);
      expect(error.code, text).toBe('invalid_request');
      expect(error.details, text).toEqual({ field: 'schedule' });
    }
    expect(parseSchedule('36500d')).toMatchObject({ kind: 'interval' });
    expect(parseSchedule('365d')).toMatchObject({ kind: 'interval', ms: 365 * day });
  });

  it('holds cron expressions to the same minimum: none may run more often than every 5m', () => {
    for (const text of ['* * * * *', '*/2 * * * *', '* * * * * *', '0,3 3 * * *', '*/30 * * * * *', '0-4 3 * * 1']) {
      const error = refusal(text);
      expect(error.code, text).toBe('invalid_request');
      expect(error.details, text).toEqual({ field: 'schedule' });
      expect(error.message, text).toContain('5m');
    }
    for (const text of ['*/5 * * * *', '0,5 3 * * *', '0 */6 * * *']) expect(parseSchedule(text).kind, text).toBe('cron');
  });

  it('reads five- and six-field cron expressions', () => {
    const daily = parseSchedule('0 3 * * *');
    expect(daily.kind).toBe('cron');
    expect(daily.text).toBe('0 3 * * *');
    expect(parseSchedule(' 30 0 3 * * 1 ')).toMatchObject({ kind: 'cron', text: '30 0 3 * * 1' });
  });
});

describe('nextRunAfter', () => {
  const originalTimeZone = process.env.TZ;
  afterEach(() => {
    if (originalTimeZone === undefined) delete process.env.TZ;
    else process.env.TZ = originalTimeZone;
  });

  it('counts an interval from the given time', () => {
    const after = new Date('2024-05-01T10:17:23.456Z');
    expect(nextRunAfter(parseSchedule('30m'), after).toISOString()).toBe('2024-05-01T10:47:23.456Z');
    expect(nextRunAfter(parseSchedule('6h'), after).toISOString()).toBe('2024-05-01T16:17:23.456Z');
    expect(nextRunAfter(parseSchedule('1d'), after).toISOString()).toBe('2024-05-02T10:17:23.456Z');
  });

  it('runs "0 3 * * *" at 03:00 UTC, whatever the time zone of the process', () => {
    // A zone far from UTC (and not a whole hour off): a cron read in local time would run at 03:00 Kolkata, 21:30 UTC.
    for (const zone of ['UTC', 'Asia/Kolkata', 'America/Los_Angeles']) {
      process.env.TZ = zone;
      const schedule = parseSchedule('0 3 * * *');
      expect(nextRunAfter(schedule, new Date('2024-05-01T02:59:59.000Z')).toISOString(), zone).toBe('2024-05-01T03:00:00.000Z');
      expect(nextRunAfter(schedule, new Date('2024-05-01T10:00:00.000Z')).toISOString(), zone).toBe('2024-05-02T03:00:00.000Z');
      // Strictly after: a claim made at 03:00:00 does not name 03:00:00 again.
      expect(nextRunAfter(schedule, new Date('2024-05-01T03:00:00.000Z')).toISOString(), zone).toBe('2024-05-02T03:00:00.000Z');
      // Across a month's end (and a daylight-saving change in the zones that have one).
      expect(nextRunAfter(schedule, new Date('2024-03-31T03:00:00.500Z')).toISOString(), zone).toBe('2024-04-01T03:00:00.000Z');
      expect(nextRunAfter(schedule, new Date('2024-03-10T04:00:00.000Z')).toISOString(), zone).toBe('2024-03-11T03:00:00.000Z');
    }
  });

  it('follows a weekday cron expression in UTC', () => {
    // Mondays at 06:30 UTC; 2024-05-01 is a Wednesday.
    const schedule = parseSchedule('30 6 * * 1');
    expect(nextRunAfter(schedule, new Date('2024-05-01T12:00:00Z')).toISOString()).toBe('2024-05-06T06:30:00.000Z');
  });

  it('makes a run missed for days due once: the next one is counted from now, not from the missed slot', () => {
    const now = new Date('2024-05-10T12:00:00Z');
    const missedSince = new Date('2024-05-07T00:00:00Z');
    const interval = parseSchedule('6h');
    const next = nextRunAfter(interval, now);
    // Counted from the missed slot, the next run would still be in the past (due again at once, a dozen times over).
    expect(nextRunAfter(interval, missedSince).getTime()).toBeLessThan(now.getTime());
    expect(next.toISOString()).toBe('2024-05-10T18:00:00.000Z');

    const cron = parseSchedule('0 3 * * *');
    expect(nextRunAfter(cron, now).toISOString()).toBe('2024-05-11T03:00:00.000Z');
  });

  it('refuses a cron expression that never runs, naming the field', () => {
    // 30 February never comes.
    expect(() => parseSchedule('0 0 30 2 *')).toThrow(expect.objectContaining({ code: 'invalid_request', details: { field: 'schedule' } }));
  });
});
