import type { NuggetResult } from './types.ts';

/**
 * Eval metrics as pure functions: no I/O, no configuration, so `oriole eval` and the
 * benches score the same way. Retrieval metrics are document-level: a ranked list of
 * chunk sources keeps each document at its first (best) rank, later chunks of the
 * same document are dropped, and only then is the list cut at k.
 */

/** Han ideographs and Japanese kana: scripts written without spaces, compared character by character. */
const spacelessCharacter = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/gu;
/** SQuAD deletes punctuation (and ASCII symbols such as `$`, `|`); Unicode's categories cover CJK punctuation too. */
const punctuationOrSymbol = /[\p{P}\p{S}]/gu;
const englishArticle = /\b(?:a|an|the)\b/gu;

/**
 * The tokens `tokenF1` compares, SQuAD-style: NFKC (full-width letters and digits
 * become ASCII), lower case, punctuation deleted, English articles dropped, split on
 * whitespace; each Han or kana character is a token of its own, so "使用Docker部署"
 * is `使 用 docker 部 署`.
 */
export function answerTokens(text: string): string[] {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(punctuationOrSymbol, '')
    .replace(englishArticle, ' ')
    .replace(spacelessCharacter, (character) => ` ${character} `)
    .split(/\s+/u)
    .filter((token) => token.length > 0);
}

/**
 * SQuAD token F1 of a prediction against one reference, in [0,1]: the harmonic mean of
 * the shares of shared tokens (counted with multiplicity) in each. When either has no
 * tokens, 1 if both have none, else 0 (as SQuAD v2 scores "no answer").
 */
export function tokenF1(prediction: string, reference: string): number {
  const predicted = answerTokens(prediction);
  const expected = answerTokens(reference);
  if (predicted.length === 0 || expected.length === 0) return predicted.length === expected.length ? 1 : 0;
  const shared = sharedTokenCount(predicted, expected);
  if (shared === 0) return 0;
  const precision = shared / predicted.length;
  const recall = shared / expected.length;
  return (2 * precision * recall) / (precision + recall);
}

/**
 * Share of the reference's tokens (with multiplicity, normalised as in tokenF1) that the
 * prediction contains: whether a long answer states the reference, however much else it
 * says. 1 for an empty reference.
 */
export function tokenRecall(prediction: string, reference: string): number {
  const expected = answerTokens(reference);
  if (expected.length === 0) return 1;
  return sharedTokenCount(answerTokens(prediction), expected) / expected.length;
}

function sharedTokenCount(predicted: readonly string[], expected: readonly string[]): number {
  const remaining = new Map<string, number>();
  for (const token of expected) remaining.set(token, (remaining.get(token) ?? 0) + 1);
  let shared = 0;
  for (const token of predicted) {
    const count = remaining.get(token) ?? 0;
    if (count > 0) {
      shared += 1;
      remaining.set(token, count - 1);
    }
  }
  return shared;
}

/** The first k distinct documents of a ranking, each at its first rank. */
export function distinctTopK(rankedSources: readonly string[], k: number): string[] {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  return [...new Set(rankedSources)].slice(0, k);
}

/** 1-based rank of the first gold document among the first k distinct documents; 0 when none is there. */
export function firstGoldRank(rankedSources: readonly string[], goldSources: readonly string[], k: number): number {
  const gold = new Set(goldSources);
  return distinctTopK(rankedSources, k).findIndex((source) => gold.has(source)) + 1;
}

/** 1 when any gold document is among the first k distinct documents, else 0; null without gold documents. */
export function hitAtK(rankedSources: readonly string[], goldSources: readonly string[], k: number): number | null {
  if (goldSources.length === 0) return null;
  return firstGoldRank(rankedSources, goldSources, k) > 0 ? 1 : 0;
}

/** Share of the distinct gold documents found among the first k distinct documents; null without gold documents. */
export function recallAtK(rankedSources: readonly string[], goldSources: readonly string[], k: number): number | null {
  const gold = new Set(goldSources);
  if (gold.size === 0) return null;
  return distinctTopK(rankedSources, k).filter((source) => gold.has(source)).length / gold.size;
}

/** 1 / rank of the first gold document within the first k distinct documents (0 past k): one case's MRR@k; null without gold. */
export function reciprocalRankAtK(rankedSources: readonly string[], goldSources: readonly string[], k: number): number | null {
  if (goldSources.length === 0) return null;
  const rank = firstGoldRank(rankedSources, goldSources, k);
  return rank > 0 ? 1 / rank : 0;
}

