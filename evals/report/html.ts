import { createHash } from 'node:crypto';
import type { CaseChange, EvalCitation, EvalReport, EvalRow, FailureKind, GateResult, MetricDelta, MetricName } from '../types.ts';
import { failureKinds, lowerIsBetter, metricNames } from '../types.ts';
import {
  escapeHtml,
  failingRows,
  failureLabel,
  formatCommit,
  deltaDirection,
  formatDelta,
  formatDuration,
  formatMetric,
  formatScore,
  formatTimestamp,
  gateOperator,
  goldRank,
  metricLabel,
  missingValue,
  nuggetSummary,
  reportTitle,
} from './format.ts';
import { chartFigures, failureColors } from './html-charts.ts';
import { reportStyle } from './html-style.ts';

/**
 * The report as one self-contained HTML page: styles inline, charts as inline SVG, one
 * small script to filter the failing cases. Every string from the report is escaped,
 * and the Content-Security-Policy forbids any network request and any script but ours,
 * so a hostile answer can neither run nor phone home.
 */
export function renderHtmlReport(report: EvalReport): string {
  const body = [
    headerSection(report),
    metricsSection(report),
    `<section id="charts"><h2>Distributions</h2><div class="charts">${chartFigures(report)}</div></section>`,
    comparisonSection(report),
    failingCasesSection(report),
    allCasesSection(report),
    `<footer>Oriole ${escapeHtml(report.oriole.version)} · report format ${report.formatVersion}</footer>`,
  ].join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy}">
