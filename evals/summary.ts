import { abstentionPrecisionRecall, accuracyCoverageCurve, expectedCalibrationError, meanOf, percentile, type ConfidencePoint } from './metrics.ts';
import { failureKinds, type CaseMetrics, type CoveragePoint, type EvalReport, type EvalRow, type EvalSummary, type FailureKind } from './types.ts';

/**
 * The report's summary from its rows. Each metric is the mean over the cases that define
 * it (null when none does): retrieval over answerable cases with gold sources, token F1
 * and correctness over answerable cases with a reference, faithfulness over answered
 * cases, nugget recall over answerable cases with nuggets (an abstention failing them). Errored cases are counted, never scored.
 */
export function summarizeRows(rows: readonly EvalRow[]): EvalSummary {
  const scored = rows.filter((row) => row.failure !== 'error');
  const mean = (metric: keyof CaseMetrics) => meanOf(scored.map((row) => row.metrics[metric]));
  const abstention = abstentionPrecisionRecall(scored.map((row) => ({ shouldAbstain: !row.answerable, abstained: row.abstained })));
  const latencies = scored.map((row) => row.latencyMs);
  return {
    'retrieval.hit_at_k': mean('hitAtK'),
    'retrieval.recall_at_k': mean('recallAtK'),
    'retrieval.mrr': mean('reciprocalRank'),
    'retrieval.ndcg_at_k': mean('ndcgAtK'),
    'answer.token_f1': mean('tokenF1'),
    'answer.correctness': mean('correctness'),
    'citations.precision': mean('citationPrecision'),
    'citations.recall': mean('citationRecall'),
    'citations.validity': mean('citationValidity'),
    faithfulness: mean('faithfulness'),
    'nuggets.recall': mean('nuggetRecall'),
    truthfulness: meanOf(scored.map(truthfulnessScore)),
    'confidence.ece': expectedCalibrationError(answeredConfidences(scored)),
    'abstention.precision': abstention.precision,
    'abstention.recall': abstention.recall,
    'latency.p50_ms': percentile(latencies, 50),
    'latency.p95_ms': percentile(latencies, 95),
  };
}

/**
 * CRAG's score of one case: +1 for an answer that passed, 0 for an abstention (whether or
 * not the question could be answered: saying "I don't know" is never wrong, only
 * unhelpful), -1 for an answer that failed (wrong, uncited, not retrieved, or given to an
 * unanswerable question). Its mean is above 0 only when right answers outnumber wrong ones.
 */
export function truthfulnessScore(row: EvalRow): number {
  return { correct: 1, abstained: 0, wrong: -1 }[answerOutcome(row)];
}

/**
 * Whether a case was answered correctly, answered wrongly or declined: the rule truthfulness
 * scores by and `oriole calibrate` fits its threshold to. Any failure of an answer counts as
 * wrong (see truthfulnessScore); errored cases are left out by the callers.
 */
export function answerOutcome(row: EvalRow): 'correct' | 'wrong' | 'abstained' {
  if (row.abstained) return 'abstained';
  return row.failure === null ? 'correct' : 'wrong';
}

/** The answered, scored cases that state a confidence, each right when it passed. */
function answeredConfidences(rows: readonly EvalRow[]): ConfidencePoint[] {
  return rows
    .flatMap((row) =>
      row.failure !== 'error' && !row.abstained && row.confidence !== undefined
        ? [{ confidence: row.confidence, correct: row.failure === null }]
        : [],
    );
}

/**
 * The accuracy–coverage curve of a run: the cases it answered, withheld under each
 * threshold in turn, over all its scored cases. Empty when no row states a confidence.
 */
export function accuracyCoverage(rows: readonly EvalRow[]): CoveragePoint[] {
  const scored = rows.filter((row) => row.failure !== 'error');
  const points = answeredConfidences(scored);
  return points.length === 0 ? [] : accuracyCoverageCurve(points, scored.length);
}

export function countRows(rows: readonly EvalRow[]): EvalReport['counts'] {
  const failures = Object.fromEntries(failureKinds.map((kind) => [kind, 0])) as Record<FailureKind, number>;
  for (const row of rows) if (row.failure) failures[row.failure] += 1;
  const answerable = rows.filter((row) => row.answerable).length;
  return {
    cases: rows.length,
    answerable,
    unanswerable: rows.length - answerable,
    passed: rows.filter((row) => row.failure === null).length,
    errors: failures.error,
    failures,
  };
}
