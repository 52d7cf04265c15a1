import type { AnswerMode, ChatTurn } from '../src/core/index.ts';

/**
 * The shapes of an eval run: the cases it reads (docs/evals.md, "Eval sets"), the report it
 * writes (`report.json`), and the judge it may ask. Everything here is plain data, so a
 * report read back from disk or from the API is the same object the runner produced.
 */

/** One line of an eval set (JSONL), as docs/evals.md describes it; shared with the API, so it lives in src/core. */
export type { EvalCase } from '../src/core/index.ts';

/** The summary metrics, named as docs/evals.md names them. All in [0,1] but truthfulness ([-1,1]) and the latencies (ms); confidence.ece and the latencies are lower-is-better. */
export const metricNames = [
  'retrieval.hit_at_k',
  'retrieval.recall_at_k',
  'retrieval.mrr',
  'retrieval.ndcg_at_k',
  'answer.token_f1',
  'answer.correctness',
  'citations.precision',
  'citations.recall',
  'citations.validity',
  'faithfulness',
  'nuggets.recall',
  'truthfulness',
  'confidence.ece',
  'abstention.precision',
  'abstention.recall',
  'latency.p50_ms',
  'latency.p95_ms',
] as const;

export type MetricName = (typeof metricNames)[number];

/** The latencies, in milliseconds: compared with a relative tolerance and printed as whole ms. */
export const latencyMetrics: ReadonlySet<MetricName> = new Set(['latency.p50_ms', 'latency.p95_ms']);

/**
 * Metrics where a smaller value is better (a rise is a regression): the latencies and the
 * calibration error. `--fail-under` sets lower bounds, so it refuses them.
 */
export const lowerIsBetter: ReadonlySet<MetricName> = new Set([...latencyMetrics, 'confidence.ece']);

export type EvalSummary = Record<MetricName, number | null>;

/**
 * Where a case failed, the first that applies, in pipeline order:
 * - `abstained_wrongly`: an answerable question was abstained on;
 * - `answered_unanswerable`: an unanswerable question was answered;
 * - `not_retrieved`: no gold source among the retrieved passages;
 * - `retrieved_not_cited`: a gold source was retrieved, but the answer cites none;
 * - `answer_wrong`: the answer disagrees with the reference (judge correctness, or
 *   token recall of the reference without a judge, under 0.5), or misses its nuggets;
 * - `error`: the answer service failed for this case.
 */
export const failureKinds = [
  'abstained_wrongly',
  'answered_unanswerable',
  'not_retrieved',
  'retrieved_not_cited',
  'answer_wrong',
  'error',
] as const;

export type FailureKind = (typeof failureKinds)[number];

/** Per-case metrics; null where the case does not define one (no gold, no reference, abstained…). */
export interface CaseMetrics {
  hitAtK: number | null;
  recallAtK: number | null;
  reciprocalRank: number | null;
  ndcgAtK: number | null;
  tokenF1: number | null;
  /** Share of the reference's tokens found in the answer; decides `answer_wrong` without a judge. */
  referenceRecall: number | null;
  correctness: number | null;
  citationPrecision: number | null;
  citationRecall: number | null;
  citationValidity: number | null;
  faithfulness: number | null;
  /** 1 when the answer holds its nuggets, 0 when not (an abstention holds none); null for a case without nuggets or an unanswerable one. */
  nuggetRecall: number | null;
}

/** A case's nuggets against its answer (docs/evals.md, "Nuggets"). */
export interface NuggetResult {
  passed: boolean;
  /** The `nuggets_all` the answer lacks. */
  missingAll: string[];
  /** All of `nuggets_any` when the answer holds none of them, else empty. */
  missingAny: string[];
}

export interface EvalCitation {
  index: number;
  source: string;
  title: string | null;
  snippet: string;
  supported: boolean;
}

