/**
 * The values a sentence states (a price, a duration, a date, a number with its unit, a
 * version), read so that two sentences can be compared: "$19/month" and "$29 per month"
 * are both US dollars a month, "14 天" and "30 天" both days. Pure; English and Chinese.
 *
 * Each value carries a `key` (what it is measured in, with any bound such as "up to") and
 * only values of one key are compared: "$19/month" and "$190/year", "14 days" and "10
 * business days", "from $9" and "$19" are never said to differ. A range ("5–10 business
 * days") is an interval, and differs from another value only when they do not overlap.
 */

import type { SourceConflict } from '../core/index.ts';

export type ValueKind = SourceConflict['kind'];
export const valueKinds = ['price', 'duration', 'date', 'number', 'version'] as const satisfies readonly ValueKind[];

export interface StatedValue {
  kind: ValueKind;
  /** What it is measured in, and its bound: "USD/month", "business day", "max:user", "date:day". */
  key: string;
  /** The interval it states (low = high for one value); dates as YYYYMMDD, versions not at all. */
  low: number;
  high: number;
  /** A version's normalized form ("4.3" for "v4.3.0"); undefined for the other kinds. */
  version?: string;
  /** As written, bound and period included ("up to 10 users", "$19/month", "每月 ¥99"). */
  written: string;
  /** Where it stands in the text. */
  start: number;
  end: number;
}

/** Whether two values of one key say different things: their intervals do not overlap, or versions differ. */
export function valuesDiffer(left: StatedValue, right: StatedValue): boolean {
  if (left.kind === 'version' || right.kind === 'version') return left.version !== right.version;
  return left.high < right.low || right.high < left.low;
}

/** The one value shared by a group of equal values, for display and grouping: "19 USD/month", "4.3". */
export function canonicalValue(value: StatedValue): string {
  if (value.version !== undefined) return value.version;
  const number = value.low === value.high ? `${value.low}` : `${value.low}-${value.high}`;
  return `${number} ${value.key}`;
}

// ── Patterns ───────────────────────────────────────────────────────────────────────

const amount = String.raw`\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?`;
const rangeJoin = String.raw`\s*(?:-|–|—|~|～|to|至|到)\s*`;

const currencySymbols: Record<string, string> = {
  $: 'USD', us$: 'USD', usd: 'USD', dollar: 'USD', dollars: 'USD', 美元: 'USD',
  '€': 'EUR', eur: 'EUR', euro: 'EUR', euros: 'EUR', 欧元: 'EUR',
  '£': 'GBP', gbp: 'GBP', 英镑: 'GBP',
  '¥': 'CNY', '￥': 'CNY', rmb: 'CNY', cny: 'CNY', 元: 'CNY', 块: 'CNY', 人民币: 'CNY',
};
const pricePrefix = new RegExp(
  String.raw`(US\$|\$|€|£|¥|￥|RMB|CNY|USD|EUR|GBP)\s?(${amount})(?:${rangeJoin}(?:US\$|\$|€|£|¥|￥)?\s?(${amount}))?`,
  'giu',
);
const priceSuffix = new RegExp(
  String.raw`(?<![\d.,$€£¥￥])(${amount})(?:${rangeJoin}(${amount}))?\s?(usd|eur|gbp|cny|rmb|dollars?|euros?|美元|欧元|英镑|人民币|元|块)(?![a-z])`,
  'giu',
);

const periodWords: Record<string, string> = {
  month: 'month', months: 'month', mo: 'month', monthly: 'month', 月: 'month', 个月: 'month', 月付: 'month', 按月: 'month', 包月: 'month', 月费: 'month',
  year: 'year', years: 'year', yr: 'year', annum: 'year', annually: 'year', yearly: 'year', annual: 'year', 年: 'year', 年付: 'year', 按年: 'year', 包年: 'year', 年费: 'year',
  week: 'week', weekly: 'week', 周: 'week',
  day: 'day', daily: 'day', 天: 'day', 日: 'day',
  user: 'seat', users: 'seat', seat: 'seat', seats: 'seat', member: 'seat', members: 'seat', 人: 'seat', 用户: 'seat', 席位: 'seat',
};
// "/month", "per user", "a month", "each month", ", billed annually", "/月", "每年".
const periodAfter = /^(?:,?\s*(?=billed|paid)|\s*)(?:(?:\/|per|a|an|each|every|billed|paid|每)\s*)?(months?|mo|years?|yr|annum|annually|yearly|monthly|weekly|daily|weeks?|days?|users?|seats?|members?|个月|月|年|周|天|人|用户|席位)(?![a-z])/iu;
// "每月 ¥99", "年付 ¥999", "monthly: $19", "annual price $190".
const periodBefore = /(每月|每年|每周|每人|月付|年付|按月|按年|包月|包年|月费|年费|monthly|annually|yearly|annual)\s*(?:价格|费用|收费|price|cost|fee)?\s*(?:为|是|:|：)?\s*$/iu;

