import type { CaseChange, EvalReport, EvalRow, FailureKind, MetricDelta } from '../types.ts';
import { failureKinds, metricNames } from '../types.ts';
import {
  answerPreviewLength,
  failingRows,
  failureLabel,
  formatCommit,
  formatDelta,
  formatDuration,
  formatMetric,
  formatTimestamp,
  gateOperator,
  metricLabel,
  missingValue,
  nuggetSummary,
  reportTitle,
  trimText,
} from './format.ts';

/**
 * The report as Markdown (report.md): what a reviewer reads in a pull request or a
 * terminal. Text from the report is data: `<` is written as an entity so an answer that
 * contains HTML shows as text wherever the Markdown is rendered.
 */
export function renderMarkdownReport(report: EvalReport): string {
  const sections = [
    headerSection(report),
    metricsSection(report),
    gatesSection(report),
    countsSection(report),
    configSection(report),
    comparisonSection(report),
    failingCasesSection(report),
  ];
  return `${sections.filter((section) => section !== '').join('\n\n')}\n`;
}

/** Neutralises inline HTML; CommonMark turns `&lt;` back into `<` when rendering. */
function escapeText(text: string): string {
  return text.replace(/</g, '&lt;');
}

/** A table cell holds one line and must not end the cell early. */
function escapeCell(text: string): string {
  return escapeText(text)
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, '<br>');
}

function table(headers: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map(escapeCell).join(' | ')} |`;
  return [line(headers), `|${headers.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n');
}

/** A Markdown inline code span that survives backticks inside `text`. */
function code(text: string): string {
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  return longestRun > 0 ? `${fence} ${text} ${fence}` : `${fence}${text}${fence}`;
}

function headerSection(report: EvalReport): string {
  const lines = [
    `# ${escapeText(reportTitle(report))}`,
    '',
    `- **Eval set:** ${escapeText(report.config.evalSet)}`,
    `- **Date:** ${formatTimestamp(report.startedAt)} → ${formatTimestamp(report.finishedAt)} (${formatDuration(report.durationMs)})`,
    `- **Git commit:** ${formatCommit(report.oriole.gitCommit)}`,
    `- **Oriole:** ${escapeText(report.oriole.version)} on Node ${escapeText(report.oriole.node)}`,
  ];
  return lines.join('\n');
}

function metricsSection(report: EvalReport): string {
  const deltas = new Map<string, MetricDelta>((report.comparison?.metrics ?? []).map((delta) => [delta.metric, delta]));
  const comparing = report.comparison !== undefined;
  const headers = comparing ? ['metric', 'value', 'baseline', 'delta', 'status'] : ['metric', 'value'];
  const rows = metricNames.map((metric) => {
    const row = [`${metricLabel(metric)} (${metric})`, formatMetric(metric, report.summary[metric])];
    if (!comparing) return row;
    const delta = deltas.get(metric);
    if (delta === undefined) return [...row, missingValue, missingValue, ''];
    return [...row, formatMetric(metric, delta.baseline), formatDelta(metric, delta.delta), deltaStatus(delta)];
  });
  return `## Metrics\n\n${table(headers, rows)}`;
}

function deltaStatus(delta: MetricDelta): string {
  if (delta.regressed) return '**regressed**';
  return delta.improved ? 'improved' : '';
}

function gatesSection(report: EvalReport): string {
  if (report.gates === undefined || report.gates.length === 0) return '';
  const rows = report.gates.map((gate) => [
    metricLabel(gate.metric),
    `${gateOperator(gate.metric)} ${formatMetric(gate.metric, gate.bound)}`,
    formatMetric(gate.metric, gate.value),
    gate.passed ? 'PASS' : '**FAIL**',
  ]);
  const failed = report.gates.filter((gate) => !gate.passed).length;
  const verdict = failed === 0 ? 'All gates passed.' : `${failed} of ${report.gates.length} gates failed.`;
  return `## Gates\n\n${verdict}\n\n${table(['metric', 'bound', 'value', 'result'], rows)}`;
}

function countsSection(report: EvalReport): string {
  const { counts } = report;
  const totals = table(
    ['cases', 'answerable', 'unanswerable', 'passed', 'failed', 'errors'],
    [[counts.cases, counts.answerable, counts.unanswerable, counts.passed, counts.cases - counts.passed, counts.errors].map(String)],
  );
  const failures = table(
    ['failure kind', 'cases'],
    failureKinds.map((kind) => [`${failureLabel(kind)} (${kind})`, String(counts.failures[kind])]),
  );
  return `## Counts\n\n${totals}\n\n### Failures by kind\n\n${failures}`;
}

