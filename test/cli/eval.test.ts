import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvalReport } from '../../evals/index.ts';
import { cliTargets, oriole } from '../helpers/cli.ts';
import { startFakeOpenAiServer } from '../helpers/fake-openai-server.ts';

/**
 * `oriole eval` as a QA team uses it: an eval set over a KB gives the three report files
 * and a summary; `--fail-under` makes it a release gate; `--baseline` names what got
 * worse after a change to the KB (here: an article removed, an injected regression).
 */

const cases = [
  { id: 'reset', question: 'How do I reset my password?', reference_answer: 'Use the Forgot password link on the sign-in page.', gold_sources: ['account/reset-password.pdf'] },
  { id: 'refund', question: 'How long does a refund take?', reference_answer: 'A credit card refund appears within 5–10 business days.', gold_sources: ['billing/refunds.html'] },
  { id: 'zh-reset', question: '如何重置密码？', gold_sources: ['zh/reset-password.md'], tags: ['zh'] },
  { id: 'mars', question: 'Can I ship a parcel to Mars by carrier pigeon?', answerable: false },
];

describe.each(cliTargets('oriole_eval_cli'))('oriole eval on $name', { timeout: 180_000 }, (target) => {
  let environment: Record<string, string>;
  let work: string;
  let casesFile: string;
  let baselineReport: string;

  beforeAll(async () => {
    environment = { ...(await target.setUp()), ORIOLE_EMBEDDER: 'none', ORIOLE_LLM: 'extractive' };
    work = await mkdtemp(path.join(tmpdir(), 'oriole-eval-cli-'));
    await cp('test/fixtures/help-docs', path.join(work, 'docs'), { recursive: true });
    casesFile = path.join(work, 'cases.jsonl');
    await writeFile(casesFile, cases.map((entry) => JSON.stringify(entry)).join('\n') + '\n');
    const ingested = await oriole(['ingest', path.join(work, 'docs'), '--kb', 'docs'], environment);
    expect(ingested.code, ingested.stderr).toBe(0);
  });
  afterAll(async () => {
    await target.tearDown();
    await rm(work, { recursive: true, force: true });
  });

  it('writes report.json, report.md and report.html and prints the summary; a met gate exits 0', async () => {
    const out = path.join(work, 'first');
    // An install without .git names its commit in ORIOLE_GIT_COMMIT.
    const result = await oriole(
      ['eval', casesFile, '--kb', 'docs', '--out', out, '--fail-under', 'retrieval.hit_at_k=0.6', '--fail-under', 'citations.validity=1'],
      { ...environment, ORIOLE_GIT_COMMIT: '0123456789abcdef0123456789abcdef01234567' },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Eval of 'docs' \(version \d+\) on cases\.jsonl: 4 cases/);
    expect(result.stdout).toMatch(/retrieval\.hit_at_k\s+1\.000\s+pass \(≥ 0\.6\)/);

    const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) as EvalReport;
    expect(report.counts).toMatchObject({ cases: 4, answerable: 3, unanswerable: 1 });
    expect(report.config).toMatchObject({ kb: 'docs', k: 5, llm: 'extractive', embedder: 'none', judge: null, retrievalMode: 'lexical' });
    expect(report.rows.map((row) => row.id)).toEqual(['reset', 'refund', 'zh-reset', 'mars']);
    expect(report.rows.find((row) => row.id === 'mars')).toMatchObject({ abstained: true, failure: null });
    expect(report.rows.find((row) => row.id === 'refund')!.citations[0]?.source).toBe('billing/refunds.html');
    expect(report.gates?.every((gate) => gate.passed)).toBe(true);
    expect(report.oriole).toMatchObject({ version: '0.1.0', gitCommit: '0123456789abcdef0123456789abcdef01234567' });
    expect(await readFile(path.join(out, 'report.md'), 'utf8')).toContain('retrieval');
    expect(await readFile(path.join(out, 'report.html'), 'utf8')).toMatch(/^<!doctype html>/i);
    baselineReport = path.join(out, 'report.json');
  });

  it('exits 1 and names the metric when a --fail-under bound is missed', async () => {
    const result = await oriole(['eval', casesFile, '--kb', 'docs', '--out', path.join(work, 'gate'), '--fail-under', 'answer.token_f1=0.99'], environment);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/FAILED gates: answer\.token_f1 0\.\d{3} < 0\.99/);
  });

  it('warns about keys a case does not have, names the missing nuggets and gates on nuggets.recall', async () => {
    const file = path.join(work, 'nuggets.jsonl');
    const nuggetCases = [
      { id: 'refund', question: 'How long does a refund take?', gold_sources: ['billing/refunds.html'], nuggets_all: ['carrier pigeon'], difficulty: 'easy' },
      { id: 'mars', question: 'Can I ship a parcel to Mars by carrier pigeon?', answerable: false, difficulty: 'hard' },
    ];
    await writeFile(file, nuggetCases.map((entry) => JSON.stringify(entry)).join('\n') + '\n');
    const out = path.join(work, 'nuggets');
    const result = await oriole(['eval', file, '--kb', 'docs', '--out', out, '--fail-under', 'nuggets.recall=0.5'], environment);
    expect(result.stderr).toContain("nuggets.jsonl: ignoring the unknown key 'difficulty' (lines 1, 2)");
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/nuggets\.recall\s+0\.000\s+FAIL/);
    const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) as EvalReport;
    expect(report.rows[0]).toMatchObject({ nuggets: { passed: false, missingAll: ['carrier pigeon'], missingAny: [] } });
    expect(report.rows[1]!.nuggets).toBeUndefined();
    expect(await readFile(path.join(out, 'report.md'), 'utf8')).toContain('- **Nuggets:** failed (missing: carrier pigeon)');
  });

  it('flags the regression when an article is removed, against the baseline', async () => {
    await rm(path.join(work, 'docs', 'billing', 'refunds.html'));
    const pruned = await oriole(['ingest', path.join(work, 'docs'), '--kb', 'docs', '--prune'], environment);
    expect(pruned.code, pruned.stderr).toBe(0);

    const out = path.join(work, 'after');
    const result = await oriole(['eval', casesFile, '--kb', 'docs', '--out', out, '--baseline', baselineReport], environment);
    expect(result.code).toBe(0);
    // Three answerable cases with gold sources; the refund article is gone: hit@k 1 → 2/3.
    expect(result.stdout).toMatch(/retrieval\.hit_at_k\s+0\.667\s+-0\.333\s+REGRESSED/);
    expect(result.stdout).toMatch(/regressed refund: /);
    const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) as EvalReport;
    expect(report.comparison?.regressions.map((change) => change.id)).toContain('refund');
    expect(report.comparison?.metrics.find((entry) => entry.metric === 'retrieval.hit_at_k')).toMatchObject({ regressed: true });
  });

  it('drafts cases from the KB with the LLM (eval generate), ready to run', async () => {
    const fake = await startFakeOpenAiServer();
    try {
      const drafts = path.join(work, 'drafts.jsonl');
      const llm = { ...environment, ORIOLE_LLM: 'openai:fake-model', OPENAI_BASE_URL: fake.url };
      const generated = await oriole(['eval', 'generate', '--kb', 'docs', '--n', '3', '--out', drafts], llm);
      expect(generated.code, generated.stderr).toBe(0);
      expect(generated.stderr).toContain('Wrote 3 draft case(s)');
      const lines = (await readFile(drafts, 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
      expect(lines).toHaveLength(3);
      for (const draft of lines) expect(draft).toMatchObject({ answerable: true, tags: ['generated'], gold_sources: [expect.any(String)] });
      const ran = await oriole(['eval', drafts, '--kb', 'docs', '--out', path.join(work, 'drafted')], environment);
      expect(ran.code, ran.stderr).toBe(0);
      expect(ran.stdout).toContain('3 cases');
    } finally {
      await fake.close();
    }
    const withoutLlm = await oriole(['eval', 'generate', '--kb', 'docs'], environment);
    expect(withoutLlm.code).toBe(2);
    expect(withoutLlm.stderr).toContain('ORIOLE_LLM');
  });

  it('refuses bad arguments before running anything, with exit code 2', async () => {
    const unknownMetric = await oriole(['eval', casesFile, '--kb', 'docs', '--fail-under', 'retrieval.mmr=0.5'], environment);
    expect(unknownMetric.code).toBe(2);
    expect(unknownMetric.stderr).toContain('retrieval.mrr');

    const missing = await oriole(['eval', path.join(work, 'nope.jsonl'), '--kb', 'docs'], environment);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read the eval set');

    await writeFile(path.join(work, 'bad.jsonl'), '{"id":"x"}\n');
    const malformed = await oriole(['eval', path.join(work, 'bad.jsonl'), '--kb', 'docs'], environment);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('bad.jsonl:1: question');

    const notAReport = await oriole(['eval', casesFile, '--kb', 'docs', '--baseline', casesFile], environment);
    expect(notAReport.code).toBe(2);
    expect(notAReport.stderr).toContain('--baseline');

    const unknownKb = await oriole(['eval', casesFile, '--kb', 'nope'], environment);
    expect(unknownKb.code).toBe(1);
    expect(unknownKb.stderr).toContain("kb 'nope' does not exist");
  });
});