const timeUnits: Record<string, string> = {
  second: 'second', seconds: 'second', sec: 'second', secs: 'second', 秒: 'second',
  minute: 'minute', minutes: 'minute', min: 'minute', mins: 'minute', 分钟: 'minute',
  hour: 'hour', hours: 'hour', hr: 'hour', hrs: 'hour', 小时: 'hour',
  day: 'day', days: 'day', 天: 'day', 日: 'day', 自然日: 'day',
  week: 'week', weeks: 'week', 周: 'week', 星期: 'week', 个星期: 'week',
  month: 'month', months: 'month', 月: 'month', 个月: 'month',
  year: 'year', years: 'year', 年: 'year',
  工作日: 'business day', 个工作日: 'business day',
};
const durationEnglish = new RegExp(
  String.raw`(?<![\d.,$€£¥￥])(${amount})(?:${rangeJoin}(${amount}))?(?:\s+|-)(?:(business|working|calendar)[\s-]+)?(seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)(?![a-z])`,
  'giu',
);
const durationChinese = new RegExp(String.raw`(?<![\d.,$€£¥￥])(${amount})(?:${rangeJoin}(${amount}))?\s*(个工作日|工作日|自然日|个星期|星期|个月|小时|分钟|天|周|秒|日|年|月)`, 'gu');

const monthNumbers: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, sept: 9, oct: 10, nov: 11, dec: 12,
};
const monthName = String.raw`(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)`;
const datePatterns: Array<{ pattern: RegExp; parts: (match: RegExpExecArray) => [number, number?, number?] }> = [
  { pattern: /\b(\d{4})-(\d{1,2})-(\d{1,2})\b/gu, parts: (m) => [Number(m[1]), Number(m[2]), Number(m[3])] },
  { pattern: /(\d{4})\s*年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*[日号])?/gu, parts: (m) => [Number(m[1]), Number(m[2]), m[3] ? Number(m[3]) : undefined] },
  {
    pattern: new RegExp(String.raw`\b${monthName}\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b`, 'giu'),
    parts: (m) => [Number(m[3]), monthNumber(m[1]!), Number(m[2])],
  },
  {
    pattern: new RegExp(String.raw`\b(\d{1,2})(?:st|nd|rd|th)?\s+${monthName}\.?,?\s+(\d{4})\b`, 'giu'),
    parts: (m) => [Number(m[3]), monthNumber(m[2]!), Number(m[1])],
  },
  { pattern: new RegExp(String.raw`\b${monthName}\.?,?\s+(\d{4})\b`, 'giu'), parts: (m) => [Number(m[2]), monthNumber(m[1]!)] },
  { pattern: /(?<![\d.,$€£¥￥-])\b((?:19|20)\d{2})\b(?![.,]\d|-\d|\s*年\s*\d)/gu, parts: (m) => [Number(m[1])] },
  { pattern: /(?<!\d)((?:19|20)\d{2})\s*年(?!\s*\d)/gu, parts: (m) => [Number(m[1])] },
];

const versionPattern = /(?<![\d.,$€£¥￥\w])(?:(v|version\s*|版本\s*)(\d+(?:\.\d+){0,3})|(\d+(?:\.\d+){1,3}))(?![\d\w%]|\.\d)/giu;

// A number, then the word it counts: "10 users", "50 GB", "20%", "10 个成员".
const countedNumber = new RegExp(
  String.raw`(?<![\d.,$€£¥￥\p{L}_-])(${amount})(?:${rangeJoin}(${amount}))?(?:\s*(%)|\s?([a-z][a-z-]*)|\s*(?:个|位|名|条|台|张|次|项|份|家)?\s*(\p{Script=Han}{1,2}))`,
  'giu',
);
/** Words after a number that say nothing about what it counts ("10 or", "5 and"), or are another kind's unit. */
const notCountUnits = new Set([
  'a', 'an', 'and', 'or', 'to', 'of', 'in', 'on', 'at', 'by', 'for', 'per', 'the', 'is', 'are', 'was', 'with', 'from', 'than', 'times', 'x',
  ...Object.keys(timeUnits), ...Object.keys(currencySymbols), 'business', 'working', 'calendar', 'st', 'nd', 'rd', 'th',
]);
const notCountHan = /^(?:个?月|年|日|号|天|周|星期|小时|分钟|秒|元|块|美元|欧元|工作|个工|自然|版本|以上|以下|以内|之内|左右|起|至|到)/u;

