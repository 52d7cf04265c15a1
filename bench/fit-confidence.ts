/**
 * Fits the coefficients of `confidence` (src/answer/confidence.ts) from labelled cases and
 * measures them on held-out ones. The cases are the per-case output of bench/answer-eval.ts
 * (`--out FILE`), which holds each answer's evidence features:
 *
 *   npx tsx bench/answer-eval.ts --eval-sets DIR --out cases.json
 *   npx tsx bench/fit-confidence.ts --cases cases.json --train rhdh-docs-ragas --test domainrag-ruc [--write]
 *   npx tsx bench/fit-confidence.ts --cases cases.json --train rhdh-docs-ragas,domainrag-ruc --write   (pooled)
 *
 * A case is labelled correct (1) when the answer assessed (the served one, or the one an
 * abstention withheld) holds at least half of the reference's tokens, the rule evals use
 * without a judge (evals/scoring.ts, wrongAnswerThreshold); questions of the other set and
 * removed-answer questions whose answer is not recoverable from the remaining documents are
 * labelled 0. Cases without passages have no features (their confidence is 0 by rule) and are
 * left out of the fit. The fit is an L2-regularised logistic regression by Newton's method,
 * its weights kept non-negative so that confidence is monotone in the evidence.
 *
 * On the test set it prints: the expected calibration error over the answered cases
 * (evals/metrics.ts), and, as minConfidence rises, the removed-answer abstention precision and
 * recall (the answerable questions are the negatives), the false abstention rate and the
 * other-set abstention recall; the highest recall at precision ≥ 0.8 is picked out.
 * `--write` rewrites src/answer/confidence-model.ts with the coefficients fitted on --train.
 *
 * `--verifier-blend` fits instead how a verifier's score joins confidence (src/answer/verification.ts):
 * σ(intercept + confidenceWeight·logit(confidence) + verifierWeight·logit(score)) over the cases that
 * have a `verifierScore` (bench/answer-eval.ts --verifier), confidence being the shipped model's;
 * the rest keep the shipped model's confidence. `--write` then rewrites src/answer/verifier-blend.ts.
 *
 *   npx tsx bench/answer-eval.ts --eval-sets DIR --verifier transformers:<model> --out cases.json
 *   npx tsx bench/fit-confidence.ts --cases cases.json --train rhdh-docs-ragas --test domainrag-ruc --verifier-blend [--write]
 */
import { writeFile } from 'node:fs/promises';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expectedCalibrationError } from '../evals/index.ts';
import {
  blendConfidence,
  confidenceFeatureNames,
  confidenceFromFeatures,
  confidenceModel,
  logOdds,
  type ConfidenceFeatures,
  type ConfidenceModel,
  type VerifierBlend,
} from '../src/answer/index.ts';

/** Reference token recall at or above which an answer counts as correct (evals' rule without a judge). */
const correctRecall = 0.5;
/** L2 penalty on the weights (not the intercept): keeps a feature that never varies in one set from taking an arbitrary weight. */
const l2Penalty = 1;
const newtonIterations = 50;
/** The precision the removed-answer abstention must keep (the goal). */
const targetPrecision = 0.8;

interface BenchCase {
  set: string;
  group: 'answerable' | 'removed' | 'cross-set';
  id: string;
  abstained: boolean;
  reason: string | null;
  cleanlyRemoved: boolean;
  confidenceFeatures: ConfidenceFeatures | null;
  /** The verifier's answerability score (answer-eval --verifier); absent or null when none ran. */
  verifierScore?: number | null;
  readerRecall: number | null;
}

interface Labelled {
  benchCase: BenchCase;
  features: ConfidenceFeatures | null;
  correct: boolean;
}

function label(benchCase: BenchCase): Labelled {
  const recallOk = (benchCase.readerRecall ?? 0) >= correctRecall;
  const correct =
    benchCase.group === 'answerable' ? recallOk : benchCase.group === 'removed' ? !benchCase.cleanlyRemoved && recallOk : false;
  return { benchCase, features: benchCase.confidenceFeatures, correct };
}

function vector(features: ConfidenceFeatures): number[] {
  return [1, ...confidenceFeatureNames.map((name) => features[name])];
}

/**
 * Logistic regression with an L2 penalty and non-negative weights: every feature is defined
 * so that more means more evidence for the answer, so confidence must never fall as one
 * rises (a negative weight fitted on one set is a quirk of that set, not a rule). A weight
 * that comes out negative is fixed at 0 and the rest refitted, until none is.
 */
