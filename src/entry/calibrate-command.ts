import path from 'node:path';
import {
  answerOutcome,
  filtersHoldingOut,
  fitThreshold,
  parseEvalCases,
  runEval,
  selectiveOutcome,
  splitForCalibration,
  withAnswersRemoved,
  type BoundedOutcome,
  type EvalRow,
  type ScoredCase,
  type SelectiveOutcome,
  type ThresholdFit,
} from '../../evals/index.ts';
import { defaultEvalOptions, seededRandom } from '../core/index.ts';
import { getKnowledgeBase, listSources } from '../db/index.ts';
import type { NodeComposition } from './compose.ts';
import { readCasesFile } from './eval-command.ts';
import { changeKbSettings, settingsPatch } from './kb-settings-command.ts';

/**
 * `oriole calibrate` (docs/cli.md, docs/answers.md "Calibrating minConfidence"): the KB's
 * answers to an eval set, scored by the rule of `oriole eval`'s truthfulness, then the
 * lowest `minConfidence` whose wrong-answer share is bounded within the budget on a seeded
 * calibration half (evals/calibration/risk-control.ts), checked on the other half and
 * stored through the settings code of `oriole kb settings`.
 */

export interface CalibrateCommand {
  kb: string;
  casesFile: string;
  /** The most wrong answers among those answered, as a share (0–1, exclusive). */
  maxWrong: number;
  /** The probability that the bound holds (0–1, exclusive). */
  confidenceLevel: number;
  /** Share of the answerable cases with gold sources asked with those documents held out. */
  removeShare: number;
  dryRun: boolean;
  seed: number;
}

export interface CalibrateOutcome {
  fit: ThresholdFit;
  /** The held-out half at the chosen threshold, and with no threshold; null when none was chosen. */
  heldOut: { atThreshold: SelectiveOutcome; unthresholded: SelectiveOutcome } | null;
  /** The settings version written; null on a dry run or when nothing was chosen. */
  storedVersion: number | null;
  /** 1 when no threshold meets the budget (nothing is stored). */
  exitCode: 0 | 1;
}

/** The calibration half's share of the scored cases. */
const calibrationShare = 0.5;

export async function runCalibrate(node: NodeComposition, command: CalibrateCommand, out: (text: string) => void): Promise<CalibrateOutcome> {
  const { database } = node;
  const origin = path.basename(command.casesFile);
  const parsed = parseEvalCases(await readCasesFile(command.casesFile), origin, (message) => console.warn(`warning: ${message}`));
  const kb = await getKnowledgeBase(database, command.kb);
  const random = seededRandom(command.seed);
  const { cases, heldOutSources } = withAnswersRemoved(parsed, command.removeShare, random);
  const sources = heldOutSources.size > 0 ? (await listSources(database, kb.id)).map((row) => row.source) : [];
  // The KB's answer path as /answer runs it, but nothing withheld for its confidence: those are the answers to score.
  const answering = await node.answersForKb(kb.name, { withholdLowConfidence: false });
  const report = await runEval(answering, {
    cases,
    evalSet: origin,
    kb: { name: kb.name, version: kb.version, embedder: kb.embedder },
    k: kb.settings.topK ?? defaultEvalOptions.k,
    concurrency: defaultEvalOptions.concurrency,
    llm: node.config.llm.spec,
    judge: node.judge(),
    oriole: node.buildInfo(),
    filtersFor: (evalCase) => {
      const heldOut = heldOutSources.get(evalCase.id);
      return heldOut ? filtersHoldingOut(sources, heldOut, kb.settings.filters) : undefined;
    },
  });
  const scored = report.rows.filter((row) => row.failure !== 'error').map(scoredCase);
  const errored = report.rows.length - scored.length;
  const { calibration, heldOut } = splitForCalibration(scored, random, calibrationShare);
  const budget = { maxWrong: command.maxWrong, confidenceLevel: command.confidenceLevel };
  const fit = fitThreshold(calibration, budget);

  out(
    `Calibrating '${kb.name}' on ${origin}: ${scored.length} cases scored (${heldOutSources.size} asked with their gold documents held out` +
      `${errored > 0 ? `; ${errored} errored, left out` : ''}), split with seed ${command.seed} into ${calibration.length} to fit and ${heldOut.length} to check.`,
  );
  out(`Budget: at most ${percent(command.maxWrong)} of the answers given are wrong, at ${percent(command.confidenceLevel)} confidence.`);
  out('');
  out(formatCurve(fit));
  out('');
  if (!fit.chosen) {
    out(
      `No minConfidence meets the budget: the tightest bound these cases support is ${percent(fit.tightest.upperBound)} ` +
        `(minConfidence ${fit.tightest.threshold.toFixed(2)}: ${describe(fit.tightest)} on the part fitted on). Nothing stored.`,
    );
    return { fit, heldOut: null, storedVersion: null, exitCode: 1 };
  }
  const threshold = fit.chosen.threshold;
  const checked = { atThreshold: selectiveOutcome(heldOut, threshold), unthresholded: selectiveOutcome(heldOut, 0) };
  out(formatFit(fit.chosen, checked.atThreshold, checked.unthresholded));
  out('');
  out(
    `Guarantee: with probability at least ${percent(command.confidenceLevel)} over the draw of the ${calibration.length} cases fitted on, ` +
      `at most ${percent(command.maxWrong)} of the answers given at minConfidence ${threshold.toFixed(2)} are wrong, for questions drawn ` +
      `as these cases were${heldOutSources.size > 0 ? ' (this mix of answer-removed ones included)' : ''} and judged by the same rule. ` +
      `(Clopper-Pearson bound on the wrong share among answers, every one of the ${fit.gridSize} thresholds tried bounded at ` +
      `${percent(fit.perThresholdLevel, 3)} so that all hold at once.) It says nothing about questions unlike these.`,
  );
  if (command.dryRun) {
    out(`Dry run: minConfidence ${threshold.toFixed(2)} not stored.`);
    return { fit, heldOut: checked, storedVersion: null, exitCode: 0 };
  }
  const stored = await changeKbSettings(database, kb.name, settingsPatch([`minConfidence=${threshold}`], []));
  out(`Stored minConfidence ${threshold.toFixed(2)} for '${kb.name}' (settings version ${stored.version}).`);
  return { fit, heldOut: checked, storedVersion: stored.version, exitCode: 0 };
}