<title>${escapeHtml(`${reportTitle(report)} · ${report.config.evalSet}`)}</title>
<style>${reportStyle}</style>
</head>
<body>
<main>
${body}
</main>
<script>${filterScript}</script>
</body>
</html>
`;
}

/** Shows the failing cases of one kind, or those containing the search text. */
const filterScript = `
(() => {
  const section = document.getElementById('failing-cases');
  if (!section) return;
  const cases = [...section.querySelectorAll('article.case')];
  const buttons = [...section.querySelectorAll('button[data-filter]')];
  const search = section.querySelector('input[type=search]');
  let kind = 'all';
  const apply = () => {
    const needle = (search ? search.value : '').trim().toLowerCase();
    for (const article of cases) {
      const kindMatches = kind === 'all' || article.dataset.failure === kind;
      article.hidden = !kindMatches || (needle !== '' && !article.textContent.toLowerCase().includes(needle));
    }
    for (const button of buttons) button.setAttribute('aria-pressed', String(button.dataset.filter === kind));
  };
  for (const button of buttons) button.addEventListener('click', () => { kind = button.dataset.filter; apply(); });
  if (search) search.addEventListener('input', apply);
})();
`;

// Only our own script (by hash) runs; nothing may be fetched.
const contentSecurityPolicy = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  `script-src 'sha256-${createHash('sha256').update(filterScript).digest('base64')}'`,
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

function headerSection(report: EvalReport): string {
  const { config, kb, oriole } = report;
  const facts: Array<[string, string]> = [
    ['Knowledge base', `${kb.name} v${kb.version}`],
    ['Eval set', config.evalSet],
    ['LLM', config.llm],
    ['Embedder', config.embedder],
    ['Judge', config.judge ?? 'none'],
    ['Retrieval', `${config.retrievalMode ?? 'default'}, k = ${config.k}`],
    ['Faithfulness by', config.faithfulnessMethod],
    ['Commit', formatCommit(oriole.gitCommit)],
    ['Oriole', `${oriole.version} · Node ${oriole.node}`],
    ['Started', formatTimestamp(report.startedAt)],
    ['Finished', formatTimestamp(report.finishedAt)],
    ['Duration', formatDuration(report.durationMs)],
  ];
  const meta = facts.map(([term, value]) => `<div><dt>${escapeHtml(term)}</dt><dd>${escapeHtml(value)}</dd></div>`).join('');
  return (
    `<header class="box"><h1>${escapeHtml(reportTitle(report))}</h1>` +
    `<p class="subtitle">${escapeHtml(config.evalSet)} · ${escapeHtml(formatTimestamp(report.startedAt))}</p>` +
    `<dl class="meta">${meta}</dl>${verdict(report)}</header>`
  );
}

function verdict(report: EvalReport): string {
  const { counts } = report;
  const passRate = counts.cases === 0 ? missingValue : `${((counts.passed / counts.cases) * 100).toFixed(1)}%`;
  const pills = [
    pill(`${counts.passed} of ${counts.cases} cases passed (${passRate})`, counts.cases === 0 ? '' : counts.passed === counts.cases ? 'pass' : 'fail'),
    pill(`${counts.answerable} answerable · ${counts.unanswerable} unanswerable`),
    pill(plural(counts.errors, 'error'), counts.errors === 0 ? '' : 'fail'),
  ];
  if (report.gates !== undefined && report.gates.length > 0) {
    const passed = report.gates.filter((gate) => gate.passed).length;
    const allPassed = passed === report.gates.length;
    pills.unshift(pill(`Gates ${allPassed ? 'PASS' : 'FAIL'}: ${passed} of ${report.gates.length}`, allPassed ? 'pass' : 'fail'));
  }
  if (report.comparison !== undefined) {
    const { regressions, fixes } = report.comparison;
    pills.push(pill(`${plural(regressions.length, 'regression')} · ${plural(fixes.length, 'fix', 'fixes')} vs baseline`, regressions.length > 0 ? 'fail' : 'pass'));
  }
  return `<div class="verdict">${pills.join('')}</div>`;
}

function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

function pill(text: string, tone = ''): string {
  return `<span class="pill ${tone}">${escapeHtml(text)}</span>`;
}

function metricsSection(report: EvalReport): string {
  const deltas = new Map((report.comparison?.metrics ?? []).map((delta) => [delta.metric, delta]));
  const gates = new Map((report.gates ?? []).map((gate) => [gate.metric, gate]));
  const cards = metricNames.map((metric) => metricCard(metric, report.summary[metric], deltas.get(metric), gates.get(metric)));
  return `<section id="metrics"><h2>Metrics</h2><div class="cards">${cards.join('')}</div></section>`;
}

function metricCard(metric: MetricName, value: number | null, delta?: MetricDelta, gate?: GateResult): string {
  const classes = ['card', delta?.regressed ? 'regressed' : '', gate?.passed === false ? 'gate-failed' : ''].filter(Boolean);
  return (
    `<div class="${classes.join(' ')}" data-metric="${escapeHtml(metric)}">` +
    `<div class="card-label">${escapeHtml(metricLabel(metric))}<span class="card-key">${escapeHtml(metric)}</span></div>` +
    `<div class="card-value${value === null ? ' missing' : ''}">${escapeHtml(formatMetric(metric, value))}</div>` +
    (delta === undefined ? '' : deltaLine(metric, delta)) +
    (gate === undefined ? '' : gateLine(gate)) +
    `</div>`
  );
}

function deltaLine(metric: MetricName, delta: MetricDelta): string {
  const direction = deltaDirection(metric, delta.delta);
  const better = lowerIsBetter.has(metric) ? direction < 0 : direction > 0;
  const tone = direction === 0 ? '' : better ? 'better' : 'worse';
  const change = delta.delta !== null && direction === 0 ? 'unchanged' : formatDelta(metric, delta.delta);
  const tag = delta.regressed ? 'regressed' : delta.improved ? 'improved' : '';
  return (
    (delta.delta === null ? '' : `<div class="delta ${tone}">${escapeHtml(change)}${tag === '' ? '' : ` <span class="tag">${tag}</span>`}</div>`) +
    `<div class="baseline">baseline ${escapeHtml(formatMetric(metric, delta.baseline))}</div>`
  );
}

function gateLine(gate: GateResult): string {
  const bound = `${gateOperator(gate.metric)} ${formatMetric(gate.metric, gate.bound)}`;
  return `<div class="gate"><span>gate ${escapeHtml(bound)}</span>${pill(gate.passed ? 'PASS' : 'FAIL', gate.passed ? 'pass' : 'fail')}</div>`;
}

function comparisonSection(report: EvalReport): string {
  const { comparison } = report;
  if (comparison === undefined) return '';
  const { baseline } = comparison;
  const about =
    `Baseline: ${baseline.kb} v${baseline.kbVersion}, eval set ${baseline.evalSet}, ` +
    `started ${formatTimestamp(baseline.startedAt)}, commit ${formatCommit(baseline.gitCommit)}.`;
  const onlyIn = [
    ['Only in the baseline', comparison.onlyInBaseline],
    ['Only in this run', comparison.onlyInCurrent],
  ] as const;
  const extras = onlyIn
    .filter(([, ids]) => ids.length > 0)
    .map(([label, ids]) => `<p>${escapeHtml(label)}: ${ids.map((id) => `<code>${escapeHtml(id)}</code>`).join(', ')}</p>`);
  return (
    `<section id="comparison"><h2>Compared with the baseline</h2><p class="subtitle">${escapeHtml(about)}</p>` +
    `<div class="comparison">` +
    caseChangeTable('regressions', `Regressions (${comparison.regressions.length})`, comparison.regressions, 'No case that passed in the baseline fails now.') +
    caseChangeTable('fixes', `Fixes (${comparison.fixes.length})`, comparison.fixes, 'No case that failed in the baseline passes now.') +
    `</div>${extras.join('')}</section>`
  );
}

function caseChangeTable(id: string, title: string, changes: CaseChange[], emptyNote: string): string {
  const rows = changes.map(
    (change) =>
      `<tr><td><code>${escapeHtml(change.id)}</code></td><td>${escapeHtml(change.question)}</td>` +
      `<td>${outcomeBadge(change.baselineFailure)}</td><td>${outcomeBadge(change.currentFailure)}</td></tr>`,
  );
  const content =
    changes.length === 0
      ? `<p class="empty">${escapeHtml(emptyNote)}</p>`
      : `<div class="table-box"><table><thead><tr><th>id</th><th>question</th><th>baseline</th><th>now</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
  return `<div id="${id}"><h3>${escapeHtml(title)}</h3>${content}</div>`;
}