export function fitLogistic(rows: Array<{ x: number[]; y: number }>, penalty = l2Penalty): number[] {
  const size = rows[0]?.x.length ?? 0;
  const fixedAtZero = new Set<number>();
  for (;;) {
    const beta = fitNewton(rows, penalty, fixedAtZero);
    const negative = beta.map((value, index) => (index > 0 && value < 0 ? index : -1)).filter((index) => index > 0);
    if (negative.length === 0 || fixedAtZero.size >= size - 1) return beta;
    // The most negative goes first: dropping it may lift the others.
    const worst = negative.reduce((most, index) => (beta[index]! < beta[most]! ? index : most));
    fixedAtZero.add(worst);
  }
}

/** Newton's method (iteratively reweighted least squares), the weights in `fixedAtZero` held at 0. */
function fitNewton(rows: Array<{ x: number[]; y: number }>, penalty: number, fixedAtZero: ReadonlySet<number>): number[] {
  const size = rows[0]?.x.length ?? 0;
  let beta = new Array<number>(size).fill(0);
  for (let iteration = 0; iteration < newtonIterations; iteration++) {
    const gradient = new Array<number>(size).fill(0);
    const hessian = Array.from({ length: size }, () => new Array<number>(size).fill(0));
    for (const { x, y } of rows) {
      const p = 1 / (1 + Math.exp(-x.reduce((sum, value, index) => sum + value * beta[index]!, 0)));
      const weight = p * (1 - p);
      for (let i = 0; i < size; i++) {
        gradient[i]! += (y - p) * x[i]!;
        for (let j = 0; j < size; j++) hessian[i]![j]! += weight * x[i]! * x[j]!;
      }
    }
    for (let i = 1; i < size; i++) {
      gradient[i]! -= penalty * beta[i]!;
      hessian[i]![i]! += penalty;
    }
    for (const i of fixedAtZero) {
      gradient[i] = 0;
      hessian[i] = hessian[i]!.map((_, j) => (j === i ? 1 : 0));
      for (let j = 0; j < size; j++) if (j !== i) hessian[j]![i] = 0;
    }
    const step = solve(hessian, gradient);
    beta = beta.map((value, index) => value + step[index]!);
    if (Math.max(...step.map(Math.abs)) < 1e-8) break;
  }
  return beta;
}

/** Gaussian elimination with partial pivoting: A x = b. */
function solve(matrix: number[][], vectorB: number[]): number[] {
  const size = vectorB.length;
  const a = matrix.map((row, index) => [...row, vectorB[index]!]);
  for (let column = 0; column < size; column++) {
    let pivot = column;
    for (let row = column + 1; row < size; row++) if (Math.abs(a[row]![column]!) > Math.abs(a[pivot]![column]!)) pivot = row;
    [a[column], a[pivot]] = [a[pivot]!, a[column]!];
    const lead = a[column]![column]!;
    if (Math.abs(lead) < 1e-12) continue;
    for (let row = 0; row < size; row++) {
      if (row === column) continue;
      const factor = a[row]![column]! / lead;
      for (let k = column; k <= size; k++) a[row]![k]! -= factor * a[column]![k]!;
    }
  }
  return a.map((row, index) => (Math.abs(row[index]!) < 1e-12 ? 0 : row[size]! / row[index]!));
}

function modelOf(beta: number[], fittedOn: string): ConfidenceModel {
  const weights = Object.fromEntries(confidenceFeatureNames.map((name, index) => [name, round(beta[index + 1]!)])) as ConfidenceModel['weights'];
  return { intercept: round(beta[0]!), weights, fittedOn };
}

interface Measured {
  cases: number;
  ece: number | null;
  /** Area under the ROC curve of confidence for correctness over the answered cases: how well it ranks, whatever its scale. */
  auc: number | null;
  correctAnswered: number;
  meanConfidence: number | null;
  answered: number;
  sweep: Array<{ minConfidence: number; precision: number | null; recall: number; falseAbstention: number; otherSetRecall: number | null }>;
  best: Measured['sweep'][number] | null;
}

/** A case's confidence under a model, or (with `blend`) the shipped model's blended with its verifier score. */
type ConfidenceOf = (entry: Labelled) => number;

function modelConfidence(model: ConfidenceModel): ConfidenceOf {
  return (entry) => (entry.features ? confidenceFromFeatures(entry.features, model) : 0);
}

function blendedConfidence(blend: VerifierBlend): ConfidenceOf {
  const base = modelConfidence(confidenceModel);
  return (entry) => {
    const score = entry.benchCase.verifierScore;
    return score === null || score === undefined ? base(entry) : blendConfidence(base(entry), score, blend);
  };
}

