import { analyticsDefaults, buildAnalyticsSummary, resolvePeriod, type AnalyticsSummary } from '../analytics/index.ts';
import { invalidRequest, type Config } from '../core/index.ts';
import { getKnowledgeBase, type Database } from '../db/index.ts';

export interface ReportOptions {
  /** Default: ORIOLE_DEFAULT_KB. */
  kb?: string;
  /** The last `days` days; the default is 30. Not with `from`. */
  days?: number;
  /** ISO dates, as GET /analytics/summary reads them. */
  from?: string;
  to?: string;
  /** Entries per list (1-100, default 20). */
  limit?: number;
  /** Print the GET /analytics/summary body instead of the text report. */
  json: boolean;
}

/**
 * `oriole report [--kb NAME] [--days 30 | --from DATE --to DATE] [--limit 20] [--json]`:
 * the analytics summary of GET /analytics/summary (the same object, built by the same
 * function), as a readable report or as JSON (docs/analytics.md).
 */
export async function runReport(
  database: Database,
  config: Config,
  options: ReportOptions,
  now: Date = new Date(),
): Promise<AnalyticsSummary> {
  const limit = options.limit ?? analyticsDefaults.limit;
  if (!Number.isInteger(limit) || limit < 1 || limit > analyticsDefaults.maxLimit) {
    throw invalidRequest(`--limit must be an integer from 1 to ${analyticsDefaults.maxLimit}`, { limit });
  }
  const period = resolvePeriod(
    {
      ...(options.days !== undefined ? { days: options.days } : {}),
      ...(options.from !== undefined ? { from: options.from } : {}),
      ...(options.to !== undefined ? { to: options.to } : {}),
    },
    now,
  );
  const kb = await getKnowledgeBase(database, options.kb ?? config.defaultKb);
  const summary = await buildAnalyticsSummary(database, { kb, period, limit });
  console.log(options.json ? JSON.stringify(summary, null, 2) : formatReport(summary));
  return summary;
}

export function formatReport(summary: AnalyticsSummary): string {
  const { totals } = summary;
  const lines = [
    `Report for knowledge base '${summary.kb}': ${timeOf(summary.period.from)} to ${timeOf(summary.period.to)} UTC`,
    '(eval runs left out; see docs/analytics.md)',
    '',
    'Totals',
    `  answers            ${totals.answers}`,
    `  abstained          ${totals.abstained}${totals.abstentionRate === null ? '' : ` (${percent(totals.abstentionRate)})`}`,
    `  rated up / down    ${totals.feedbackUp} / ${totals.feedbackDown}`,
    `  never cited        ${totals.neverCitedDocuments} of ${totals.documents} documents`,
    '',
  ];

  section(lines, 'Top questions (similar wordings counted together)', summary.topQuestions, (entry) => [
    `${String(entry.count).padStart(6)}  ${oneLine(entry.question, 100)}${entry.abstainedCount > 0 ? `  (${entry.abstainedCount} abstained)` : ''}`,
  ]);
  section(lines, 'Unanswered questions: what the help center does not say', summary.unansweredGroups, (group) => {
    const others = group.questions.filter((question) => question !== group.representative);
    return [
      `${String(group.count).padStart(6)}  ${oneLine(group.representative, 100)}`,
      ...(others.length > 0 ? [`        also: ${others.map((question) => `"${oneLine(question, 60)}"`).join(', ')}`] : []),
    ];
  });
  section(lines, 'Answers rated down', summary.lowRatedAnswers, (answer) => [
    `  - ${oneLine(answer.question, 100)}  (rated ${answer.ratedAt.slice(0, 10)}, answer ${answer.answerId})`,
    ...(answer.comment ? [`      comment: "${oneLine(answer.comment, 200)}"`] : []),
    `      answer:  ${oneLine(answer.answer, 160)}`,
    `      cited:   ${answer.citations.length === 0 ? '(nothing)' : answer.citations.map(citedName).join('; ')}`,
  ]);
  section(lines, 'Sources that disagree: make each pair agree', summary.conflictingDocuments, (pair) => [
    `${String(pair.count).padStart(6)}  ${pair.kind}: ${pair.documents.map((document) => `${citedName(document)} says ${document.value}`).join('; ')}`,
    `        last asked: "${oneLine(pair.question, 100)}" (${pair.lastAskedAt.slice(0, 10)})`,
  ]);
  section(lines, 'Documents never cited', summary.neverCitedDocuments, (document) => [`  ${citedName(document)}`]);
  if (totals.neverCitedDocuments > summary.neverCitedDocuments.length) {
    lines.splice(lines.length - 1, 0, `  … and ${totals.neverCitedDocuments - summary.neverCitedDocuments.length} more (--limit, or --json)`);
  }

  const { conversations } = summary;
  lines.push(
    'Conversations (by their outcome now; see docs/conversations.md)',
    `  started            ${conversations.conversations}`,
    `  resolved           ${conversations.resolved}${rateOf(conversations.resolutionRate)}`,
    `  handed off         ${conversations.handedOff}${rateOf(conversations.handoffRate)}`,
    `  abstained          ${conversations.abstained}${rateOf(conversations.abstentionRate)}`,
  );
  const conversationDays = conversations.byDay.filter((day) => day.conversations > 0);
  if (conversationDays.length > 0) lines.push('  day           started  resolved  handed off  abstained');
  for (const day of conversationDays) {
    lines.push(
      `  ${day.day}  ${String(day.conversations).padStart(7)}  ${percent(day.resolutionRate!).padStart(8)}  ${percent(day.handoffRate!).padStart(10)}  ${percent(day.abstentionRate!).padStart(9)}`,
    );
  }
  lines.push('');

  lines.push('Answers per day (# answered, x abstained)');
  const busiest = Math.max(1, ...summary.byDay.map((day) => day.answers));
  for (const day of summary.byDay) {
    const width = Math.round((day.answers / busiest) * 40);
    const abstained = Math.round((day.abstained / busiest) * 40);
    const bar = '#'.repeat(width - abstained) + 'x'.repeat(abstained);
    lines.push(`  ${day.day}  ${String(day.answers).padStart(5)}  ${bar}`.trimEnd());
  }
  return lines.join('\n');
}

function rateOf(rate: number | null): string {
  return rate === null ? '' : ` (${percent(rate)})`;
}

function section<T>(lines: string[], title: string, entries: T[], format: (entry: T) => string[]): void {
  lines.push(title);
  if (entries.length === 0) lines.push('  (none)');
  for (const entry of entries) lines.push(...format(entry));
  lines.push('');
}

function citedName(document: { source: string; title: string | null }): string {
  return document.title && document.title !== document.source ? `${document.title} (${document.source})` : document.source;
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function timeOf(iso: string): string {
  return iso.slice(0, 16).replace('T', ' ');
}

function percent(rate: number): string {
  return `${(rate * 100).toFixed(1)}%`;
}