function configSection(report: EvalReport): string {
  const { config } = report;
  const rows = [
    ['knowledge base', `${report.kb.name} v${report.kb.version}`],
    ['LLM', config.llm],
    ['embedder', config.embedder],
    ['judge', config.judge ?? 'none'],
    ['k', String(config.k)],
    ['retrieval mode', config.retrievalMode ?? missingValue],
    ['faithfulness method', config.faithfulnessMethod],
    ['concurrency', String(config.concurrency)],
  ];
  return `## Config\n\n${table(['setting', 'value'], rows)}`;
}

function comparisonSection(report: EvalReport): string {
  const { comparison } = report;
  if (comparison === undefined) return '';
  const { baseline } = comparison;
  const parts = [
    '## Comparison with the baseline',
    `Baseline: ${escapeText(baseline.kb)} v${baseline.kbVersion}, eval set ${escapeText(baseline.evalSet)}, ` +
      `started ${formatTimestamp(baseline.startedAt)}, commit ${formatCommit(baseline.gitCommit)}.`,
    `### Regressions (${comparison.regressions.length})`,
    caseChanges(comparison.regressions, 'No case that passed in the baseline fails now.'),
    `### Fixes (${comparison.fixes.length})`,
    caseChanges(comparison.fixes, 'No case that failed in the baseline passes now.'),
  ];
  const onlyIn = [
    ['Only in the baseline', comparison.onlyInBaseline],
    ['Only in this run', comparison.onlyInCurrent],
  ] as const;
  for (const [label, ids] of onlyIn) {
    if (ids.length > 0) parts.push(`${label}: ${ids.map(code).join(', ')}`);
  }
  return parts.join('\n\n');
}

function caseChanges(changes: CaseChange[], emptyNote: string): string {
  if (changes.length === 0) return emptyNote;
  const outcome = (failure: FailureKind | null) => failure ?? 'passed';
  return table(
    ['id', 'question', 'baseline', 'now'],
    changes.map((change) => [change.id, change.question, outcome(change.baselineFailure), outcome(change.currentFailure)]),
  );
}

function failingCasesSection(report: EvalReport): string {
  const rows = failingRows(report);
  if (rows.length === 0) return `## Failing cases\n\nNo failing cases.`;
  return [`## Failing cases (${rows.length})`, ...rows.map(failingCase)].join('\n\n');
}

function failingCase(row: EvalRow): string {
  const cited = [...new Set(row.citations.map((citation) => citation.source))];
  const lines = [
    `### ${code(row.id)}: ${row.failure === null ? 'passed' : failureLabel(row.failure)}`,
    '',
    `- **Failure:** ${row.failure ?? 'none'}`,
    ...(row.history.length === 0 ? [] : ['- **History:**']),
    ...row.history.map((turn) => `  - _${turn.role}:_ ${escapeCell(turn.content)}`),
    `- **Question:** ${escapeCell(row.question)}`,
    `- **Answer:**${row.abstained ? ' _(abstained)_' : ''}`,
    '',
    blockquote(row.answer === '' ? '(no answer)' : trimText(row.answer, answerPreviewLength)),
    '',
    `- **Cited sources:** ${sourceList(cited)}`,
    `- **Gold sources:** ${sourceList(row.goldSources)}`,
    `- **Reference answer:** ${row.referenceAnswer === null ? missingValue : escapeCell(row.referenceAnswer)}`,
  ];
  const nuggets = nuggetSummary(row);
  if (nuggets !== null) lines.push(`- **Nuggets:** ${escapeCell(nuggets)}`);
  if (row.error !== undefined) lines.push(`- **Error:** ${escapeCell(row.error)}`);
  return lines.join('\n');
}

/** Quoted inside the case's list item: headings or lists in the answer stay inside the quote. */
function blockquote(text: string): string {
  return escapeText(text)
    .split(/\r?\n/)
    .map((line) => `  > ${line}`.trimEnd())
    .join('\n');
}

function sourceList(sources: string[]): string {
  return sources.length === 0 ? 'none' : sources.map(code).join(', ');
}