function outcomeBadge(failure: FailureKind | null): string {
  if (failure === null) return `<span class="ok">passed</span>`;
  return `<span class="badge" style="--kind-color: ${failureColors[failure]}">${escapeHtml(failureLabel(failure))}</span>`;
}

function failingCasesSection(report: EvalReport): string {
  const rows = failingRows(report);
  const heading = `<h2>Failing cases (${rows.length})</h2>`;
  if (rows.length === 0) {
    const note = report.rows.length === 0 ? 'No failing cases: the run has no cases.' : 'No failing cases.';
    return `<section id="failing-cases">${heading}<p class="empty">${note}</p></section>`;
  }
  return `<section id="failing-cases">${heading}${filters(report)}${rows.map((row) => failingCase(row, report.config.k)).join('\n')}</section>`;
}

function filters(report: EvalReport): string {
  const failing = failingRows(report).length;
  const buttons = failureKinds
    .filter((kind) => report.counts.failures[kind] > 0)
    .map((kind) => `<button type="button" data-filter="${kind}" aria-pressed="false">${escapeHtml(failureLabel(kind))} (${report.counts.failures[kind]})</button>`);
  return (
    `<div class="filters" role="group" aria-label="Filter failing cases">` +
    `<button type="button" data-filter="all" aria-pressed="true">All (${failing})</button>${buttons.join('')}` +
    `<input type="search" placeholder="Search question, answer, source…" aria-label="Search failing cases"></div>`
  );
}