function measure(cases: Labelled[], confidence: ConfidenceOf): Measured {
  const answered = cases.filter((entry) => !entry.benchCase.abstained);
  const ece = expectedCalibrationError(answered.map((entry) => ({ confidence: confidence(entry), correct: entry.correct })));
  const auc = areaUnderCurve(answered.map((entry) => ({ score: confidence(entry), positive: entry.correct })));
  const answerable = cases.filter((entry) => entry.benchCase.group === 'answerable');
  const removed = cases.filter((entry) => entry.benchCase.group === 'removed');
  const otherSet = cases.filter((entry) => entry.benchCase.group === 'cross-set');
  const sweep: Measured['sweep'] = [];
  for (let step = 0; step <= 100; step++) {
    const minConfidence = step / 100;
    const abstains = (entry: Labelled) => entry.benchCase.abstained || confidence(entry) < minConfidence;
    const truePositives = removed.filter(abstains).length;
    const falsePositives = answerable.filter(abstains).length;
    sweep.push({
      minConfidence,
      precision: truePositives + falsePositives === 0 ? null : truePositives / (truePositives + falsePositives),
      recall: removed.length === 0 ? 0 : truePositives / removed.length,
      falseAbstention: answerable.length === 0 ? 0 : falsePositives / answerable.length,
      otherSetRecall: otherSet.length === 0 ? null : otherSet.filter(abstains).length / otherSet.length,
    });
  }
  const qualifying = sweep.filter((point) => point.precision !== null && point.precision >= targetPrecision);
  const best = qualifying.reduce<Measured['sweep'][number] | null>((top, point) => (top === null || point.recall > top.recall ? point : top), null);
  const meanConfidence = answered.length === 0 ? null : answered.reduce((sum, entry) => sum + confidence(entry), 0) / answered.length;
  return { cases: cases.length, ece, auc, correctAnswered: answered.filter((entry) => entry.correct).length, meanConfidence, answered: answered.length, sweep, best };
}

/** The probability that a random positive scores above a random negative (ties count half). */
function areaUnderCurve(points: Array<{ score: number; positive: boolean }>): number | null {
  const positives = points.filter((point) => point.positive).map((point) => point.score);
  const negatives = points.filter((point) => !point.positive).map((point) => point.score);
  if (positives.length === 0 || negatives.length === 0) return null;
  let wins = 0;
  for (const positive of positives) for (const negative of negatives) wins += positive > negative ? 1 : positive === negative ? 0.5 : 0;
  return wins / (positives.length * negatives.length);
}

function report(name: string, measured: Measured): void {
  const figure = (value: number | null) => (value === null ? '–' : value.toFixed(3));
  const atZero = measured.sweep[0]!;
  console.log(`\n## ${name}: ${measured.cases} cases, ${measured.answered} answered`);
  const correctShare = measured.answered === 0 ? null : measured.correctAnswered / measured.answered;
  console.log(`ECE (10 bins, answered cases): ${figure(measured.ece)}; AUC for correctness: ${figure(measured.auc)}; answered cases correct: ${figure(correctShare)}, mean confidence ${figure(measured.meanConfidence)}`);
  console.log(
    `without minConfidence: removed-answer abstention P ${figure(atZero.precision)} / R ${figure(atZero.recall)}, ` +
      `false abstention ${figure(atZero.falseAbstention)}, other-set recall ${figure(atZero.otherSetRecall)}`,
  );
  if (measured.best) {
    const best = measured.best;
    console.log(
      `best at P ≥ ${targetPrecision}: minConfidence ${best.minConfidence.toFixed(2)} → removed-answer P ${figure(best.precision)} / R ${figure(best.recall)}, ` +
        `false abstention ${figure(best.falseAbstention)}, other-set recall ${figure(best.otherSetRecall)}`,
    );
  } else {
    console.log(`no minConfidence reaches removed-answer abstention precision ≥ ${targetPrecision}`);
  }
  console.log('| minConfidence | removed P | removed R | false abstention | other-set R |\n|---|---|---|---|---|');
  for (const point of measured.sweep.filter((_, index) => index % 10 === 0)) {
    console.log(`| ${point.minConfidence.toFixed(2)} | ${figure(point.precision)} | ${figure(point.recall)} | ${figure(point.falseAbstention)} | ${figure(point.otherSetRecall)} |`);
  }
}