// Bounds: "from $9", "up to 10 users", "at least 2", "最多 10 个", "¥99 起", "3 天以内".
const lowerBoundBefore = /(?:\bfrom|\bstarting (?:at|from)|\bstarts at|\bas low as|\bat least|\bmore than|\bover|\bminimum(?: of)?|\bmin\.?|至少|不少于|最少|最低|低至|超过|大于)\s*$/iu;
const upperBoundBefore = /(?:\bup to|\bat most|\bno more than|\bnot more than|\bless than|\bunder|\bmaximum(?: of)?|\bmax\.?|\bbelow|最多|至多|不超过|最高|高达|少于|小于)\s*$/iu;
const approximateBefore = /(?:\babout|\baround|\bapproximately|\broughly|\bnearly|\balmost|~|约|大约|大概|将近|近)\s*$/iu;
const lowerBoundAfter = /^\s*(?:\+|or more\b|or later\b|or newer\b|or higher\b|or above\b|and (?:above|up|later|newer)\b|起|以上|及以上|或更高|或以上)/iu;
const upperBoundAfter = /^\s*(?:or less\b|or fewer\b|or earlier\b|or below\b|以下|以内|之内|及以下|或更少)/iu;
const approximateAfter = /^\s*(?:左右|上下|or so\b)/iu;

/** The values of `kind` that `text` states, in order. */
export function statedValues(text: string, kind: ValueKind): StatedValue[] {
  switch (kind) {
    case 'price':
      return withoutOverlaps([...matches(text, pricePrefix, (m) => priceValue(text, m, m[1]!, m[2]!, m[3])), ...matches(text, priceSuffix, (m) => priceValue(text, m, m[3]!, m[1]!, m[2]))]);
    case 'duration':
      return withoutOverlaps([
        ...matches(text, durationEnglish, (m) => durationValue(text, m, m[4]!, m[3])),
        ...matches(text, durationChinese, (m) => (isPartOfDate(text, m) ? undefined : durationValue(text, m, m[3]!, undefined))),
      ]);
    case 'date':
      return withoutOverlaps(datePatterns.flatMap(({ pattern, parts }) => matches(text, pattern, (m) => dateValue(text, m, parts(m)))));
    case 'version':
      return matches(text, versionPattern, (m) => versionValue(text, m));
    case 'number':
      return matches(text, countedNumber, (m) => countValue(text, m));
  }
}

function matches(text: string, pattern: RegExp, read: (match: RegExpExecArray) => StatedValue | undefined): StatedValue[] {
  const values: StatedValue[] = [];
  for (const match of text.matchAll(new RegExp(pattern.source, pattern.flags))) {
    const value = read(match as RegExpExecArray);
    if (value) values.push(value);
  }
  return values;
}

/** Of overlapping values, the one found first in the text (the longer one when they start together). */
function withoutOverlaps(values: StatedValue[]): StatedValue[] {
  const sorted = [...values].sort((left, right) => left.start - right.start || right.end - left.end);
  const kept: StatedValue[] = [];
  for (const value of sorted) if (!kept.some((other) => value.start < other.end && other.start < value.end)) kept.push(value);
  return kept;
}

function priceValue(text: string, match: RegExpExecArray, currency: string, low: string, high: string | undefined): StatedValue | undefined {
  let start = match.index;
  let end = match.index + match[0].length;
  const periods: string[] = [];
  // Up to two periods after it: "$10 per user per month".
  for (let read = 0; read < 2; read++) {
    const after = periodAfter.exec(text.slice(end));
    if (!after) break;
    periods.push(periodWords[after[1]!.toLowerCase()]!);
    end += after[0].length;
  }
  const before = periodBefore.exec(text.slice(Math.max(0, start - 16), start));
  if (before) {
    periods.push(periodWords[before[1]!.toLowerCase()] ?? periodOfChinese(before[1]!));
    start -= before[0].length;
  }
  const period = [...new Set(periods)].sort().join('/');
  const key = `${currencySymbols[currency.toLowerCase()] ?? currency.toUpperCase()}${period ? `/${period}` : ''}`;
  return bounded(text, { kind: 'price', key, start, end, low: numberOf(low), high: numberOf(high ?? low) });
}

function periodOfChinese(word: string): string {
  if (word.includes('月')) return 'month';
  if (word.includes('年')) return 'year';
  if (word.includes('周')) return 'week';
  return 'seat';
}

function durationValue(text: string, match: RegExpExecArray, unit: string, qualifier: string | undefined): StatedValue | undefined {
  const base = timeUnits[unit.toLowerCase()] ?? unit.toLowerCase();
  const business = qualifier && /business|working/i.test(qualifier) ? 'business day' : undefined;
  const key = business && base === 'day' ? business : base;
  const start = match.index;
  return bounded(text, { kind: 'duration', key, start, end: start + match[0].length, low: numberOf(match[1]!), high: numberOf(match[2] ?? match[1]!) });
}

