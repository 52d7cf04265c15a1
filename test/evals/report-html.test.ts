import { createHash } from 'node:crypto';
import type { Element, Nodes, Root } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { select, selectAll } from 'hast-util-select';
import { describe, expect, it } from 'vitest';
import { renderHtmlReport } from '../../evals/report/index.ts';
import type { EvalReport } from '../../evals/types.ts';
import { failureKinds, metricNames } from '../../evals/types.ts';
import { sampleEvalReport } from '../helpers/sample-eval-report.ts';

const chartNames = ['token-f1', 'failures', 'latency', 'gold-rank'];
const nullSummary = Object.fromEntries(metricNames.map((metric) => [metric, null])) as EvalReport['summary'];

function parse(html: string): Root {
  return fromHtml(html);
}

function textOf(node: Nodes | undefined): string {
  if (node === undefined) return '';
  if (node.type === 'text') return node.value;
  return 'children' in node ? node.children.map((child) => textOf(child as Nodes)).join('') : '';
}

function only(selector: string, tree: Root | Element): Element {
  const found = select(selector, tree);
  expect(found, selector).toBeDefined();
  return found!;
}

/** Every string of the report replaced by a hostile one that would load or run something if not escaped. */
function hostileReport(): EvalReport {
  const payload = (text: string) => `${text} "><img src="https://evil.example/x.png" onerror="alert(2)"><script>alert(3)</script>`;
  const report = sampleEvalReport();
  const rows = report.rows.map((row) => ({
    ...row,
    id: payload(row.id),
    question: payload(row.question),
    answer: payload(row.answer),
    referenceAnswer: row.referenceAnswer === null ? null : payload(row.referenceAnswer),
    goldSources: row.goldSources.map(payload),
    retrievedSources: row.retrievedSources.map(payload),
    citations: row.citations.map((citation) => ({ ...citation, source: payload(citation.source), snippet: payload(citation.snippet) })),
    history: row.history.map((turn) => ({ ...turn, content: payload(turn.content) })),
    tags: row.tags.map(payload),
    error: row.error === undefined ? undefined : payload(row.error),
    unsupportedClaims: [payload('claim')],
  }));
  return sampleEvalReport({
    rows,
    kb: { ...report.kb, name: payload('kb') },
    config: { ...report.config, evalSet: payload('set'), llm: payload('llm'), embedder: payload('embedder') },
  });
}

