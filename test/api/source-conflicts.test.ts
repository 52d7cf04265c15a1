import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestContext } from '../../ingest/pipeline/index.ts';
import type { AnalyticsSummary } from '../../src/analytics/index.ts';
import { createChatModel } from '../../src/answer/generation/chat-model.ts';
import type { AnswerResponse } from '../../src/core/index.ts';
import type { Database } from '../../src/db/index.ts';
import { formatReport } from '../../src/entry/report-command.ts';
import { createTestApp, postJson, type TestApp } from '../helpers/app.ts';
import { openMigrated, testBackends } from '../helpers/databases.ts';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../helpers/fake-openai-server.ts';
import { ingestFolder } from '../helpers/ingestion.ts';
import { readEvents } from '../helpers/server-sent-events.ts';

/** Knowledge bases of a few Markdown pages each, written to a temporary folder per KB. */
const knowledgeBases: Record<string, Record<string, string>> = {
  // Two pages give different prices for the Pro plan, and two Chinese pages different refund periods.
  conflicting: {
    'pricing.md': '# Pricing\n\n## Pro plan\n\nThe Pro plan costs $19 per month and includes unlimited projects.\n',
    'billing-faq.md':
      '# Billing FAQ\n\n## How much is the Pro plan?\n\nThe Pro plan costs $29 per month, billed monthly.\n\n## Can I cancel?\n\nYou can cancel at any time from the billing page.\n',
    'refund-policy.md': '# 退款政策\n\n退款期限为 14 天，自购买之日起计算。\n',
    'refund-faq.md': '# 常见问题\n\n## 退款期限是多久？\n\n退款期限为 30 天，自购买之日起计算。\n',
  },
  // One page lists two plans' prices: no disagreement.
  listed: {
    'plans.md': '# Plans\n\nStarter costs $19 per month and Growth costs $29 per month.\n\nBoth plans include email support.\n',
    'support.md': '# Support\n\nEmail support answers within one business day.\n',
  },
  // Two pages of three agree on the price.
  majority: {
    'pricing.md': '# Pricing\n\n## Pro plan\n\nThe Pro plan costs $19 per month and includes unlimited projects.\n',
    'billing-faq.md': '# Billing FAQ\n\n## How much is the Pro plan?\n\nThe Pro plan costs $29 per month, billed monthly.\n',
    'pro-plan.md': '# The Pro plan\n\nThe Pro plan costs $19 per month.\n',
  },
};

/**
 * Sources that disagree (docs/answers.md): an answer whose documents state different
 * values for what was asked abstains with `conflicting_sources` or notes the other value,
 * citing both, and `oriole report` lists the documents that disagree. Both backends.
 */