/**
 * nDCG@k with binary relevance (a gold document 1, anything else 0): DCG = Σ 1/log2(rank+1)
 * over gold documents in the first k distinct documents, over the ideal DCG of
 * min(|gold|, k) gold documents ranked first. Null without gold documents.
 */
export function ndcgAtK(rankedSources: readonly string[], goldSources: readonly string[], k: number): number | null {
  const gold = new Set(goldSources);
  if (gold.size === 0) return null;
  const gain = (rank: number) => 1 / Math.log2(rank + 1);
  let dcg = 0;
  distinctTopK(rankedSources, k).forEach((source, index) => {
    if (gold.has(source)) dcg += gain(index + 1);
  });
  let ideal = 0;
  for (let rank = 1; rank <= Math.min(gold.size, k); rank++) ideal += gain(rank);
  return dcg / ideal;
}

export interface AbstentionCase {
  /** The KB cannot answer the question (an unanswerable case): abstaining is right. */
  shouldAbstain: boolean;
  abstained: boolean;
}

export interface AbstentionScores {
  /** Abstained on an unanswerable question. */
  truePositives: number;
  /** Abstained on an answerable question. */
  falsePositives: number;
  /** Answered an unanswerable question. */
  falseNegatives: number;
  /** Answered an answerable question. */
  trueNegatives: number;
  /** Of the abstentions, the share on unanswerable questions; null when nothing was abstained on. */
  precision: number | null;
  /** Of the unanswerable questions, the share abstained on; null when there is none. */
  recall: number | null;
  /** Of the answerable questions, the share abstained on; null when there is none. */
  falseAbstentionRate: number | null;
}

/** Abstention scored as a classifier whose positive class is "abstain". */
export function abstentionPrecisionRecall(cases: readonly AbstentionCase[]): AbstentionScores {
  let truePositives = 0;
  let falsePositives = 0;
  let falseNegatives = 0;
  let trueNegatives = 0;
  for (const { shouldAbstain, abstained } of cases) {
    if (shouldAbstain && abstained) truePositives += 1;
    else if (abstained) falsePositives += 1;
    else if (shouldAbstain) falseNegatives += 1;
    else trueNegatives += 1;
  }
  const ratio = (numerator: number, denominator: number) => (denominator === 0 ? null : numerator / denominator);
  return {
    truePositives,
    falsePositives,
    falseNegatives,
    trueNegatives,
    precision: ratio(truePositives, truePositives + falsePositives),
    recall: ratio(truePositives, truePositives + falseNegatives),
    falseAbstentionRate: ratio(falsePositives, falsePositives + trueNegatives),
  };
}

/**
 * The p-th percentile (p in [0, 100]) by nearest rank: the smallest value with at least
 * p% of the values at or below it, so always a value that was observed (p 0 is the
 * minimum, p 100 the maximum). Null for no values.
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`p must be within [0, 100], got ${p}`);
  if (values.length === 0) return null;
  const sorted = [...values].sort((left, right) => left - right);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/** The mean of the values that are not null (per-case metrics of cases without gold); null when none is. */
export function meanOf(values: readonly (number | null)[]): number | null {
  const present = values.filter((value): value is number => value !== null);
  return present.length === 0 ? null : present.reduce((sum, value) => sum + value, 0) / present.length;
}