function option(argumentsGiven: string[], name: string): string | undefined {
  const at = argumentsGiven.indexOf(name);
  return at >= 0 ? argumentsGiven[at + 1] : undefined;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

async function main(): Promise<void> {
  const argumentsGiven = process.argv.slice(2);
  const file = option(argumentsGiven, '--cases');
  const train = option(argumentsGiven, '--train');
  const test = option(argumentsGiven, '--test');
  if (!file || !train) throw new Error('usage: fit-confidence.ts --cases FILE.json --train SET[,SET…] [--test SET] [--write]');
  const all = (JSON.parse(await readFile(file, 'utf8')) as { cases: BenchCase[] }).cases.map(label);
  const trainSets = train.split(',');
  const trainCases = all.filter((entry) => trainSets.includes(entry.benchCase.set));
  if (trainCases.length === 0) throw new Error(`no cases of set '${train}' in ${file}`);
  const rows = trainCases.flatMap((entry) => (entry.features ? [{ x: vector(entry.features), y: entry.correct ? 1 : 0 }] : []));
  const positives = rows.filter((row) => row.y === 1).length;
  console.log(`fitting on ${train}: ${rows.length} cases with features, ${positives} labelled correct`);
  if (argumentsGiven.includes('--verifier-blend')) return fitVerifierBlend(all, trainCases, train, test, argumentsGiven.includes('--write'));
  const model = modelOf(fitLogistic(rows), `${train} (bench/answer-eval.ts cases, ${rows.length} with features, ${positives} correct)`);
  console.log(JSON.stringify(model, null, 2));
  report(`${train} (training set)`, measure(trainCases, modelConfidence(model)));
  if (test) {
    const testCases = all.filter((entry) => entry.benchCase.set === test);
    report(`${test} (held out)`, measure(testCases, modelConfidence(model)));
  }
  if (argumentsGiven.includes('--write')) {
    const target = path.join(path.dirname(fileURLToPath(import.meta.url)), '../src/answer/confidence-model.ts');
    await writeFile(target, modelSource(model));
    console.log(`\nwrote ${target}`);
  }
}

/** Fits the verifier blend on the training cases with verifier scores, reports it beside the shipped model, and may write it. */
async function fitVerifierBlend(all: Labelled[], trainCases: Labelled[], train: string, test: string | undefined, write: boolean): Promise<void> {
  const base = modelConfidence(confidenceModel);
  const rows = trainCases.flatMap((entry) => {
    const score = entry.benchCase.verifierScore;
    if (!entry.features || score === null || score === undefined) return [];
    return [{ x: [1, logOdds(base(entry)), logOdds(score)], y: entry.correct ? 1 : 0 }];
  });
  if (rows.length === 0) throw new Error(`no case of ${train} has a verifierScore: run bench/answer-eval.ts with --verifier`);
  const [intercept, confidenceWeight, verifierWeight] = fitLogistic(rows).map(round) as [number, number, number];
  const positives = rows.filter((row) => row.y === 1).length;
  const blend = {
    intercept,
    confidenceWeight,
    verifierWeight,
    fittedOn: `${train} (bench/answer-eval.ts cases with verifier scores, ${rows.length} cases, ${positives} correct)`,
  };
  console.log(`fitting the verifier blend on ${train}: ${rows.length} cases with verifier scores, ${positives} labelled correct`);
  console.log(JSON.stringify(blend, null, 2));
  const sets = [{ name: `${train} (training set)`, cases: trainCases }, ...(test ? [{ name: `${test} (held out)`, cases: all.filter((entry) => entry.benchCase.set === test) }] : [])];
  for (const { name, cases } of sets) {
    report(`${name}, shipped model without the verifier`, measure(cases, base));
    report(`${name}, shipped model blended with the verifier`, measure(cases, blendedConfidence(blend)));
  }
  if (write) {
    const target = path.join(path.dirname(fileURLToPath(import.meta.url)), '../src/answer/verifier-blend.ts');
    await writeFile(target, blendSource(blend));
    console.log(`\nwrote ${target}`);
  }
}

function blendSource(blend: VerifierBlend): string {
  return `/**
 * How a verifier's answerability score joins \`confidence\` (verification.ts):
 * confidence' = σ(intercept + confidenceWeight·logit(confidence) + verifierWeight·logit(score)).
 * Written by bench/fit-confidence.ts (\`--verifier-blend --write\`) from cases with verifier
 * scores; refit with it rather than editing by hand.
 */
export const verifierBlend = {
  intercept: ${blend.intercept},
  confidenceWeight: ${blend.confidenceWeight},
  verifierWeight: ${blend.verifierWeight},
  fittedOn: ${JSON.stringify(blend.fittedOn)},
};
`;
}

function modelSource(model: ConfidenceModel): string {
  const weights = confidenceFeatureNames.map((name) => `    ${name}: ${model.weights[name]},`).join('\n');
  return `/**
 * The coefficients of \`confidence\` (confidence.ts). Written by bench/fit-confidence.ts from
 * labelled cases; refit with it rather than editing by hand. Plain data: confidence.ts checks
 * its shape where it uses it (a type import from there would make an import cycle).
 */
export const confidenceModel = {
  intercept: ${model.intercept},
  weights: {
${weights}
  },
  fittedOn: ${JSON.stringify(model.fittedOn)},
};
`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) await main();