export interface EvalRow {
  id: string;
  question: string;
  history: ChatTurn[];
  tags: string[];
  answerable: boolean;
  referenceAnswer: string | null;
  goldSources: string[];
  answer: string;
  abstained: boolean;
  reason: string | null;
  mode: AnswerMode | null;
  citations: EvalCitation[];
  /** The retrieved passages' documents, each once, in rank order. */
  retrievedSources: string[];
  metrics: CaseMetrics;
  latencyMs: number;
  /** Null when the case passed. */
  failure: FailureKind | null;
  /** Whether the answer holds the case's nuggets; only on answerable cases that have nuggets. */
  nuggets?: NuggetResult;
  /**
   * The answer's `confidence` (estimated probability that it is correct and supported); on an
   * abstention, that of the answer withheld. Absent in reports from before it existed and on errors.
   */
  confidence?: number;
  /** The judge's unsupported claims, when a judge scored faithfulness. */
  unsupportedClaims?: string[];
  /** Why the case errored (failure `error`). */
  error?: string;
  /** Why the judge could not score this case (its judge metrics are then null). */
  judgeError?: string;
}

export interface EvalConfig {
  kb: string;
  k: number;
  concurrency: number;
  /** The eval set's file name or stored name. */
  evalSet: string;
  llm: string;
  embedder: string;
  judge: string | null;
  /** How `faithfulness` was scored: by the judge (claims) or by Oriole's support check (sentences). */
  faithfulnessMethod: 'judge' | 'support-check';
  retrievalMode: string | null;
}

export interface MetricDelta {
  metric: MetricName;
  baseline: number | null;
  current: number | null;
  delta: number | null;
  /** Worse by more than the tolerance (lower for most metrics, higher for latencies). */
  regressed: boolean;
  improved: boolean;
}

export interface CaseChange {
  id: string;
  question: string;
  baselineFailure: FailureKind | null;
  currentFailure: FailureKind | null;
}

export interface Comparison {
  baseline: { startedAt: string; kb: string; kbVersion: number; gitCommit: string | null; evalSet: string };
  metrics: MetricDelta[];
  /** Cases that passed in the baseline and fail now. */
  regressions: CaseChange[];
  /** Cases that failed in the baseline and pass now. */
  fixes: CaseChange[];
  /** Case ids present in only one of the runs. */
  onlyInBaseline: string[];
  onlyInCurrent: string[];
}

export interface GateResult {
  metric: MetricName;
  bound: number;
  value: number | null;
  passed: boolean;
}

export interface EvalReport {
  formatVersion: 1;
  summary: EvalSummary;
  counts: {
    cases: number;
    answerable: number;
    unanswerable: number;
    passed: number;
    errors: number;
    failures: Record<FailureKind, number>;
  };
  rows: EvalRow[];
  config: EvalConfig;
  kb: { name: string; version: number; embedder: string };
  oriole: { version: string; gitCommit: string | null; node: string };
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  comparison?: Comparison;
  gates?: GateResult[];
  /**
   * The accuracy–coverage curve (docs/evals.md): as a confidence threshold rises, the share of
   * cases still answered and the share of those that pass. Absent in reports from before it existed.
   */
  accuracyCoverage?: CoveragePoint[];
}

/** One point of the accuracy–coverage curve (evals/metrics.ts). */
export interface CoveragePoint {
  threshold: number;
  coverage: number;
  accuracy: number | null;
}

/** An LLM that grades answers (ORIOLE_JUDGE). Scores are in [0,1]. */
export interface Judge {
  /** The judge model's spec, as reported: 'openai:gpt-4o-mini'. */
  readonly name: string;
  /** How far the answer agrees with the reference answer. */
  correctness(input: { question: string; reference: string; answer: string }, signal?: AbortSignal): Promise<number>;
  /** RAGAS-style: the answer's claims, each checked against the passages the answer cites. */
  faithfulness(
    input: { question: string; answer: string; passages: Array<{ index: number; text: string }> },
    signal?: AbortSignal,
  ): Promise<{ score: number; claims: Array<{ claim: string; supported: boolean }> }>;
}
