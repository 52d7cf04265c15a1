import type { EvalReport, FailureKind } from '../types.ts';
import { failureKinds } from '../types.ts';
import { escapeHtml, failureLabel, formatMetric, goldRank } from './format.ts';
import type { Bar } from './svg-charts.ts';
import { barChartSvg, columnChartSvg, niceStep, unitLineChartSvg } from './svg-charts.ts';

/** The distribution charts of the HTML report, each a `<figure data-chart>`; the accuracy–coverage curve when the run has one. */

/** One colour per failure kind, shared by the chart and the case badges so they read together. */
export const failureColors: Record<FailureKind, string> = {
  abstained_wrongly: '#b45309',
  answered_unanswerable: '#7c3aed',
  not_retrieved: '#dc2626',
  retrieved_not_cited: '#db2777',
  answer_wrong: '#ea580c',
  error: '#475569',
};

const tokenF1Bins = 10;
/** Latency bins: about this many, on a 1-2-5 width. */
const latencyBins = 10;
const hitColor = '#2563eb';
const missColor = '#dc2626';

export function chartFigures(report: EvalReport): string {
  const figures = [tokenF1Figure(report), failuresFigure(report), latencyFigure(report), goldRankFigure(report)];
  if (report.accuracyCoverage !== undefined && report.accuracyCoverage.length > 0) figures.push(accuracyCoverageFigure(report));
  return figures.join('\n');
}

/** Accuracy against coverage as the confidence threshold rises (report.accuracyCoverage). */
function accuracyCoverageFigure(report: EvalReport): string {
  const points = (report.accuracyCoverage ?? []).flatMap((point) =>
    point.accuracy === null
      ? []
      : [{ x: point.coverage, y: point.accuracy, tooltip: `confidence ≥ ${point.threshold}: ${(point.coverage * 100).toFixed(0)}% answered, ${(point.accuracy * 100).toFixed(0)}% of them passed` }],
  );
  const svg = unitLineChartSvg({
    ariaLabel: 'Accuracy against coverage as the confidence threshold rises',
    points,
    xTitle: 'share of cases answered',
    yTitle: 'share of answers that pass',
  });
  const caption =
    'Each point withholds the answers under a confidence threshold (0 to 1 in steps of 0.05): fewer cases are answered and, ' +
    `when confidence is calibrated, more of those pass. Calibration error (ECE): ${formatMetric('confidence.ece', report.summary['confidence.ece'] ?? null)}.`;
  return figure('accuracy-coverage', 'Accuracy against coverage', svg, caption);
}

function figure(name: string, title: string, svg: string, caption: string): string {
  return (
    `<figure class="chart" data-chart="${name}"><h3>${escapeHtml(title)}</h3>${svg}` +
    `<figcaption>${escapeHtml(caption)}</figcaption></figure>`
  );
}

function casesWord(count: number): string {
  return count === 1 ? '1 case' : `${count} cases`;
}

function tokenF1Figure(report: EvalReport): string {
  const scores = report.rows.flatMap((row) => (row.metrics.tokenF1 === null ? [] : [row.metrics.tokenF1]));
  const counts = new Array<number>(tokenF1Bins).fill(0);
  // A perfect 1.0 belongs to the last bin, [0.9, 1.0].
  for (const score of scores) counts[Math.min(tokenF1Bins - 1, Math.floor(score * tokenF1Bins))]! += 1;
  const edges = Array.from({ length: tokenF1Bins + 1 }, (_, index) => (index / tokenF1Bins).toFixed(1));
  const bars: Bar[] = counts.map((count, index) => ({
    value: count,
    tooltip: `${edges[index]}–${edges[index + 1]}: ${casesWord(count)}`,
  }));
  const svg = columnChartSvg({
    ariaLabel: `Histogram of token F1 over ${casesWord(scores.length)}`,
    bars,
    xLabels: edges.map((edge) => edge.replace(/\.0$/, '')),
    xTitle: 'token F1 against the reference answer',
    yTitle: 'cases',
  });
  const caption = `Token F1 per case with a reference answer (${casesWord(scores.length)}), in bins of 0.1. Mean: ${formatMetric('answer.token_f1', report.summary['answer.token_f1'])}.`;
  return figure('token-f1', 'Token F1', svg, caption);
}