function scoredCase(row: EvalRow): ScoredCase {
  return { confidence: row.confidence ?? 0, outcome: answerOutcome(row) };
}

function formatFit(chosen: BoundedOutcome, heldOut: SelectiveOutcome, unthresholded: SelectiveOutcome): string {
  const withheld = unthresholded.answered - heldOut.answered;
  const rows: Array<[string, string]> = [
    ['minConfidence', chosen.threshold.toFixed(2)],
    ['fitted on', `${describe(chosen)}; bound on the wrong share ${percent(chosen.upperBound)}`],
    ['checked on (held out)', describe(heldOut)],
    ['… with no minConfidence', describe(unthresholded)],
    [
      'cost (held out)',
      `${withheld} of ${unthresholded.answered} answers withheld; coverage ${percent(unthresholded.coverage)} → ${percent(heldOut.coverage)}` +
        `, correct answers ${unthresholded.answered - unthresholded.wrong} → ${heldOut.answered - heldOut.wrong}`,
    ],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n');
}

/** The part fitted on at every tenth threshold: what each would answer, and its bound. */
function formatCurve(fit: ThresholdFit): string {
  const rows = fit.byThreshold
    .filter((outcome) => Math.round(outcome.threshold * 100) % 10 === 0 && outcome.threshold < 1)
    .map((outcome) => [
      outcome.threshold.toFixed(2),
      `${outcome.answered} (${percent(outcome.coverage)})`,
      outcome.wrongShare === null ? '–' : percent(outcome.wrongShare),
      percent(outcome.upperBound),
    ]);
  const header = ['minConfidence', 'answered', 'wrong', 'bound'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => `  ${cells.map((cell, column) => cell.padStart(widths[column]!)).join('  ')}`;
  return ['On the part fitted on:', line(header), ...rows.map(line)].join('\n');
}

function describe(outcome: SelectiveOutcome): string {
  return (
    `${outcome.answered} of ${outcome.cases} cases answered (coverage ${percent(outcome.coverage)}), ` +
    `${outcome.wrong} wrong (${outcome.wrongShare === null ? '–' : percent(outcome.wrongShare)} of those answered)`
  );
}

function percent(share: number, digits = 1): string {
  return `${(share * 100).toFixed(digits)} %`;
}