describe.each(testBackends())('sources that disagree on $name', { timeout: 120_000 }, (backend) => {
  let database: Database;
  let folder: string;
  let fake: FakeOpenAiServer;
  let extractive: TestApp;
  let generative: TestApp;

  beforeAll(async () => {
    database = await openMigrated(backend);
    folder = await mkdtemp(path.join(tmpdir(), 'oriole-conflicts-'));
    let context: IngestContext | undefined;
    for (const [kb, pages] of Object.entries(knowledgeBases)) {
      await mkdir(path.join(folder, kb));
      for (const [name, text] of Object.entries(pages)) await writeFile(path.join(folder, kb, name), text);
      context = await ingestFolder(database, path.join(folder, kb), kb);
    }
    fake = await startFakeOpenAiServer();
    extractive = createTestApp(database, { context, worker: false }).app;
    generative = createTestApp(database, {
      context,
      worker: false,
      chatModel: { model: createChatModel('openai:fake-model', { baseUrl: fake.url }), name: 'openai:fake-model' },
    }).app;
  }, 120_000);
  afterAll(async () => {
    await fake?.close();
    await backend.cleanup();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  const ask = async (app: TestApp, kb: string, question: string): Promise<AnswerResponse> => {
    const response = await postJson(app, '/answer', { kb, question });
    expect(response.status).toBe(200);
    return (await response.json()) as AnswerResponse;
  };
  const sourcesOf = (answer: AnswerResponse) => (answer.conflicts ?? []).flatMap((conflict) => conflict.statements.map((statement) => `${statement.source} ${statement.value}`));

  it('abstains with conflicting_sources when two pages give the Pro plan different prices, naming both', async () => {
    const answer = await ask(extractive, 'conflicting', 'How much does the Pro plan cost?');
    expect(answer).toMatchObject({ abstained: true, reason: 'conflicting_sources', grounded: false, citations: [] });
    expect(answer.answer).toMatch(/disagree/);
    expect(sourcesOf(answer).sort()).toEqual(['billing-faq.md $29 per month, billed monthly', 'pricing.md $19 per month']);
    expect(answer.confidence).toBeLessThanOrEqual(0.5);
    const logged = await database.query<{ reason: string; conflicts: unknown }>('SELECT reason, conflicts FROM answers WHERE id = $1', [answer.answerId]);
    expect(logged.rows[0]).toMatchObject({ reason: 'conflicting_sources', conflicts: answer.conflicts });
  });

  it('abstains in Chinese when two pages give different refund periods', async () => {
    const answer = await ask(extractive, 'conflicting', '退款期限是多久？');
    expect(answer).toMatchObject({ abstained: true, reason: 'conflicting_sources' });
    expect(answer.answer).toMatch(/说法不一致/);
    expect(sourcesOf(answer).sort()).toEqual(['refund-faq.md 30 天', 'refund-policy.md 14 天']);
  });

  it('answers normally where the pages agree, and where one page lists two plans', async () => {
    const cancel = await ask(extractive, 'conflicting', 'Can I cancel the Pro plan?');
    expect(cancel.abstained).toBe(false);
    expect(cancel.conflicts).toBeUndefined();
    const listed = await ask(extractive, 'listed', 'How much does the Growth plan cost?');
    expect(listed).toMatchObject({ abstained: false, grounded: true });
    expect(listed.answer).toContain('$29 per month');
    expect(listed.answer).not.toMatch(/disagree/);
    expect(listed.conflicts).toBeUndefined();
  });

  it('answers with the price most pages give and a note quoting the other, citing both', async () => {
    const answer = await ask(extractive, 'majority', 'How much does the Pro plan cost?');
    expect(answer.abstained).toBe(false);
    expect(answer.answer).toMatch(/\$19 per month/);
    expect(answer.answer).toMatch(/However, the sources disagree: "The Pro plan costs \$29 per month, billed monthly" \[\d\]\./);
    const cited = answer.citations.map((citation) => citation.source);
    expect(cited).toContain('billing-faq.md');
    expect(cited.some((source) => source === 'pricing.md' || source === 'pro-plan.md')).toBe(true);
    expect(answer.citations.every((citation) => citation.supported)).toBe(true);
    expect(answer.conflicts?.[0]?.statements.map((statement) => statement.source).sort()).toEqual(['billing-faq.md', 'pricing.md', 'pro-plan.md']);
    expect(answer.confidence).toBeLessThanOrEqual(0.5);
  });

  it('shows the reason and the note in the SSE done event and on /v1/chat/completions', async () => {
    const events = await readEvents(await postJson(extractive, '/answer', { kb: 'conflicting', question: 'How much does the Pro plan cost?', stream: true }));
    const done = events.find((event) => event.event === 'done')!.data as AnswerResponse;
    expect(done).toMatchObject({ abstained: true, reason: 'conflicting_sources' });
    const completion = await postJson(extractive, '/v1/chat/completions', {
      model: 'conflicting',
      messages: [{ role: 'user', content: 'How much does the Pro plan cost?' }],
    });
    expect(completion.status).toBe(200);
    expect(await completion.json()).toMatchObject({ abstained: true, reason: 'conflicting_sources' });
    const noted = await postJson(extractive, '/v1/chat/completions', { model: 'majority', messages: [{ role: 'user', content: 'How much does the Pro plan cost?' }] });
    const body = (await noted.json()) as { choices: Array<{ message: { content: string } }> };
    expect(body.choices[0]!.message.content).toMatch(/the sources disagree/);
  });

  it('withholds a generated answer without calling the model, and notes the other price after a generated one', async () => {
    const before = fake.requests.length;
    const withheld = await ask(generative, 'conflicting', 'How much does the Pro plan cost?');
    expect(withheld).toMatchObject({ abstained: true, reason: 'conflicting_sources' });
    expect(fake.requests.length).toBe(before);

    const events = await readEvents(await postJson(generative, '/answer', { kb: 'majority', question: 'How much does the Pro plan cost?', stream: true }));
    const streamed = events.filter((event) => event.event === 'delta').map((event) => (event.data as { text: string }).text).join('');
    const done = events.find((event) => event.event === 'done')!.data as AnswerResponse;
    expect(done).toMatchObject({ abstained: false, mode: 'generative' });
    expect(done.answer).toMatch(/the sources disagree/);
    // The note streams as the answer's last delta (markers as `done` numbers them).
    expect(streamed).toMatch(/\n\nHowever, the sources disagree: "The Pro plan costs \$19 per month" \[2\]\.$/);
    expect(done.answer).toMatch(/\$19 per month/);
    expect(done.answer).toMatch(/\$29 per month/);
    const cited = done.citations.map((citation) => citation.source);
    expect(cited).toContain('billing-faq.md');
    expect(cited.some((source) => source === 'pricing.md' || source === 'pro-plan.md')).toBe(true);
    expect(done.conflicts).toHaveLength(1);
    expect(done.confidence).toBeLessThanOrEqual(0.5);
  });

  it('lists the pages that disagree, with the values and the question, in GET /analytics/summary and the report', async () => {
    const response = await extractive.request('/analytics/summary?kb=conflicting');
    expect(response.status).toBe(200);
    const summary = (await response.json()) as AnalyticsSummary;
    const pairs = summary.conflictingDocuments.map((pair) => ({
      kind: pair.kind,
      documents: pair.documents.map((document) => `${document.source} ${document.value}`),
      question: pair.question,
    }));
    expect(pairs).toContainEqual({
      kind: 'price',
      documents: ['billing-faq.md $29 per month, billed monthly', 'pricing.md $19 per month'],
      question: 'How much does the Pro plan cost?',
    });
    expect(pairs).toContainEqual({ kind: 'duration', documents: ['refund-faq.md 30 天', 'refund-policy.md 14 天'], question: '退款期限是多久？' });
    const price = summary.conflictingDocuments.find((pair) => pair.kind === 'price')!;
    expect(price.count).toBeGreaterThanOrEqual(3);
    const report = formatReport(summary);
    expect(report).toContain('Sources that disagree');
    expect(report).toMatch(/price: Billing FAQ \(billing-faq\.md\) says \$29 per month, billed monthly; Pricing \(pricing\.md\) says \$19 per month/);
    expect(report).toContain('last asked: "How much does the Pro plan cost?"');
    // A KB whose pages agree lists none.
    const listed = (await (await extractive.request('/analytics/summary?kb=listed')).json()) as AnalyticsSummary;
    expect(listed.conflictingDocuments).toEqual([]);
  });
});