// "2025年3月" and "3月1日" are dates, not durations.
function isPartOfDate(text: string, match: RegExpExecArray): boolean {
  const unit = match[3]!;
  if (unit === '年') return /^\s*\d{1,2}\s*月/u.test(text.slice(match.index + match[0].length));
  if (unit === '月') return /^\s*\d{1,2}\s*[日号]/u.test(text.slice(match.index + match[0].length)) || /年\s*$/u.test(text.slice(0, match.index));
  if (unit === '日') return /月\s*$/u.test(text.slice(0, match.index));
  return false;
}

function dateValue(text: string, match: RegExpExecArray, [year, month, day]: [number, number?, number?]): StatedValue | undefined {
  if (month !== undefined && (month < 1 || month > 12)) return undefined;
  if (day !== undefined && (day < 1 || day > 31)) return undefined;
  const precision = day !== undefined ? 'day' : month !== undefined ? 'month' : 'year';
  const number = year * 10_000 + (month ?? 0) * 100 + (day ?? 0);
  return bounded(text, { kind: 'date', key: `date:${precision}`, start: match.index, end: match.index + match[0].length, low: number, high: number });
}

function versionValue(text: string, match: RegExpExecArray): StatedValue | undefined {
  const written = match[2] ?? match[3]!;
  const start = match.index;
  const end = start + match[0].length;
  // A bare "4.3" is a version only when the text says so nearby or it has three parts ("18.17.0"); a plain decimal ("1.5 GB") is not.
  const saysVersion = /version|版本|\bv\d|release|发布/iu.test(text.slice(Math.max(0, start - 40), end + 10)) || lowerBoundAfter.test(text.slice(end));
  if (!match[1] && written.split('.').length < 3 && !saysVersion) return undefined;
  if (/^\s*(?:%|[a-z]{1,3}\b)/iu.test(text.slice(end)) && !/^\s*(?:or|and|is|was|of|to|in|on|at|by|for|and)\b/iu.test(text.slice(end))) {
    return undefined;
  }
  const version = written.split('.').map(Number).join('.').replace(/(?:\.0)+$/u, '');
  return bounded(text, { kind: 'version', key: 'version', start, end, low: 0, high: 0, version });
}

function countValue(text: string, match: RegExpExecArray): StatedValue | undefined {
  const unit = match[3] ?? match[4]?.toLowerCase() ?? match[5];
  if (!unit) return undefined;
  if (match[4] && (notCountUnits.has(unit) || unit.length < 2)) return undefined;
  if (match[5] && notCountHan.test(unit)) return undefined;
  const start = match.index;
  // A list enumerator ("1. Open…") or a marker is no count.
  if (/^\s*$/u.test(text.slice(0, start)) && /^\d+[.)、]/u.test(text.slice(start))) return undefined;
  const key = match[3] ? '%' : unit.replace(/(?<=[a-z]{3})s$/u, '');
  return bounded(text, { kind: 'number', key, start, end: start + match[0].length, low: numberOf(match[1]!), high: numberOf(match[2] ?? match[1]!) });
}

/**
 * The value with its bound in its key ("max:user" for "up to 10 users", "min:USD/month"
 * for "from $9/month"), or undefined for an approximate one ("about 5 days"), which no
 * other value contradicts.
 */
function bounded(text: string, value: Omit<StatedValue, 'written'>): StatedValue | undefined {
  const before = text.slice(Math.max(0, value.start - 24), value.start);
  const after = text.slice(value.end);
  if (approximateBefore.test(before) || approximateAfter.test(after)) return undefined;
  let start = value.start;
  let end = value.end;
  let bound = '';
  const lowerBefore = lowerBoundBefore.exec(before);
  const upperBefore = upperBoundBefore.exec(before);
  const lowerAfter = lowerBoundAfter.exec(after);
  const upperAfter = upperBoundAfter.exec(after);
  if (lowerBefore ?? upperBefore) {
    bound = lowerBefore ? 'min' : 'max';
    start -= (lowerBefore ?? upperBefore)![0].length;
  }
  if (lowerAfter ?? upperAfter) {
    bound = lowerAfter ? 'min' : 'max';
    end += (lowerAfter ?? upperAfter)![0].length;
  }
  start = Math.max(0, start);
  const written = text.slice(start, end).trim();
  return { ...value, key: bound ? `${bound}:${value.key}` : value.key, start, end, written };
}

function numberOf(written: string): number {
  return Number(written.replace(/,/g, ''));
}

function monthNumber(name: string): number {
  return monthNumbers[name.toLowerCase().slice(0, name.toLowerCase().startsWith('sept') ? 4 : 3)] ?? 0;
}
