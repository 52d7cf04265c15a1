import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalyticsSummary } from '../../src/analytics/index.ts';
import { cliTargets, oriole } from '../helpers/cli.ts';

/** `oriole report` as a content team runs it: the same summary as GET /analytics/summary. */

describe.each(cliTargets('oriole_report_cli'))('oriole report on $name', { timeout: 180_000 }, (target) => {
  let environment: Record<string, string>;

  beforeAll(async () => {
    environment = { ...(await target.setUp()), ORIOLE_EMBEDDER: 'none', ORIOLE_LLM: 'extractive' };
    const ingested = await oriole(['ingest', 'test/fixtures/help-docs', '--kb', 'docs'], environment);
    expect(ingested.code, ingested.stderr).toBe(0);
    for (const question of ['How do I reset my password?', 'how to reset password', 'Can I ship a parcel to Mars by carrier pigeon?']) {
      const asked = await oriole(['ask', question, '--kb', 'docs'], environment);
      expect(asked.code, asked.stderr).toBe(0);
    }
  }, 180_000);
  afterAll(() => target.tearDown());

  it('prints the analytics summary as JSON', async () => {
    const result = await oriole(['report', '--kb', 'docs', '--json'], environment);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as AnalyticsSummary;
    expect(summary.kb).toBe('docs');
    expect(summary.totals).toMatchObject({ answers: 3, abstained: 1, feedbackUp: 0, feedbackDown: 0 });
    expect(summary.topQuestions[0]).toMatchObject({ question: expect.stringMatching(/reset/i), count: 2, abstainedCount: 0 });
    expect(summary.unansweredGroups).toEqual([
      expect.objectContaining({ representative: 'Can I ship a parcel to Mars by carrier pigeon?', count: 1 }),
    ]);
    expect(summary.neverCitedDocuments.map((document) => document.source)).not.toContain('account/reset-password.pdf');
    expect(summary.neverCitedDocuments.length).toBe(summary.totals.neverCitedDocuments);
    expect(summary.byDay).toHaveLength(31);
  });

  it('prints a readable report, and takes a period by days or by dates', async () => {
    const text = await oriole(['report', '--kb', 'docs', '--days', '7'], environment);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain("Report for knowledge base 'docs'");
    expect(text.stdout).toMatch(/answers\s+3/);
    expect(text.stdout).toContain('Unanswered questions');
    expect(text.stdout).toContain('Can I ship a parcel to Mars by carrier pigeon?');
    expect(text.stdout).toContain('Documents never cited');

    const past = JSON.parse((await oriole(['report', '--kb', 'docs', '--from', '2020-01-01', '--to', '2020-01-31', '--json'], environment)).stdout);
    expect(past.totals.answers).toBe(0);
    expect(past.period).toEqual({ from: '2020-01-01T00:00:00.000Z', to: '2020-02-01T00:00:00.000Z' });
  });

  it('refuses a bad period with exit code 2', async () => {
    const bad = await oriole(['report', '--kb', 'docs', '--from', 'last week'], environment);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('ISO 8601');
  });
});
