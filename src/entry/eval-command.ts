import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import cliProgress from 'cli-progress';
import {
  checkGates,
  compareReports,
  latencyMetrics,
  metricNames,
  parseEvalCases,
  parseGate,
  renderHtmlReport,
  renderMarkdownReport,
  runEval,
  type EvalReport,
  type Gate,
} from '../../evals/index.ts';
import { invalidRequest } from '../core/index.ts';
import { getKnowledgeBase } from '../db/index.ts';
import type { NodeComposition } from './compose.ts';
import { readNamedFile } from './command-files.ts';

export interface EvalCommand {
  casesFile: string;
  kb: string;
  k: number;
  concurrency: number;
  /** Report directory; default `eval-reports/<kb>-<timestamp>`. */
  out?: string;
  baseline?: string;
  failUnder: string[];
}

export interface EvalOutcome {
  report: EvalReport;
  directory: string;
  /** 1 when a --fail-under gate was missed. */
  exitCode: 0 | 1;
}

/**
 * `oriole eval`: the cases through the same answer service as `/answer`, then
 * report.json, report.md and report.html, a summary table on stdout, and exit code 1
 * when a `--fail-under` gate is missed. Arguments are checked before any case runs.
 */
export async function runEvalCommand(node: NodeComposition, command: EvalCommand): Promise<EvalOutcome> {
  const { config, database } = node;
  const gates = command.failUnder.map(parseGate);
  const baseline = command.baseline ? await readBaseline(command.baseline) : undefined;
  const cases = parseEvalCases(await readCasesFile(command.casesFile), path.basename(command.casesFile), (message) => console.warn(`warning: ${message}`));
  const kb = await getKnowledgeBase(database, command.kb);
  const answering = await node.answersForKb(kb.name);
  const bar = progressBar();
  bar?.start(cases.length, 0);
  const report = await runEval(answering, {
    cases,
    evalSet: path.basename(command.casesFile),
    kb: { name: kb.name, version: kb.version, embedder: kb.embedder },
    k: command.k,
    concurrency: command.concurrency,
    llm: config.llm.spec,
    judge: node.judge(),
    oriole: node.buildInfo(),
    onProgress: (done) => bar?.update(done),
  }).finally(() => bar?.stop());
  finishReport(report, baseline, gates);
  const directory = command.out ?? defaultReportDirectory(kb.name, report.startedAt);
  await writeReports(report, directory);
  console.log(formatSummary(report, directory));
  return { report, directory, exitCode: report.gates?.some((gate) => !gate.passed) ? 1 : 0 };
}

/** Adds the baseline comparison and the gate verdicts to a finished run. */
export function finishReport(report: EvalReport, baseline: EvalReport | undefined, gates: readonly Gate[]): EvalReport {
  if (baseline) report.comparison = compareReports(report, baseline);
  if (gates.length > 0) report.gates = checkGates(report.summary, gates);
  return report;
}

export async function writeReports(report: EvalReport, directory: string): Promise<void> {
  await mkdir(directory, { recursive: true });
  await writeFile(path.join(directory, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(path.join(directory, 'report.md'), renderMarkdownReport(report));
  await writeFile(path.join(directory, 'report.html'), renderHtmlReport(report));
}

export function readCasesFile(file: string): Promise<string> {
  return readNamedFile(file, 'the eval set');
}

async function readBaseline(file: string): Promise<EvalReport> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw invalidRequest(`--baseline ${file} is not a readable report.json: ${(error as Error).message}`);
  }
  const report = parsed as Partial<EvalReport>;
  if (report?.formatVersion !== 1 || typeof report.summary !== 'object' || !Array.isArray(report.rows)) {
    throw invalidRequest(`--baseline ${file} is not an Oriole eval report (report.json with formatVersion 1)`);
  }
  return report as EvalReport;
}

function defaultReportDirectory(kb: string, startedAt: string): string {
  const stamp = startedAt.replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return path.join('eval-reports', `${kb.replace(/[^\w.-]+/g, '_')}-${stamp}`);
}

function progressBar(): cliProgress.SingleBar | undefined {
  if (!process.stderr.isTTY) return undefined;
  return new cliProgress.SingleBar(
    { format: 'eval [{bar}] {value}/{total} cases', hideCursor: true, clearOnComplete: true, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
}

const formatValue = (metric: string, value: number | null) =>
  value === null ? '–' : latencyMetrics.has(metric as never) ? `${Math.round(value)} ms` : value.toFixed(3);

/** The terminal summary: metrics (with baseline deltas and gates), failures, regressions, where the reports are. */
export function formatSummary(report: EvalReport, directory: string): string {
  const deltas = new Map(report.comparison?.metrics.map((entry) => [entry.metric, entry]));
  const gates = new Map(report.gates?.map((gate) => [gate.metric, gate]));
  const rows = metricNames.map((metric) => {
    const delta = deltas.get(metric);
    const gate = gates.get(metric);
    const change =
      delta?.delta === null || delta === undefined
        ? ''
        : `${delta.delta >= 0 ? '+' : ''}${latencyMetrics.has(metric) ? Math.round(delta.delta) : delta.delta.toFixed(3)}${delta.regressed ? '  REGRESSED' : ''}`;
    const verdict = gate ? `${gate.passed ? 'pass' : 'FAIL'} (≥ ${gate.bound})` : '';
    return [metric, formatValue(metric, report.summary[metric]), change, verdict];
  });
  const width = (column: number) => Math.max(...rows.map((row) => row[column]!.length));
  const lines = [
    `Eval of '${report.kb.name}' (version ${report.kb.version}) on ${report.config.evalSet}: ${report.counts.cases} cases, ` +
      `${report.counts.passed} passed, in ${(report.durationMs / 1000).toFixed(1)} s`,
    '',
    ...rows.map((row) => row.map((cell, column) => cell.padEnd(width(column))).join('  ').trimEnd()),
    '',
    `failures: ${
      Object.entries(report.counts.failures)
        .filter(([, count]) => count > 0)
        .map(([kind, count]) => `${kind} ${count}`)
        .join(', ') || 'none'
    }`,
  ];
  if (report.comparison) {
    const { regressions, fixes } = report.comparison;
    lines.push(`against the baseline of ${report.comparison.baseline.startedAt}: ${regressions.length} case(s) regressed, ${fixes.length} fixed`);
    for (const change of regressions.slice(0, 20)) lines.push(`  regressed ${change.id}: ${change.currentFailure} — ${change.question.slice(0, 80)}`);
  }
  const failed = report.gates?.filter((gate) => !gate.passed) ?? [];
  if (failed.length > 0) {
    lines.push(`FAILED gates: ${failed.map((gate) => `${gate.metric} ${formatValue(gate.metric, gate.value)} < ${gate.bound}`).join(', ')}`);
  }
  lines.push(`reports: ${path.join(directory, 'report.{json,md,html}')}`);
  return lines.join('\n');
}
