import { invalidRequest } from '../src/core/index.ts';
import { latencyMetrics, lowerIsBetter, metricNames, type CaseChange, type Comparison, type EvalReport, type EvalSummary, type GateResult, type MetricName } from './types.ts';

/**
 * Run against run (`--baseline`) and release gates (`--fail-under`). Pure: reports in,
 * verdicts out.
 */

/**
 * How much worse a metric must get to count as a regression: one point on a [0,1] metric
 * (a case in a hundred), and for latencies a quarter more and at least 20 ms, since two
 * runs on one machine differ by about that much.
 */
export const regressionTolerance = { absolute: 0.01, latencyRelative: 0.25, latencyMs: 20 } as const;

export function compareReports(current: EvalReport, baseline: EvalReport): Comparison {
  const baselineRows = new Map(baseline.rows.map((row) => [row.id, row]));
  const currentIds = new Set(current.rows.map((row) => row.id));
  const regressions: CaseChange[] = [];
  const fixes: CaseChange[] = [];
  for (const row of current.rows) {
    const before = baselineRows.get(row.id);
    if (!before) continue;
    const change = { id: row.id, question: row.question, baselineFailure: before.failure, currentFailure: row.failure };
    if (before.failure === null && row.failure !== null) regressions.push(change);
    if (before.failure !== null && row.failure === null) fixes.push(change);
  }
  return {
    baseline: {
      startedAt: baseline.startedAt,
      kb: baseline.kb.name,
      kbVersion: baseline.kb.version,
      gitCommit: baseline.oriole.gitCommit,
      evalSet: baseline.config.evalSet,
    },
    // A baseline from before a metric existed lacks it: no delta, not a regression.
    metrics: metricNames.map((metric) => metricDelta(metric, baseline.summary[metric] ?? null, current.summary[metric] ?? null)),
    regressions,
    fixes,
    onlyInBaseline: baseline.rows.map((row) => row.id).filter((id) => !currentIds.has(id)),
    onlyInCurrent: current.rows.map((row) => row.id).filter((id) => !baselineRows.has(id)),
  };
}

function metricDelta(metric: MetricName, baseline: number | null, current: number | null) {
  if (baseline === null || current === null) return { metric, baseline, current, delta: null, regressed: false, improved: false };
  const delta = current - baseline;
  const worse = lowerIsBetter.has(metric) ? delta : -delta;
  const threshold = latencyMetrics.has(metric)
    ? Math.max(regressionTolerance.latencyMs, baseline * regressionTolerance.latencyRelative)
    : regressionTolerance.absolute;
  return { metric, baseline, current, delta, regressed: worse > threshold, improved: -worse > threshold };
}

export interface Gate {
  metric: MetricName;
  bound: number;
}

/** `retrieval.mrr=0.8` → a gate; an unknown metric, a latency or a bound outside [0,1] is refused with the valid choices. */
export function parseGate(text: string): Gate {
  const match = /^\s*([\w.]+)\s*=\s*([0-9]*\.?[0-9]+)\s*$/.exec(text);
  if (!match) throw invalidRequest(`--fail-under takes METRIC=VALUE, e.g. retrieval.mrr=0.8; got '${text}'`);
  const metric = match[1] as MetricName;
  const gateable = metricNames.filter((name) => !lowerIsBetter.has(name));
  if (!gateable.includes(metric)) {
    throw invalidRequest(`--fail-under: '${match[1]}' is not a metric that can have a lower bound; use one of ${gateable.join(', ')}`);
  }
  const bound = Number(match[2]);
  if (bound > 1) throw invalidRequest(`--fail-under: ${metric} is within ${metric === 'truthfulness' ? '[-1, 1]' : '[0, 1]'}; got ${bound}`);
  return { metric, bound };
}

/** Each gate met when the metric was measured and is at least its bound; an unmeasured metric fails its gate. */
export function checkGates(summary: EvalSummary, gates: readonly Gate[]): GateResult[] {
  return gates.map(({ metric, bound }) => {
    const value = summary[metric];
    return { metric, bound, value, passed: value !== null && value >= bound - 1e-12 };
  });
}
