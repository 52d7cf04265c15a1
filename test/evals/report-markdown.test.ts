import { describe, expect, it } from 'vitest';
import { renderMarkdownReport } from '../../evals/report/index.ts';
import type { EvalReport } from '../../evals/types.ts';
import { metricNames } from '../../evals/types.ts';
import { sampleEvalReport } from '../helpers/sample-eval-report.ts';

const nullSummary = Object.fromEntries(metricNames.map((metric) => [metric, null])) as EvalReport['summary'];

/** The text of one `## heading` section, up to the next `## `. */
function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`## ${heading}`);
  expect(start, `section "${heading}"`).toBeGreaterThanOrEqual(0);
  const end = markdown.indexOf('\n## ', start + 3);
  return markdown.slice(start, end === -1 ? undefined : end);
}

/** Cell separators of a table line: pipes not escaped with a backslash. */
function cellSeparators(line: string): number {
  return line.match(/(?<!\\)\|/g)?.length ?? 0;
}

describe('renderMarkdownReport', () => {
  const report = sampleEvalReport();
  const markdown = renderMarkdownReport(report);

  it('opens with the KB, eval set, date and commit', () => {
    expect(markdown.startsWith('# Eval report: parley-help v7\n')).toBe(true);
    expect(markdown).toContain('- **Eval set:** help-center.jsonl');
    expect(markdown).toContain('- **Date:** 2025-06-03 14:02:11 UTC → 2025-06-03 14:02:24 UTC (13.6 s)');
    expect(markdown).toContain('- **Git commit:** fe1ae8c5d2b9');
  });

  it('tabulates every metric with baseline, delta and regressions', () => {
    const metrics = section(markdown, 'Metrics');
    expect(metrics).toContain('| metric | value | baseline | delta | status |');
    for (const metric of metricNames) expect(metrics).toContain(`(${metric}) |`);
    expect(metrics).toContain('| Hit@k (retrieval.hit_at_k) | 0.714 | 0.857 | ▼ −0.143 | **regressed** |');
    expect(metrics).toContain('| Token F1 (answer.token_f1) | 0.412 | 0.377 | ▲ +0.035 | improved |');
    expect(metrics).toContain('| Correctness (answer.correctness) | – | – | – |  |');
    // Latencies in whole milliseconds; a rise is the regression.
    expect(metrics).toContain('| Latency p95 (latency.p95_ms) | 2870 ms | 2210 ms | ▲ +660 ms | **regressed** |');
    expect(metrics).toContain('| Latency p50 (latency.p50_ms) | 842 ms | 910 ms | ▼ −68 ms | improved |');
  });

  it('shows only values without a comparison', () => {
    const plain = renderMarkdownReport(sampleEvalReport({ comparison: undefined }));
    expect(section(plain, 'Metrics')).toContain('| metric | value |\n|---|---|\n| Hit@k (retrieval.hit_at_k) | 0.714 |');
    expect(plain).not.toContain('baseline');
    expect(plain).not.toContain('Regressions');
  });

  it('lists the gates with PASS and FAIL', () => {
    const gates = section(markdown, 'Gates');
    expect(gates).toContain('1 of 3 gates failed.');
    expect(gates).toContain('| Hit@k | ≥ 0.800 | 0.714 | **FAIL** |');
    expect(gates).toContain('| Latency p95 | ≤ 3000 ms | 2870 ms | PASS |');
    expect(renderMarkdownReport(sampleEvalReport({ gates: undefined }))).not.toContain('## Gates');
  });

  it('counts cases and failures by kind, and states the config', () => {
    expect(section(markdown, 'Counts')).toContain('| 9 | 7 | 2 | 3 | 6 | 1 |');
    expect(section(markdown, 'Counts')).toContain('| Retrieved, not cited (retrieved_not_cited) | 1 |');
    const config = section(markdown, 'Config');
    for (const row of [
      '| LLM | extractive |',
      '| embedder | transformers:Xenova/bge-small-en-v1.5 |',
      '| judge | none |',
      '| k | 5 |',
      '| retrieval mode | hybrid |',
      '| faithfulness method | support-check |',
    ]) {
      expect(config).toContain(row);
    }
  });

  it('lists regressions, fixes and cases in one run only', () => {
    const comparison = section(markdown, 'Comparison with the baseline');
    expect(comparison).toContain('commit 8b3f041a7e2d');
    expect(comparison).toContain('### Regressions (2)');
    expect(comparison).toContain('| zh-sso-setup | 如何为团队配置 SAML 单点登录？ | passed | retrieved_not_cited |');
    expect(comparison).toContain('### Fixes (1)');
    expect(comparison).toContain('| zh-reset-password | 如何重置密码？ | not_retrieved | passed |');
    expect(comparison).toContain('Only in the baseline: `en-legacy-sdk`');
  });

  it('details each failing case and no passing one', () => {
    const failing = section(markdown, 'Failing cases');
    expect(failing.startsWith('## Failing cases (6)')).toBe(true);
    for (const row of report.rows) {
      const heading = `### \`${row.id}\``;
      if (row.failure === null) expect(failing).not.toContain(heading);
      else expect(failing).toContain(heading);
    }
    expect(failing).toContain(
      [
        '### `zh-sso-setup`: Retrieved, not cited',
        '',
        '- **Failure:** retrieved_not_cited',
        '- **Question:** 如何为团队配置 SAML 单点登录？',
        '- **Answer:**',
        '',
        '  > 团队管理员可以在管理后台邀请成员并分配角色 [1]。',
        '',
        '- **Cited sources:** `zh/admin/team-members.md`',
        '- **Gold sources:** `zh/admin/saml-sso.md`',
        '- **Reference answer:** 在管理后台的“安全”页面上传身份提供商的元数据 XML，然后启用 SAML。',
      ].join('\n'),
    );
    expect(failing).toContain('- **History:**\n  - _user:_ Where do I find the chat history of a channel?');
    expect(failing).toContain('- **Error:** answer service: upstream LLM timed out after 3000 ms');
  });

  it('escapes pipes and newlines in table cells, and HTML everywhere', () => {
    const changed = sampleEvalReport();
    changed.comparison!.regressions[0]!.question = 'Refunds?\nAnnual | monthly';
    const escaped = renderMarkdownReport(changed);
    expect(escaped).toContain('| en-annual-refund | Refunds?<br>Annual \\| monthly | passed | answer_wrong |');
    expect(markdown).toContain('- **Question:** Can I get a refund on an annual plan \\| monthly plan?');
    // Every line of every table has as many cell separators as its header.
    for (const table of escaped.split('\n\n').filter((block) => block.startsWith('|'))) {
      const lines = table.split('\n');
      for (const line of lines) expect(cellSeparators(line), line).toBe(cellSeparators(lines[0]!));
    }
    expect(markdown).toContain('not refundable &lt;script>alert(1)&lt;/script> once');
    expect(markdown).not.toContain('<script>');
  });

  it('trims long answers near 400 characters', () => {
    const long = 'Refunds are processed within five business days. '.repeat(20);
    const rows = sampleEvalReport().rows.map((row) => (row.id === 'en-apns-expired' ? { ...row, answer: long } : row));
    const quoted = renderMarkdownReport(sampleEvalReport({ rows })).split('\n').find((line) => line.startsWith('  > Refunds'))!;
    expect(quoted.length).toBeLessThanOrEqual(4 + 401);
    expect(quoted.length).toBeGreaterThan(300);
    expect(quoted.endsWith('…')).toBe(true);
  });

  it('says so when no case fails, and renders an empty run', () => {
    const passing = sampleEvalReport().rows.filter((row) => row.failure === null);
    expect(renderMarkdownReport(sampleEvalReport({ rows: passing }))).toContain('## Failing cases\n\nNo failing cases.');
    const empty = renderMarkdownReport(
      sampleEvalReport({ rows: [], summary: nullSummary, comparison: undefined, gates: undefined }),
    );
    expect(section(empty, 'Counts')).toContain('| 0 | 0 | 0 | 0 | 0 | 0 |');
    expect(section(empty, 'Metrics')).toContain('| Hit@k (retrieval.hit_at_k) | – |');
    expect(empty).toContain('No failing cases.');
  });
});