function failingCase(row: EvalRow, k: number): string {
  const kind = row.failure ?? 'error';
  const chips = [
    row.answerable ? 'answerable' : 'unanswerable',
    ...(row.mode === null ? [] : [row.mode]),
    `${Math.round(row.latencyMs)} ms`,
    ...row.tags.map((tag) => `#${tag}`),
  ];
  return (
    `<article class="case" data-failure="${escapeHtml(kind)}" id="case-${escapeHtml(row.id)}" style="--kind-color: ${failureColors[kind]}">` +
    `<header><h3><code>${escapeHtml(row.id)}</code></h3><span class="badge">${escapeHtml(failureLabel(kind))}</span>` +
    chips.map((chip) => `<span class="chip">${escapeHtml(chip)}</span>`).join('') +
    `</header><div class="case-grid">${questionPanel(row)}${answerPanel(row)}${expectedPanel(row, k)}</div>` +
    caseMetrics(row, k) +
    `</article>`
  );
}

function questionPanel(row: EvalRow): string {
  const history =
    row.history.length === 0
      ? ''
      : `<h4>History</h4><ol class="history">${row.history
          .map((turn) => `<li><strong>${escapeHtml(turn.role)}:</strong> <span class="text">${escapeHtml(turn.content)}</span></li>`)
          .join('')}</ol>`;
  return `<div class="panel">${history}<h4>Question</h4><p class="text question">${escapeHtml(row.question)}</p></div>`;
}

function answerPanel(row: EvalRow): string {
  const parts = [`<h4>Answer${row.abstained ? ' (abstained)' : ''}</h4>`];
  parts.push(row.answer === '' ? `<p class="note">No answer.</p>` : `<p class="text answer">${escapeHtml(row.answer)}</p>`);
  if (row.abstained && row.reason !== null) parts.push(`<p class="note">Reason: ${escapeHtml(row.reason)}</p>`);
  if (row.error !== undefined) parts.push(`<h4>Error</h4><p class="error-text">${escapeHtml(row.error)}</p>`);
  parts.push(`<h4>Citations (${row.citations.length})</h4>`);
  parts.push(row.citations.length === 0 ? `<p class="note">None.</p>` : `<ol class="citations">${row.citations.map(citationItem).join('')}</ol>`);
  if (row.unsupportedClaims !== undefined && row.unsupportedClaims.length > 0) {
    parts.push(`<h4>Unsupported claims (judge)</h4><ul class="sources">${row.unsupportedClaims.map((claim) => `<li>${escapeHtml(claim)}</li>`).join('')}</ul>`);
  }
  return `<div class="panel">${parts.join('')}</div>`;
}

function citationItem(citation: EvalCitation): string {
  const support = citation.supported
    ? `<span class="ok" title="supported by the passage">✓</span>`
    : `<span class="no" title="not supported by the passage">✗</span>`;
  const title = citation.title === null ? '' : ` · ${escapeHtml(citation.title)}`;
  return (
    `<li>${support} <strong>[${escapeHtml(String(citation.index))}]</strong> <code>${escapeHtml(citation.source)}</code>${title}` +
    `<span class="snippet">${escapeHtml(citation.snippet)}</span></li>`
  );
}