/** CJK punctuation NFKC leaves alone, mapped to the ASCII a nugget would be written with. */
const cjkPunctuation: Record<string, string> = {
  '。': '.',
  '、': ',',
  '「': '"',
  '」': '"',
  '『': '"',
  '』': '"',
  '“': '"',
  '”': '"',
  '‘': "'",
  '’': "'",
  '《': '<',
  '》': '>',
  '【': '[',
  '】': ']',
  '…': '...',
};
const cjkPunctuationPattern = new RegExp(`[${Object.keys(cjkPunctuation).join('')}]`, 'gu');
/** A Markdown backslash escape (`plausible\_ignore`): the answer may be rendered Markdown, the nugget is plain text. */
const markdownEscape = /\\([!-/:-@[-`{-~])/g;
/** Code and strong-emphasis markers: "`dist` 目录" and "**Enable 2FA**" hold the nuggets "dist 目录" and "Enable 2FA". */
const markdownMarkers = /`+|\*\*/g;
/** Space beside a Han character is optional in Chinese ("dist 目录", "dist目录"), so it is dropped on both sides. */
const spaceBesideHan = /\s+(?=\p{Script=Han})|(?<=\p{Script=Han})\s+/gu;

/**
 * Text as nuggets are matched: NFKC (full-width letters, digits and punctuation such as
 * `，：？（）` become ASCII), the CJK punctuation NFKC keeps (`。、「」“”`) mapped to ASCII,
 * Markdown backslash escapes, backticks and `**` dropped, lower case, every run of
 * whitespace one space, and none beside a Han character.
 */
export function nuggetText(text: string): string {
  return text
    .normalize('NFKC')
    .replace(cjkPunctuationPattern, (character) => cjkPunctuation[character]!)
    .replace(markdownEscape, '$1')
    .replace(markdownMarkers, '')
    .toLowerCase()
    .replace(/\s+/gu, ' ')
    .replace(spaceBesideHan, '')
    .trim();
}

export interface NuggetNeeds {
  /** Every one must be in the answer. */
  all?: readonly string[] | undefined;
  /** At least one must be in the answer (no constraint when empty). */
  any?: readonly string[] | undefined;
}

/**
 * Whether an answer holds the facts a useful answer must hold: every `all` nugget and at
 * least one `any` nugget, each as a substring after `nuggetText` on both sides. Null when
 * the case names no nugget (nothing to check).
 */
export function checkNuggets(answer: string, nuggets: NuggetNeeds): NuggetResult | null {
  const all = nuggets.all ?? [];
  const any = nuggets.any ?? [];
  if (all.length === 0 && any.length === 0) return null;
  const text = nuggetText(answer);
  const found = (nugget: string) => text.includes(nuggetText(nugget));
  const missingAll = all.filter((nugget) => !found(nugget));
  const missingAny = any.length === 0 || any.some(found) ? [] : [...any];
  return { passed: missingAll.length === 0 && missingAny.length === 0, missingAll, missingAny };
}

/** An answered case's stated confidence and whether it turned out right. */
export interface ConfidencePoint {
  confidence: number;
  correct: boolean;
}

/** Equal-width bins of the expected calibration error. */
export const calibrationBins = 10;

/**
 * Expected calibration error: the cases sorted into `bins` equal-width bins of confidence
 * ([0,0.1), [0.1,0.2), …, [0.9,1], a confidence of 1 in the last), and the per-bin gap
 * between mean confidence and accuracy averaged with each bin weighted by its share of
 * the cases: Σ_b (n_b / n) · |acc_b − conf_b|. 0 is perfectly calibrated; null for no cases.
 */
export function expectedCalibrationError(points: readonly ConfidencePoint[], bins = calibrationBins): number | null {
  if (points.length === 0) return null;
  const counts = new Array<number>(bins).fill(0);
  const confidenceSums = new Array<number>(bins).fill(0);
  const correctCounts = new Array<number>(bins).fill(0);
  for (const { confidence, correct } of points) {
    const bin = Math.min(bins - 1, Math.max(0, Math.floor(confidence * bins)));
    counts[bin]! += 1;
    confidenceSums[bin]! += confidence;
    if (correct) correctCounts[bin]! += 1;
  }
  let error = 0;
  for (let bin = 0; bin < bins; bin++) {
    const count = counts[bin]!;
    if (count === 0) continue;
    error += (count / points.length) * Math.abs(correctCounts[bin]! / count - confidenceSums[bin]! / count);
  }
  return error;
}

/**
 * One point of the accuracy–coverage curve: answering only at or above `threshold`,
 * `coverage` is the share of all cases answered and `accuracy` the share of those that
 * are right (null when none is answered).
 */
export type { CoveragePoint } from './types.ts';
import type { CoveragePoint } from './types.ts';

/**
 * The accuracy–coverage curve of `points` (every case the product answered, with whether it
 * was right) over `total` cases: as a confidence threshold rises from 0 to 1 in steps of
 * `step`, answers under it are withheld, fewer cases are answered and (for a calibrated
 * confidence) a larger share of those are right.
 */
export function accuracyCoverageCurve(points: readonly ConfidencePoint[], total: number, step = 0.05): CoveragePoint[] {
  const curve: CoveragePoint[] = [];
  const steps = Math.round(1 / step);
  for (let index = 0; index <= steps; index++) {
    const threshold = Math.round(index * step * 1000) / 1000;
    const kept = points.filter((point) => point.confidence >= threshold);
    curve.push({
      threshold,
      coverage: total === 0 ? 0 : kept.length / total,
      accuracy: kept.length === 0 ? null : kept.filter((point) => point.correct).length / kept.length,
    });
  }
  return curve;
}
