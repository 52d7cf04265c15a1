/**
 * A confidence threshold fitted to an error budget (`oriole calibrate`, docs/answers.md):
 * split conformal risk control in its high-probability form (Learn then Test, Angelopoulos
 * et al. 2021; selective risk as in Geifman & El-Yaniv 2017). Pure: numbers in, numbers out.
 *
 * The risk of a threshold t is the share of wrong answers among the answers given at t (a
 * case is answered at t when the answer service answered it and its confidence is ≥ t).
 * Given the cases answered at t, their wrong ones are a binomial draw with that risk, so the
 * exact (Clopper-Pearson) upper bound on a binomial rate bounds it. Every threshold of a grid
 * fixed in advance is bounded at once (a union bound: each at 1 − (1 − level) / grid size),
 * so taking the lowest threshold whose bound meets the budget keeps the stated confidence
 * level; bounding each at the plain level and picking the best would spend it many times.
 */

/** How one case came out (evals' `answerOutcome`): abstained cases are never answered, whatever the threshold. */
export type CaseOutcome = 'correct' | 'wrong' | 'abstained';

export interface ScoredCase {
  /** The answer's confidence in [0,1] (an abstention's is ignored). */
  confidence: number;
  outcome: CaseOutcome;
}

/** The thresholds tried: 0, 0.01, …, 1 (confidence is reported to 3 decimals; a finer grid costs confidence). */
export const defaultThresholdGrid: readonly number[] = Array.from({ length: 101 }, (_, index) => index / 100);

/** What a threshold does to a set of cases. */
export interface SelectiveOutcome {
  threshold: number;
  cases: number;
  /** Cases answered at the threshold: not abstained, confidence ≥ threshold. */
  answered: number;
  /** Of those, the ones that are wrong. */
  wrong: number;
  /** answered / cases; 0 without cases. */
  coverage: number;
  /** wrong / answered; null when none is answered. */
  wrongShare: number | null;
}

export function selectiveOutcome(cases: readonly ScoredCase[], threshold: number): SelectiveOutcome {
  let answered = 0;
  let wrong = 0;
  for (const scored of cases) {
    if (scored.outcome === 'abstained' || scored.confidence < threshold) continue;
    answered += 1;
    if (scored.outcome === 'wrong') wrong += 1;
  }
  return {
    threshold,
    cases: cases.length,
    answered,
    wrong,
    coverage: cases.length === 0 ? 0 : answered / cases.length,
    wrongShare: answered === 0 ? null : wrong / answered,
  };
}

/** P(X ≤ k) for X ~ Binomial(n, p), summed in log space so large n does not underflow. */
export function binomialCdf(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n || p <= 0) return 1;
  if (p >= 1) return 0;
  const logOdds = Math.log(p) - Math.log1p(-p);
  let logTerm = n * Math.log1p(-p); // P(X = 0)
  let logSum = logTerm;
  for (let i = 0; i < k; i++) {
    logTerm += Math.log((n - i) / (i + 1)) + logOdds;
    const high = Math.max(logSum, logTerm);
    logSum = high + Math.log(Math.exp(logSum - high) + Math.exp(logTerm - high));
  }
  return Math.min(1, Math.exp(logSum));
}

/**
 * The one-sided Clopper-Pearson upper bound on a binomial rate after `failures` in `trials`:
 * the rate u with P(X ≤ failures | trials, u) = 1 − level. The true rate is under it with
 * probability at least `level`. 1 without trials (nothing is known).
 */
export function clopperPearsonUpper(failures: number, trials: number, level: number): number {
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be in (0, 1); got ${level}`);
  if (!Number.isInteger(failures) || !Number.isInteger(trials) || failures < 0 || failures > trials) {
    throw new RangeError(`expected 0 ≤ failures ≤ trials, integers; got ${failures} of ${trials}`);
  }
  if (failures === trials) return 1;
  const tail = 1 - level;
  // P(X ≤ failures) falls as the rate rises: bisect for the rate where it reaches the tail.
  let low = failures / trials;
  let high = 1;
  for (let step = 0; step < 100 && high - low > 1e-12; step++) {
    const middle = (low + high) / 2;
    if (binomialCdf(failures, trials, middle) > tail) low = middle;
    else high = middle;
  }
  return high;
}

export interface RiskBudget {
  /** The most wrong answers among those answered, as a share (0–1, exclusive). */
  maxWrong: number;
  /** The probability, over the draw of the calibration cases, that the guarantee holds (0–1, exclusive). */
  confidenceLevel: number;
  grid?: readonly number[];
}

export interface BoundedOutcome extends SelectiveOutcome {
  /** The upper bound on the wrong share among answers at this threshold. */
  upperBound: number;
}

export interface ThresholdFit {
  /** The lowest threshold of the grid whose bound meets the budget, with its figures; null when none does. */
  chosen: BoundedOutcome | null;
  /** The threshold with the lowest bound: the tightest budget these cases can support. */
  tightest: BoundedOutcome;
  /** Every threshold of the grid, lowest first, with its figures and bound. */
  byThreshold: BoundedOutcome[];
  /** The level each threshold is bounded at, so that all hold together at the stated level. */
  perThresholdLevel: number;
  gridSize: number;
}

/** The lowest threshold whose wrong-share bound is within the budget (see the module comment). */
export function fitThreshold(cases: readonly ScoredCase[], budget: RiskBudget): ThresholdFit {
  const grid = [...(budget.grid ?? defaultThresholdGrid)].sort((a, b) => a - b);
  if (grid.length === 0) throw new RangeError('the threshold grid is empty');
  if (!(budget.maxWrong > 0 && budget.maxWrong < 1)) throw new RangeError(`maxWrong must be in (0, 1); got ${budget.maxWrong}`);
  if (!(budget.confidenceLevel > 0 && budget.confidenceLevel < 1)) {
    throw new RangeError(`confidenceLevel must be in (0, 1); got ${budget.confidenceLevel}`);
  }
  const perThresholdLevel = 1 - (1 - budget.confidenceLevel) / grid.length;
  const bounded = grid.map((threshold): BoundedOutcome => {
    const outcome = selectiveOutcome(cases, threshold);
    return { ...outcome, upperBound: clopperPearsonUpper(outcome.wrong, outcome.answered, perThresholdLevel) };
  });
  const chosen = bounded.find((outcome) => outcome.upperBound <= budget.maxWrong) ?? null;
  const tightest = bounded.reduce((best, outcome) => (outcome.upperBound < best.upperBound ? outcome : best));
  return { chosen, tightest, byThreshold: bounded, perThresholdLevel, gridSize: grid.length };
}

/** A seeded split of `items` into a calibration part and a held-out part (`share` of them, rounded, calibrate). */
export function splitForCalibration<T>(items: readonly T[], random: () => number, share = 0.5): { calibration: T[]; heldOut: T[] } {
  const shuffled = shuffle(items, random);
  const size = Math.round(items.length * share);
  return { calibration: shuffled.slice(0, size), heldOut: shuffled.slice(size) };
}

/** A Fisher-Yates shuffle of a copy. */
export function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [copy[index], copy[other]] = [copy[other]!, copy[index]!];
  }
  return copy;
}