function failuresFigure(report: EvalReport): string {
  const bars = failureKinds.map((kind) => ({
    label: failureLabel(kind),
    value: report.counts.failures[kind],
    tooltip: `${kind}: ${casesWord(report.counts.failures[kind])}`,
    color: failureColors[kind],
  }));
  const failed = bars.reduce((sum, bar) => sum + bar.value, 0);
  const svg = barChartSvg({ ariaLabel: `Failing cases by kind: ${failed} of ${report.counts.cases}`, bars, xTitle: 'cases' });
  const caption = `Each failing case counted once, at its first failure in pipeline order; ${report.counts.passed} of ${casesWord(report.counts.cases)} passed.`;
  return figure('failures', 'Failures by kind', svg, caption);
}

function latencyFigure(report: EvalReport): string {
  const latencies = report.rows.map((row) => row.latencyMs);
  const step = niceStep(Math.max(1, Math.max(0, ...latencies) / latencyBins));
  const binCount = Math.max(1, Math.floor(Math.max(0, ...latencies) / step) + 1);
  const counts = new Array<number>(binCount).fill(0);
  for (const latency of latencies) counts[Math.min(binCount - 1, Math.floor(latency / step))]! += 1;
  const edges = Array.from({ length: binCount + 1 }, (_, index) => index * step);
  // Edges read better in seconds once the axis runs past a few seconds.
  const inSeconds = edges[edges.length - 1]! >= 5000;
  const edgeLabel = (ms: number) => (inSeconds ? String(ms / 1000) : String(ms));
  const bars: Bar[] = counts.map((count, index) => ({
    value: count,
    tooltip: `${edges[index]}–${edges[index + 1]} ms: ${casesWord(count)}`,
    color: '#0891b2',
  }));
  const svg = columnChartSvg({
    ariaLabel: `Histogram of answer latency over ${casesWord(latencies.length)}`,
    bars,
    xLabels: edges.map(edgeLabel),
    xTitle: inSeconds ? 'latency (s)' : 'latency (ms)',
    yTitle: 'cases',
  });
  const bins = latencies.length === 0 ? 'No cases were run.' : `Time to answer each case, in bins of ${step} ms.`;
  const caption =
    `${bins} ` +
    `p50 ${formatMetric('latency.p50_ms', report.summary['latency.p50_ms'])}, p95 ${formatMetric('latency.p95_ms', report.summary['latency.p95_ms'])}.`;
  return figure('latency', 'Latency', svg, caption);
}

function goldRankFigure(report: EvalReport): string {
  const { k } = report.config;
  const ranks = report.rows.flatMap((row) => {
    const rank = goldRank(row, k);
    return rank === null ? [] : [rank];
  });
  const counts = new Array<number>(k + 1).fill(0);
  for (const rank of ranks) counts[rank === 0 ? k : rank - 1]! += 1;
  const labels = [...Array.from({ length: k }, (_, index) => String(index + 1)), 'miss'];
  const bars: Bar[] = counts.map((count, index) => ({
    value: count,
    tooltip: index === k ? `no gold source in the top ${k}: ${casesWord(count)}` : `first gold source at rank ${index + 1}: ${casesWord(count)}`,
    color: index === k ? missColor : hitColor,
  }));
  const svg = columnChartSvg({
    ariaLabel: `Rank of the first retrieved gold source over ${casesWord(ranks.length)}`,
    bars,
    xLabels: labels,
    xTitle: `rank of the first gold source (top ${k})`,
    yTitle: 'cases',
  });
  const caption = `Where the first gold source ranked among the ${k} retrieved documents, for the ${casesWord(ranks.length)} with gold sources; "miss" found none.`;
  return figure('gold-rank', 'Gold source rank', svg, caption);
}
