import { firstGoldRank } from '../metrics.ts';
import type { EvalReport, EvalRow, FailureKind, MetricName } from '../types.ts';
import { latencyMetrics, lowerIsBetter } from '../types.ts';

/**
 * Formatting and derived values shared by the Markdown and HTML reports, so both print
 * a metric, a delta or a gold rank the same way.
 */

/** Shown for a metric the run could not define (no gold sources, no judge…). */
export const missingValue = '–';

/** Answers are cut at about this many characters in the Markdown report: enough to judge one, short enough to scan. */
export const answerPreviewLength = 400;

const metricLabels: Record<MetricName, string> = {
  'retrieval.hit_at_k': 'Hit@k',
  'retrieval.recall_at_k': 'Recall@k',
  'retrieval.mrr': 'MRR',
  'retrieval.ndcg_at_k': 'nDCG@k',
  'answer.token_f1': 'Token F1',
  'answer.correctness': 'Correctness',
  'citations.precision': 'Citation precision',
  'citations.recall': 'Citation recall',
  'citations.validity': 'Citation validity',
  faithfulness: 'Faithfulness',
  'nuggets.recall': 'Nugget recall',
  truthfulness: 'Truthfulness',
  'confidence.ece': 'Calibration error (ECE)',
  'abstention.precision': 'Abstention precision',
  'abstention.recall': 'Abstention recall',
  'latency.p50_ms': 'Latency p50',
  'latency.p95_ms': 'Latency p95',
};

const failureLabels: Record<FailureKind, string> = {
  abstained_wrongly: 'Abstained wrongly',
  answered_unanswerable: 'Answered unanswerable',
  not_retrieved: 'Not retrieved',
  retrieved_not_cited: 'Retrieved, not cited',
  answer_wrong: 'Answer wrong',
  error: 'Error',
};

export function metricLabel(metric: MetricName): string {
  return metricLabels[metric];
}

export function failureLabel(kind: FailureKind): string {
  return failureLabels[kind];
}

export function isLatency(metric: MetricName): boolean {
  return latencyMetrics.has(metric);
}

/** Latencies as whole milliseconds, scores to 3 decimals, a dash for null. */
export function formatMetric(metric: MetricName, value: number | null): string {
  if (value === null) return missingValue;
  return isLatency(metric) ? `${Math.round(value)} ms` : value.toFixed(3);
}

/** A score in [0,1] or null, to 3 decimals. */
export function formatScore(value: number | null): string {
  return value === null ? missingValue : value.toFixed(3);
}

/** A change as printed: whole milliseconds for latencies, 3 decimals for scores. */
function roundDelta(metric: MetricName, delta: number): number {
  return isLatency(metric) ? Math.round(delta) : Number(delta.toFixed(3));
}

/** Whether the change shows as a rise (1), a fall (-1) or none (0) once rounded as printed. */
export function deltaDirection(metric: MetricName, delta: number | null): -1 | 0 | 1 {
  if (delta === null) return 0;
  const rounded = roundDelta(metric, delta);
  return rounded > 0 ? 1 : rounded < 0 ? -1 : 0;
}

/** A signed change with an arrow: "▲ +0.042", "▼ −120 ms", "0.000" when unchanged. */
export function formatDelta(metric: MetricName, delta: number | null): string {
  if (delta === null) return missingValue;
  const magnitude = formatMetric(metric, Math.abs(roundDelta(metric, delta)));
  const direction = deltaDirection(metric, delta);
  if (direction === 0) return magnitude;
  return direction > 0 ? `▲ +${magnitude}` : `▼ −${magnitude}`;
}

/** The comparison operator a bound on this metric means: latencies and the calibration error have an upper bound. */
export function gateOperator(metric: MetricName): '≤' | '≥' {
  return lowerIsBetter.has(metric) ? '≤' : '≥';
}

/** "1 h 02 min", "3 min 05 s", "12.4 s" or "850 ms". */
export function formatDuration(durationMs: number): string {
  if (durationMs < 1000) return `${Math.round(durationMs)} ms`;
  const seconds = durationMs / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const wholeSeconds = Math.round(seconds);
  const hours = Math.floor(wholeSeconds / 3600);
  const minutes = Math.floor((wholeSeconds % 3600) / 60);
  const pad = (value: number) => String(value).padStart(2, '0');
  if (hours > 0) return `${hours} h ${pad(minutes)} min`;
  return `${minutes} min ${pad(wholeSeconds % 60)} s`;
}

/** An ISO timestamp to the second in UTC, "2025-06-03 14:02:11 UTC"; anything unparsable as given. */
export function formatTimestamp(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** A commit shortened as git prints it, or "unknown" when the run was not in a git checkout. */
export function formatCommit(commit: string | null): string {
  return commit === null ? 'unknown' : commit.slice(0, 12);
}

/** "Eval report: support v3". */
export function reportTitle(report: EvalReport): string {
  return `Eval report: ${report.kb.name} v${report.kb.version}`;
}

/** "passed", or what the answer lacks: "missing: 30 days; none of: in full, full refund"; null for a case without nuggets. */
export function nuggetSummary(row: EvalRow): string | null {
  const { nuggets } = row;
  if (nuggets === undefined) return null;
  if (nuggets.passed) return 'passed';
  const parts = [
    ...(nuggets.missingAll.length > 0 ? [`missing: ${nuggets.missingAll.join(', ')}`] : []),
    ...(nuggets.missingAny.length > 0 ? [`none of: ${nuggets.missingAny.join(', ')}`] : []),
  ];
  return `failed (${parts.join('; ')})`;
}

export function failingRows(report: EvalReport): EvalRow[] {
  return report.rows.filter((row) => row.failure !== null);
}

/** Cuts text at a word boundary near `limit` characters and marks the cut. */
export function trimText(text: string, limit: number): string {
  const characters = [...text];
  if (characters.length <= limit) return text;
  const cut = characters.slice(0, limit).join('');
  const lastSpace = cut.lastIndexOf(' ');
  return `${lastSpace > limit * 0.8 ? cut.slice(0, lastSpace) : cut}…`;
}

/**
 * 1-based rank of the first gold document the case retrieved within k, 0 for a miss,
 * null when the case has no gold sources (nothing to find).
 */
export function goldRank(row: EvalRow, k: number): number | null {
  if (row.goldSources.length === 0) return null;
  return firstGoldRank(row.retrievedSources, row.goldSources, k);
}

const htmlEntities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text and attribute values for HTML and SVG: every report string passes through here. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => htmlEntities[character]!);
}