describe('renderHtmlReport', () => {
  const report = sampleEvalReport();
  const html = renderHtmlReport(report);
  const tree = parse(html);

  it('is one UTF-8 document with a CJK font stack', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toMatch(/font-family|--font:/);
    for (const font of ['"Noto Sans CJK SC"', '"PingFang SC"', '"Microsoft YaHei"', 'sans-serif']) expect(html).toContain(font);
    expect(textOf(only('title', tree))).toBe('Eval report: parley-help v7 · help-center.jsonl');
  });

  it('references nothing on the network', () => {
    for (const document of [html, renderHtmlReport(hostileReport())]) {
      expect(document).not.toMatch(/\b(?:src|href|action|poster|srcset|xlink:href)\s*=\s*["']?\s*(?:https?:)?\/\//i);
      expect(document).not.toMatch(/url\(|@import|<link\b|<img\b|<iframe\b|<object\b|<embed\b/i);
    }
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-`);
  });

  it('allows exactly its own script by hash', () => {
    const scripts = selectAll('script', tree);
    expect(scripts).toHaveLength(1);
    const digest = createHash('sha256').update(textOf(scripts[0])).digest('base64');
    expect(html).toContain(`script-src 'sha256-${digest}'`);
  });

  it('shows hostile text as text', () => {
    expect(html).toContain('Annual plans are not refundable &lt;script&gt;alert(1)&lt;/script&gt; once');
    expect(textOf(only('#case-en-annual-refund .answer', tree))).toContain('<script>alert(1)</script>');

    const hostile = renderHtmlReport(hostileReport());
    const hostileTree = parse(hostile);
    expect(selectAll('script', hostileTree)).toHaveLength(1);
    expect(selectAll('img, [onerror]', hostileTree)).toEqual([]);
    expect(textOf(only('h1', hostileTree))).toContain('<img src="https://evil.example/x.png" onerror="alert(2)">');
  });

  it('puts the run in the header', () => {
    const header = textOf(only('header', tree));
    for (const fact of [
      'parley-help v7',
      'help-center.jsonl',
      'extractive',
      'transformers:Xenova/bge-small-en-v1.5',
      'Judgenone',
      'fe1ae8c5d2b9',
      '2025-06-03 14:02:11 UTC',
      '2025-06-03 14:02:24 UTC',
      '13.6 s',
      'Gates FAIL: 2 of 3',
      '3 of 9 cases passed (33.3%)',
    ]) {
      expect(header).toContain(fact);
    }
  });

  it('shows a card per metric with its delta and gate', () => {
    expect(selectAll('#metrics .card', tree)).toHaveLength(metricNames.length);
    const hit = only('.card[data-metric="retrieval.hit_at_k"]', tree);
    expect(hit.properties.className).toContain('regressed');
    expect(textOf(only('.card-value', hit))).toBe('0.714');
    expect(only('.delta', hit).properties.className).toContain('worse');
    expect(textOf(only('.delta', hit))).toBe('▼ −0.143 regressed');
    expect(textOf(only('.gate', hit))).toBe('gate ≥ 0.800FAIL');
    // Latency falling is the good direction.
    const p50 = only('.card[data-metric="latency.p50_ms"]', tree);
    expect(textOf(only('.card-value', p50))).toBe('842 ms');
    expect(only('.delta', p50).properties.className).toContain('better');
    expect(textOf(only('.card[data-metric="answer.correctness"] .card-value', tree))).toBe('–');
  });

  it('draws the four charts as inline SVG with a caption', () => {
    for (const name of chartNames) {
      const figure = only(`figure[data-chart="${name}"]`, tree);
      const svg = only('svg[role="img"]', figure);
      expect(String(svg.properties.ariaLabel).length, name).toBeGreaterThan(10);
      expect(selectAll('rect', svg).length, name).toBeGreaterThan(0);
      expect(textOf(only('figcaption', figure)).length, name).toBeGreaterThan(10);
    }
    // Token F1 of the seven cases with a reference answer; gold ranks 1, 2, 2, 2, 1 and two misses.
    expect(selectAll('figure[data-chart="token-f1"] rect', tree)).toHaveLength(6);
    const goldBars = selectAll('figure[data-chart="gold-rank"] rect', tree).map((rect) => textOf(rect));
    expect(goldBars).toEqual([
      'first gold source at rank 1: 2 cases',
      'first gold source at rank 2: 3 cases',
      'no gold source in the top 5: 2 cases',
    ]);
    expect(selectAll('figure[data-chart="failures"] rect', tree)).toHaveLength(failureKinds.length);
  });

  it('draws the accuracy–coverage curve when the run has one, a point per threshold that answered something', () => {
    expect(select('figure[data-chart="accuracy-coverage"]', tree)).toBeUndefined();
    const withCurve = parse(
      renderHtmlReport(
        sampleEvalReport({
          accuracyCoverage: [
            { threshold: 0, coverage: 0.8, accuracy: 0.6 },
            { threshold: 0.5, coverage: 0.5, accuracy: 0.8 },
            { threshold: 1, coverage: 0, accuracy: null },
          ],
        }),
      ),
    );
    const figure = only('figure[data-chart="accuracy-coverage"]', withCurve);
    expect(selectAll('circle', figure).map((circle) => textOf(circle))).toEqual([
      'confidence ≥ 0: 80% answered, 60% of them passed',
      'confidence ≥ 0.5: 50% answered, 80% of them passed',
    ]);
    expect(textOf(only('figcaption', figure))).toContain('0.120');
  });

  it('shows each failing case side by side with what was expected', () => {
    const failing = report.rows.filter((row) => row.failure !== null);
    const articles = selectAll('section#failing-cases article.case', tree);
    expect(articles.map((article) => article.properties.dataFailure)).toEqual(failing.map((row) => row.failure));
    for (const [index, row] of failing.entries()) expect(textOf(articles[index])).toContain(row.question);

    const sso = only('#case-zh-sso-setup', tree);
    expect(textOf(only('.citations', sso))).toContain('✓ [1] zh/admin/team-members.md · 管理团队成员管理员可以在管理后台邀请成员并为其分配角色。');
    expect(textOf(only('.sources', sso))).toBe('zh/admin/saml-sso.md retrieved #2not cited');
    expect(textOf(sso)).toContain('在管理后台的“安全”页面上传身份提供商的元数据 XML，然后启用 SAML。');
    expect(textOf(only('.case-metrics', sso))).toContain('gold rank2');

    const followUp = textOf(only('#case-en-export-history', tree));
    expect(followUp).toContain('user: Where do I find the chat history of a channel?');
    expect(followUp).toContain('Answer (abstained)');
    expect(textOf(only('#case-en-annual-refund .citations', tree))).toContain('✗');
    expect(textOf(only('#case-en-webhook-retries .error-text', tree))).toBe('answer service: upstream LLM timed out after 3000 ms');
  });

  it('lists regressions and fixes when comparing', () => {
    expect(textOf(only('#regressions', tree))).toContain('zh-sso-setup如何为团队配置 SAML 单点登录？passedRetrieved, not cited');
    expect(textOf(only('#fixes', tree))).toContain('zh-reset-password如何重置密码？Not retrievedpassed');
    expect(select('#comparison', parse(renderHtmlReport(sampleEvalReport({ comparison: undefined }))))).toBeUndefined();
  });

  it('says so when no case fails', () => {
    const passing = sampleEvalReport().rows.filter((row) => row.failure === null);
    const passingTree = parse(renderHtmlReport(sampleEvalReport({ rows: passing })));
    expect(textOf(only('#failing-cases', passingTree))).toContain('No failing cases.');
    expect(selectAll('article.case', passingTree)).toEqual([]);
  });

  it('renders an empty run', () => {
    const empty = renderHtmlReport(sampleEvalReport({ rows: [], summary: nullSummary, comparison: undefined, gates: undefined }));
    const emptyTree = parse(empty);
    expect(textOf(only('#failing-cases', emptyTree))).toContain('No failing cases');
    for (const name of chartNames) expect(select(`figure[data-chart="${name}"] svg[role="img"]`, emptyTree), name).toBeDefined();
    expect(textOf(only('figure[data-chart="token-f1"]', emptyTree))).toContain('No data');
    expect(empty).not.toMatch(/NaN|undefined|Infinity/);
  });
});
