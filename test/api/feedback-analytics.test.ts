import type { AnalyticsSummary } from '../../src/analytics/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, createKnowledgeBase, type Database } from '../../src/db/index.ts';
import { createTestApp, expectError, postJson, type TestApp } from '../helpers/app.ts';
import { openMigrated, testBackends } from '../helpers/databases.ts';
import { ingestFolder } from '../helpers/ingestion.ts';

type Summary = AnalyticsSummary;

describe.each(testBackends())('POST /feedback and GET /analytics/summary on $name', { timeout: 60_000 }, (backend) => {
  let database: Database;
  let app: TestApp;
  const ids: Record<string, string[]> = {};
  const sourcesCitedByUsers = new Set<string>();

  const ask = async (question: string, expected: { abstained: boolean }, channel?: string) => {
    const response = await postJson(app, '/answer', { question, ...(channel ? { metadata: { channel } } : {}) });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { answerId: string; abstained: boolean; citations: Array<{ source: string }> };
    expect(body.abstained, question).toBe(expected.abstained);
    (ids[question] ??= []).push(body.answerId);
    if (channel !== 'eval') for (const citation of body.citations) sourcesCitedByUsers.add(citation.source);
    return body;
  };
  const rate = async (answerId: string, rating: string, comment?: string) =>
    postJson(app, '/feedback', { answerId, rating, ...(comment === undefined ? {} : { comment }) });
  const summary = async (query = ''): Promise<Summary> => {
    const response = await app.request(`/analytics/summary${query}`);
    expect(response.status, await response.clone().text()).toBe(200);
    return (await response.json()) as Summary;
  };

  beforeAll(async () => {
    database = await openMigrated(backend);
    const context = await ingestFolder(database, 'examples/help-center');
    app = createTestApp(database, { context, worker: false }).app;

    // Users: one question in three wordings, a refunds question, and two unanswerable ones.
    await ask('How do I reset my password?', { abstained: false });
    await ask('How do I reset my password?', { abstained: false });
    await ask('how to reset password', { abstained: false });
    await ask('How long do refunds take?', { abstained: false });
    await ask('Can I pay with Bitcoin?', { abstained: true });
    await ask('Can I pay with Bitcoin?', { abstained: true });
    await ask('can i pay with bitcoin', { abstained: true });
    await ask('Does Parley support Bluetooth pairing with smart watches?', { abstained: true });
    // An eval run: its questions and citations are not users' and must not count.
    for (let run = 0; run < 5; run++) await ask('How long do refunds take?', { abstained: false }, 'eval');
    await ask('APNs certificate expired', { abstained: false }, 'eval');
    await ask('Can I pay with Bitcoin?', { abstained: true }, 'eval');
  }, 180_000);
  afterAll(() => backend.cleanup());

  it('records feedback: 201 with its id, and keeps every rating of an answer', async () => {
    const [first, second] = ids['How do I reset my password?']!;
    const up = await rate(first!, 'up');
    expect(up.status).toBe(201);
    const body = (await up.json()) as { id: string; answerId: string; rating: string; createdAt: string };
    expect(body).toEqual({ id: expect.any(String), answerId: first, rating: 'up', createdAt: expect.any(String) });
    expect(new Date(body.createdAt).getTime()).toBeGreaterThan(Date.now() - 60_000);

    // A user who changes their mind: down, then up. Both rows are kept; the latest counts.
    expect((await rate(second!, 'down', 'Wrong app version')).status).toBe(201);
    expect((await rate(second!, 'up')).status).toBe(201);
    const rows = await database.query<{ rating: string }>('SELECT rating FROM feedback WHERE answer_id = $1 ORDER BY id', [second]);
    expect(rows.rows.map((row) => row.rating)).toEqual(['down', 'up']);

    const refunds = ids['How long do refunds take?']![0]!;
    expect((await rate(refunds, 'down', '  It does not say how long a refund to a card takes.  ')).status).toBe(201);
    const stored = await database.query<{ comment: string }>('SELECT comment FROM feedback WHERE answer_id = $1', [refunds]);
    expect(stored.rows).toEqual([{ comment: 'It does not say how long a refund to a card takes.' }]);
    const bitcoin = ids['Can I pay with Bitcoin?']![0]!;
    expect((await rate(bitcoin, 'down')).status).toBe(201);
  });

  it('refuses feedback on an unknown answer (404) and malformed feedback (400)', async () => {
    const known = ids['How do I reset my password?']![0]!;
    await expectError(await rate('00000000-0000-4000-8000-000000000000', 'up'), 404, 'not_found');
    await expectError(await rate(known, 'meh'), 400, 'invalid_request');
    await expectError(await rate('not-a-uuid', 'up'), 400, 'invalid_request');
    await expectError(await rate(known, 'down', 'x'.repeat(2001)), 400, 'invalid_request');
    await expectError(await rate(known, 'down', 'a\u0000b'), 400, 'invalid_request');
    await expectError(await postJson(app, '/feedback', { answerId: known, rating: 'up', stars: 5 }), 400, 'invalid_request');
    await expectError(await postJson(app, '/feedback', '{"answerId":'), 400, 'invalid_request');
  });

  it('sums up the last 30 days of users\' answers, eval runs left out', async () => {
    const body = await summary();
    expect(body.kb).toBe('default');
    const span = new Date(body.period.to).getTime() - new Date(body.period.from).getTime();
    expect(span).toBe(30 * 24 * 60 * 60 * 1000);
    expect(body.totals).toMatchObject({ answers: 8, abstained: 4, abstentionRate: 0.5, feedbackUp: 2, feedbackDown: 2 });
    expect(body.byDay.length).toBeGreaterThanOrEqual(30);
    expect(body.byDay.reduce((sum, day) => sum + day.answers, 0)).toBe(8);
    expect(body.byDay.at(-1)!.day).toBe(body.period.to.slice(0, 10));
    expect(body.byDay.reduce((sum, day) => sum + day.abstained, 0)).toBe(4);
  });

  it('groups the top questions and the unanswered ones across wordings', async () => {
    const body = await summary();
    expect(body.topQuestions.map(({ question, count, abstainedCount }) => ({ question, count, abstainedCount }))).toEqual([
      // Ties on count: the most recently asked first.
      { question: 'Can I pay with Bitcoin?', count: 3, abstainedCount: 3 },
      { question: 'How do I reset my password?', count: 3, abstainedCount: 0 },
      { question: 'Does Parley support Bluetooth pairing with smart watches?', count: 1, abstainedCount: 1 },
      { question: 'How long do refunds take?', count: 1, abstainedCount: 0 },
    ]);
    expect(body.unansweredGroups).toEqual([
      { representative: 'Can I pay with Bitcoin?', count: 3, questions: ['Can I pay with Bitcoin?', 'can i pay with bitcoin'], lastAskedAt: expect.any(String) },
      {
        representative: 'Does Parley support Bluetooth pairing with smart watches?',
        count: 1,
        questions: ['Does Parley support Bluetooth pairing with smart watches?'],
        lastAskedAt: expect.any(String),
      },
    ]);
    const limited = await summary('?limit=1');
    expect(limited.topQuestions).toHaveLength(1);
    expect(limited.unansweredGroups).toHaveLength(1);
  });

  it('lists answers rated down (latest rating) with their citations and comment', async () => {
    const body = await summary();
    const refunds = ids['How long do refunds take?']![0]!;
    const bitcoin = ids['Can I pay with Bitcoin?']![0]!;
    // Most recently rated first; the answer rated down, then up, is not low-rated.
    expect(body.lowRatedAnswers.map((answer) => answer.answerId)).toEqual([bitcoin, refunds]);
    const low = body.lowRatedAnswers[1]!;
    expect(low).toMatchObject({ question: 'How long do refunds take?', comment: 'It does not say how long a refund to a card takes.' });
    expect(low.answer.length).toBeGreaterThan(0);
    expect(low.citations.length).toBeGreaterThan(0);
    expect(low.citations.some((citation) => /refund/.test(citation.source))).toBe(true);
    expect(new Set(low.citations.map((citation) => citation.source)).size).toBe(low.citations.length);
    expect(body.lowRatedAnswers[0]).toMatchObject({ question: 'Can I pay with Bitcoin?', citations: [], comment: null });
  });

  it('lists the documents no user answer cited, eval citations not counting', async () => {
    const body = await summary('?limit=100');
    const documents = await database.query<{ source: string }>(`SELECT source FROM documents WHERE status = 'ready'`);
    const neverCited = body.neverCitedDocuments.map((document) => document.source);
    expect(body.totals.documents).toBe(documents.rows.length);
    expect(sourcesCitedByUsers.size).toBeGreaterThan(0);
    expect(neverCited.sort()).toEqual(documents.rows.map((row) => row.source).filter((source) => !sourcesCitedByUsers.has(source)).sort());
    expect(body.totals.neverCitedDocuments).toBe(neverCited.length);
    expect(neverCited).not.toContain('account/reset-password.md');
    // Cited by the eval run only: still never cited by a user.
    expect(neverCited.some((source) => /apns|push/i.test(source))).toBe(true);
    expect(body.neverCitedDocuments[0]).toEqual({ documentId: expect.any(String), source: expect.any(String), title: expect.anything() });
    expect((await summary('?limit=2')).neverCitedDocuments).toHaveLength(2);
  });

  it('filters by period: an answer from 60 days ago counts only in a period around it', async () => {
    const kb = await database.query<{ id: string }>(`SELECT id FROM knowledge_bases WHERE name = 'default'`);
    const asked = new Date(Date.now() - 60 * 24 * 60 * 60 * 1000);
    await database.query(
      `INSERT INTO answers (kb_id, kb_version, question, answer, abstained, mode, citations, created_at)
       VALUES ($1, 1, 'Where are my old invoices?', 'I don''t know.', true, 'extractive', '[]', $2::timestamptz)`,
      [kb.rows[0]!.id, asked.toISOString()],
    );
    expect((await summary()).totals.answers).toBe(8);

    const day = asked.toISOString().slice(0, 10);
    const around = await summary(`?from=${day}&to=${day}`);
    expect(around.period).toEqual({ from: `${day}T00:00:00.000Z`, to: new Date(Date.parse(day) + 86_400_000).toISOString() });
    expect(around.totals).toMatchObject({ answers: 1, abstained: 1, abstentionRate: 1, feedbackUp: 0, feedbackDown: 0 });
    expect(around.unansweredGroups.map((group) => group.representative)).toEqual(['Where are my old invoices?']);
    expect(around.byDay).toEqual([{ day, answers: 1, abstained: 1 }]);
    // The documents were ingested after that period ended: none of them was there to cite.
    expect(around.totals.documents).toBe(0);

    const before = await summary(`?from=2020-01-01&to=2020-01-31`);
    expect(before.totals).toMatchObject({ answers: 0, abstained: 0, abstentionRate: null });
    expect(before.topQuestions).toEqual([]);
    expect(before.byDay).toHaveLength(31);
  });

  it.each([
    ['?from=yesterday', 'from'],
    ['?to=2026-02-30', 'to'],
    ['?from=2026-03-01T10:00:00', 'from'],
    ['?from=2026-03-10&to=2026-03-01', 'before'],
    ['?from=2024-01-01&to=2026-01-01', '366 days'],
    ['?limit=0', 'limit'],
    ['?limit=101', 'limit'],
    ['?kb=not%20a%20name', 'kb'],
  ])('refuses %s with 400', async (query, mentioned) => {
    const error = await expectError(await app.request(`/analytics/summary${query}`), 400, 'invalid_request');
    expect(error.message).toContain(mentioned);
  });

  it('404s an unknown KB', async () => {
    await expectError(await app.request('/analytics/summary?kb=nowhere'), 404, 'not_found');
  });

  // Last: creating a key turns auth on for the rest of this database.
  it('keeps a key bound to another KB out of this KB\'s answers and analytics', async () => {
    const other = await createKnowledgeBase(database, { name: 'other', embedder: 'none' });
    const { key: bound } = await createApiKey(database, { scope: 'admin', kbId: other.id, name: 'other-admin' });
    const { key: query } = await createApiKey(database, { scope: 'query', kbId: null, name: 'query' });
    const answerId = ids['How do I reset my password?']![0]!;
    const as = (key: string) => ({ authorization: `Bearer ${key}` });

    // Another KB's answer looks exactly like an unknown one.
    await expectError(await postJson(app, '/feedback', { answerId, rating: 'up' }, as(bound)), 404, 'not_found');
    await expectError(await app.request('/analytics/summary?kb=default', { headers: as(bound) }), 403, 'forbidden');
    const own = await app.request('/analytics/summary', { headers: as(bound) });
    expect(((await own.json()) as Summary).kb).toBe('other');
    // Feedback is a query-scope route; analytics needs admin.
    expect((await postJson(app, '/feedback', { answerId, rating: 'up' }, as(query))).status).toBe(201);
    await expectError(await app.request('/analytics/summary', { headers: as(query) }), 403, 'forbidden');
  });
});