function expectedPanel(row: EvalRow, k: number): string {
  const cited = new Set(row.citations.map((citation) => citation.source));
  const retrievedRank = (source: string) => row.retrievedSources.slice(0, k).indexOf(source) + 1;
  const gold = row.goldSources.map((source) => {
    const rank = retrievedRank(source);
    const retrieved = rank > 0 ? `<span class="mark yes">retrieved #${rank}</span>` : `<span class="mark">not retrieved</span>`;
    const citedMark = cited.has(source) ? `<span class="mark yes">cited</span>` : `<span class="mark">not cited</span>`;
    return `<li><code>${escapeHtml(source)}</code> ${retrieved}${citedMark}</li>`;
  });
  const goldList = gold.length === 0 ? `<p class="note">None (${row.answerable ? 'not labelled' : 'unanswerable'}).</p>` : `<ul class="sources">${gold.join('')}</ul>`;
  const reference = row.referenceAnswer === null ? `<p class="note">None.</p>` : `<p class="text">${escapeHtml(row.referenceAnswer)}</p>`;
  const retrieved =
    row.retrievedSources.length === 0
      ? `<p class="note">Nothing.</p>`
      : `<ol class="sources ranked">${row.retrievedSources.map((source) => retrievedItem(source, row, cited)).join('')}</ol>`;
  const nuggets = nuggetSummary(row);
  const nuggetPart = nuggets === null ? '' : `<h4>Nuggets</h4><p class="text nuggets">${escapeHtml(nuggets)}</p>`;
  return `<div class="panel"><h4>Gold sources</h4>${goldList}<h4>Reference answer</h4>${reference}${nuggetPart}<h4>Retrieved</h4>${retrieved}</div>`;
}

function retrievedItem(source: string, row: EvalRow, cited: ReadonlySet<string>): string {
  const marks = [row.goldSources.includes(source) ? 'gold' : '', cited.has(source) ? 'cited' : ''].filter(Boolean);
  return `<li><code>${escapeHtml(source)}</code>${marks.map((mark) => ` <span class="mark yes">${mark}</span>`).join('')}</li>`;
}

function caseMetrics(row: EvalRow, k: number): string {
  const { metrics } = row;
  const rank = goldRank(row, k);
  const entries: Array<[string, string]> = [
    ['gold rank', rank === null ? missingValue : rank === 0 ? 'miss' : String(rank)],
    ['hit@k', formatScore(metrics.hitAtK)],
    ['recall@k', formatScore(metrics.recallAtK)],
    ['RR', formatScore(metrics.reciprocalRank)],
    ['nDCG@k', formatScore(metrics.ndcgAtK)],
    ['token F1', formatScore(metrics.tokenF1)],
    ['ref. recall', formatScore(metrics.referenceRecall)],
    ['correctness', formatScore(metrics.correctness)],
    ['cit. precision', formatScore(metrics.citationPrecision)],
    ['cit. recall', formatScore(metrics.citationRecall)],
    ['cit. validity', formatScore(metrics.citationValidity)],
    ['faithfulness', formatScore(metrics.faithfulness)],
    ['nuggets', metrics.nuggetRecall === null || metrics.nuggetRecall === undefined ? missingValue : metrics.nuggetRecall === 1 ? 'pass' : 'fail'],
  ];
  return `<dl class="case-metrics">${entries.map(([term, value]) => `<div><dt>${term}</dt><dd>${value}</dd></div>`).join('')}</dl>`;
}

function allCasesSection(report: EvalReport): string {
  if (report.rows.length === 0) return '';
  const rows = report.rows.map((row) => {
    const rank = goldRank(row, report.config.k);
    const outcome = outcomeBadge(row.failure);
    return (
      `<tr><td><code>${escapeHtml(row.id)}</code></td><td>${escapeHtml(row.question)}</td><td>${outcome}</td>` +
      `<td class="number">${formatScore(row.metrics.tokenF1)}</td>` +
      `<td class="number">${rank === null ? missingValue : rank === 0 ? 'miss' : rank}</td>` +
      `<td class="number">${Math.round(row.latencyMs)} ms</td></tr>`
    );
  });
  return (
    `<section id="all-cases"><details><summary>All cases (${report.rows.length})</summary><div class="table-box"><table>` +
    `<thead><tr><th>id</th><th>question</th><th>outcome</th><th>token F1</th><th>gold rank</th><th>latency</th></tr></thead>` +
    `<tbody>${rows.join('')}</tbody></table></div></details></section>`
  );
}
