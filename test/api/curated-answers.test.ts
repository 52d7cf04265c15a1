import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, createKnowledgeBase, type Database } from '../../src/db/index.ts';
import { createTestApp, expectError, postJson, type TestApp } from '../helpers/app.ts';
import { openMigrated, testBackends } from '../helpers/databases.ts';
import { ingestFolder } from '../helpers/ingestion.ts';
import { readEvents } from '../helpers/server-sent-events.ts';

interface Curated {
  id: string;
  kb: string;
  questions: string[];
  answer: string;
  citations: { source: string }[];
  tags: string[];
  enabled: boolean;
  hits: number;
  createdAt: string;
  updatedAt: string;
}

interface Answer {
  answerId: string;
  answer: string;
  mode: string;
  curatedAnswerId?: string;
  grounded: boolean;
  abstained: boolean;
  cached?: boolean;
  citations: { index: number; source: string; chunkId: string; documentId: string; snippet: string; supported: boolean }[];
}

const refundAnswer = 'Refunds: **full refund within 30 days** of your first payment. Write to billing@parley.example.';
const passwordAnswer = 'Open **Settings → Security → Reset password** and follow the link we email you (valid for 1 hour).';

describe.each(testBackends())('curated answers on $name', { timeout: 120_000 }, (backend) => {
  let database: Database;
  let app: TestApp;
  let cachedApp: TestApp;

  const create = (body: unknown, kb = 'default', headers: Record<string, string> = {}) => postJson(app, `/kbs/${kb}/curated-answers`, body, headers);
  const patch = (id: string, body: unknown, kb = 'default') =>
    app.request(`/kbs/${kb}/curated-answers/${id}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const ask = async (question: string, on: TestApp = app): Promise<Answer> => {
    const response = await postJson(on, '/answer', { question });
    expect(response.status, await response.clone().text()).toBe(200);
    return (await response.json()) as Answer;
  };

  beforeAll(async () => {
    database = await openMigrated(backend);
    const context = await ingestFolder(database, 'examples/help-center');
    await createKnowledgeBase(database, { name: 'other', embedder: 'none' });
    app = createTestApp(database, { context, worker: false }).app;
    // The same database behind an app with the answer cache on, as `oriole serve` runs.
    cachedApp = createTestApp(database, { context, worker: false, answerSettings: { answerCacheEntries: 100 } }).app;
  }, 180_000);
  afterAll(() => backend.cleanup());

  it('creates, reads, lists, changes and deletes a curated answer', async () => {
    const response = await create({
      questions: ['What is the refund policy?', '  Can I get a refund?  ', 'can i get a REFUND?'],
      answer: refundAnswer,
      citations: [{ source: 'billing/refund-policy.md' }],
      tags: ['billing'],
    });
    expect(response.status, await response.clone().text()).toBe(201);
    const created = (await response.json()) as Curated;
    expect(created).toEqual({
      id: expect.any(String),
      kb: 'default',
      // Trimmed, and the repeat (case aside) dropped.
      questions: ['What is the refund policy?', 'Can I get a refund?'],
      answer: refundAnswer,
      citations: [{ source: 'billing/refund-policy.md' }],
      tags: ['billing'],
      enabled: true,
      hits: 0,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });

    const read = await app.request(`/kbs/default/curated-answers/${created.id}`);
    expect(await read.json()).toEqual(created);
    const list = (await (await app.request('/kbs/default/curated-answers')).json()) as { curatedAnswers: Curated[] };
    expect(list.curatedAnswers.map((entry) => entry.id)).toContain(created.id);

    const changed = await patch(created.id, { tags: ['billing', 'refunds'], enabled: false });
    expect(changed.status).toBe(200);
    expect(await changed.json()).toMatchObject({ id: created.id, tags: ['billing', 'refunds'], enabled: false, answer: refundAnswer });

    const deleted = await app.request(`/kbs/default/curated-answers/${created.id}`, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    await expectError(await app.request(`/kbs/default/curated-answers/${created.id}`), 404, 'not_found');
    await expectError(await app.request(`/kbs/default/curated-answers/${created.id}`, { method: 'DELETE' }), 404, 'not_found');
  });

  it('refuses malformed curated answers with 400 naming the field, and unknown ones with 404', async () => {
    const cases: Array<[unknown, string]> = [
      [{ answer: 'x' }, 'questions'],
      [{ questions: [], answer: 'x' }, 'questions'],
      [{ questions: Array.from({ length: 21 }, (_, index) => `question ${index}`), answer: 'x' }, 'questions'],
      [{ questions: ['q'.repeat(501)], answer: 'x' }, 'questions.0'],
      [{ questions: ['   '], answer: 'x' }, 'questions.0'],
      [{ questions: ['q'], answer: '' }, 'answer'],
      [{ questions: ['q'], answer: 'a'.repeat(8_001) }, 'answer'],
      [{ questions: ['q'], answer: 'a', citations: [{ url: 'x' }] }, 'citations.0'],
      [{ questions: ['q'], answer: 'a', enabled: 'yes' }, 'enabled'],
      [{ questions: ['q'], answer: 'a', surprise: 1 }, 'surprise'],
    ];
    for (const [body, field] of cases) {
      const error = await expectError(await create(body), 400, 'invalid_request');
      expect(error.message, JSON.stringify(body).slice(0, 100)).toContain(field);
    }
    const missing = await expectError(
      await create({ questions: ['q'], answer: 'a', citations: [{ source: 'billing/refund-policy.md' }, { source: 'billing/nope.md' }] }),
      400,
      'invalid_request',
    );
    expect(missing.message).toContain('citations.1.source');
    expect(missing.message).toContain('billing/nope.md');
    // A source of another KB is not one of this KB's.
    await expectError(await create({ questions: ['q'], answer: 'a', citations: [{ source: 'billing/refund-policy.md' }] }, 'other'), 400, 'invalid_request');
    await expectError(await create({ questions: ['q'], answer: 'a' }, 'nowhere'), 404, 'not_found');
    await expectError(await app.request('/kbs/default/curated-answers/not-an-id'), 404, 'not_found');
    await expectError(await patch('00000000-0000-4000-8000-000000000000', { enabled: true }), 404, 'not_found');
    const created = (await (await create({ questions: ['a question for patching'], answer: 'a' })).json()) as Curated;
    await expectError(await patch(created.id, {}), 400, 'invalid_request');
    expect((await expectError(await patch(created.id, { citations: [{ source: 'x.md' }] }), 400, 'invalid_request')).message).toContain('citations.0.source');
    await app.request(`/kbs/default/curated-answers/${created.id}`, { method: 'DELETE' });
  });

  it('wins over retrieval for its phrasings and close paraphrases, not for unrelated questions, with its citations', async () => {
    const before = await ask('How do I reset my password?');
    expect(before.mode).toBe('extractive');
    const created = (await (
      await create({
        questions: ['How do I reset my password?', 'I forgot my password'],
        answer: passwordAnswer,
        citations: [{ source: 'account/reset-password.md' }],
      })
    ).json()) as Curated;

    for (const question of ['How do I reset my password?', 'how can I reset my password', 'Password reset', 'I forgot my password, how do I reset it?']) {
      const answer = await ask(question);
      expect(answer, question).toMatchObject({ mode: 'curated', curatedAnswerId: created.id, answer: passwordAnswer, grounded: true, abstained: false });
      expect(answer.citations).toEqual([
        expect.objectContaining({ index: 1, source: 'account/reset-password.md', supported: true, snippet: expect.any(String) }),
      ]);
      const chunk = await database.query<{ ordinal: number }>('SELECT ordinal FROM chunks WHERE id = $1', [answer.citations[0]!.chunkId]);
      expect(chunk.rows[0]!.ordinal).toBe(0);
    }
    // Unrelated questions that share a word or two go to retrieval.
    for (const question of ['How do I reset my API key?', 'How do I reset two-factor authentication?', 'What are the password requirements for SSO?']) {
      const answer = await ask(question);
      expect(answer.mode, question).not.toBe('curated');
      expect(answer.curatedAnswerId).toBeUndefined();
    }
    await app.request(`/kbs/default/curated-answers/${created.id}`, { method: 'DELETE' });
    expect((await ask('How do I reset my password?')).mode).toBe('extractive');
  });

  it('matches Chinese phrasings with the CJK-aware tokenizer', async () => {
    const created = (await (await create({ questions: ['如何重置密码？'], answer: '在“设置 → 安全”中点击“重置密码”。', citations: [{ source: 'zh/reset-password.md' }] })).json()) as Curated;
    expect(await ask('怎么重置密码')).toMatchObject({ mode: 'curated', curatedAnswerId: created.id });
    expect((await ask('如何重置API密钥？')).mode).not.toBe('curated');
    await app.request(`/kbs/default/curated-answers/${created.id}`, { method: 'DELETE' });
  });

  it('never matches a disabled curated answer, and an edit takes effect on the next question', async () => {
    const created = (await (await create({ questions: ['Which regions store my data?'], answer: 'EU and US.', enabled: false })).json()) as Curated;
    expect((await ask('Which regions store my data?')).mode).not.toBe('curated');
    await patch(created.id, { enabled: true });
    expect(await ask('Which regions store my data?')).toMatchObject({ mode: 'curated', answer: 'EU and US.' });
    await patch(created.id, { answer: 'EU, US and APAC.' });
    expect(await ask('Which regions store my data?')).toMatchObject({ mode: 'curated', answer: 'EU, US and APAC.' });
    await patch(created.id, { questions: ['Something else entirely'] });
    expect((await ask('Which regions store my data?')).mode).not.toBe('curated');
    await app.request(`/kbs/default/curated-answers/${created.id}`, { method: 'DELETE' });
  });

  it('is not hidden by the answer cache: a new curated answer wins over an answer cached before it', async () => {
    const question = 'How do I enable two-factor authentication?';
    await ask(question, cachedApp);
    const second = await ask(question, cachedApp);
    expect(second).toMatchObject({ cached: true, mode: 'extractive' });
    const created = (await (await create({ questions: [question], answer: 'Settings → Security → Two-factor.' })).json()) as Curated;
    expect(await ask(question, cachedApp)).toMatchObject({ mode: 'curated', curatedAnswerId: created.id, cached: false });
    // Deleted: the cached retrieval answer is back (the KB's content did not change).
    await app.request(`/kbs/default/curated-answers/${created.id}`, { method: 'DELETE' });
    expect(await ask(question, cachedApp)).toMatchObject({ mode: 'extractive' });
  });

  it('streams like any answer: sources, delta, citation, done', async () => {
    const created = (await (
      await create({ questions: ['What does the Growth plan cost?'], answer: 'The Growth plan is **$499 a month**.', citations: [{ source: 'billing/plans-and-pricing.md' }] })
    ).json()) as Curated;
    const response = await postJson(app, '/answer', { question: 'What does the Growth plan cost?', stream: true });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const events = await readEvents(response);
    expect(events.map((event) => event.event)).toEqual(['sources', 'delta', 'citation', 'done']);
    expect((events[0]!.data as { sources: { source: string }[] }).sources.map((source) => source.source)).toEqual(['billing/plans-and-pricing.md']);
    expect(events[1]!.data).toEqual({ text: 'The Growth plan is **$499 a month**.' });
    expect(events[3]!.data).toMatchObject({ mode: 'curated', curatedAnswerId: created.id });

    // And through the OpenAI-compatible route.
    const chat = await postJson(app, '/v1/chat/completions', { model: 'default', messages: [{ role: 'user', content: 'What does the Growth plan cost?' }] });
    expect(chat.status).toBe(200);
    const completion = (await chat.json()) as { choices: { message: { content: string } }[] };
    expect(completion.choices[0]!.message.content).toContain('The Growth plan is **$499 a month**.');
    await app.request(`/kbs/default/curated-answers/${created.id}`, { method: 'DELETE' });
  });

  it('counts hits, logs each answer (feedback works) and shows hits per curated answer in analytics', async () => {
    const created = (await (await create({ questions: ['How long are messages kept?'], answer: 'Messages are kept for 90 days on Free.' })).json()) as Curated;
    const answers = await Promise.all([ask('How long are messages kept?'), ask('How long are messages kept?'), ask('how long are messages kept')]);
    expect(answers.every((answer) => answer.mode === 'curated')).toBe(true);
    const read = (await (await app.request(`/kbs/default/curated-answers/${created.id}`)).json()) as Curated;
    expect(read.hits).toBe(3);
    const logged = await database.query<{ mode: string }>('SELECT mode FROM answers WHERE id = $1', [answers[0]!.answerId]);
    expect(logged.rows).toEqual([{ mode: 'curated' }]);
    expect((await postJson(app, '/feedback', { answerId: answers[0]!.answerId, rating: 'up' })).status).toBe(201);

    const summary = (await (await app.request('/analytics/summary')).json()) as {
      curatedAnswers: { id: string; question: string; hits: number; periodHits: number; enabled: boolean }[];
    };
    expect(summary.curatedAnswers).toContainEqual({ id: created.id, question: 'How long are messages kept?', hits: 3, periodHits: 3, enabled: true });
    await app.request(`/kbs/default/curated-answers/${created.id}`, { method: 'DELETE' });
  });

  it('turns a logged answer into a curated answer with fromAnswerId', async () => {
    const abstained = await ask('Can I pay with Bitcoin?');
    expect(abstained.abstained).toBe(true);
    const response = await create({ fromAnswerId: abstained.answerId, questions: ['Do you accept crypto?'], answer: 'No: cards and bank transfer only.' });
    expect(response.status, await response.clone().text()).toBe(201);
    const created = (await response.json()) as Curated;
    expect(created.questions).toEqual(['Can I pay with Bitcoin?', 'Do you accept crypto?']);
    expect(await ask('Can I pay with Bitcoin?')).toMatchObject({ mode: 'curated', curatedAnswerId: created.id, abstained: false });

    const onlyFrom = await create({ fromAnswerId: abstained.answerId, answer: 'No.' });
    expect(((await onlyFrom.json()) as Curated).questions).toEqual(['Can I pay with Bitcoin?']);
    await expectError(await create({ fromAnswerId: '00000000-0000-4000-8000-000000000000', answer: 'No.' }), 404, 'not_found');
    // An answer of another KB is not found from this one.
    await expectError(await create({ fromAnswerId: abstained.answerId, answer: 'No.' }, 'other'), 404, 'not_found');
    await database.query('DELETE FROM curated_answers');
  });

  // Last: once keys exist, auth stays on for this app (the auth state is remembered for seconds).
  it('needs the admin or ingest scope, and a KB-bound key reaches its own KB only', async () => {
    const { key: queryKey } = await createApiKey(database, { scope: 'query', kbId: null, name: 'curated-query' });
    const { key: ingestKey } = await createApiKey(database, { scope: 'ingest', kbId: null, name: 'curated-ingest' });
    const { key: boundKey } = await createApiKey(database, { scope: 'ingest', name: 'curated-bound', kbId: (await kbId('other')) });
    const auth = (key: string) => ({ Authorization: `Bearer ${key}` });
    try {
      await expectError(await app.request('/kbs/default/curated-answers', { headers: auth(queryKey) }), 403, 'forbidden');
      const made = await create({ questions: ['scope check question'], answer: 'a' }, 'default', auth(ingestKey));
      expect(made.status).toBe(201);
      const { id } = (await made.json()) as Curated;
      expect((await app.request('/kbs/default/curated-answers', { headers: auth(ingestKey) })).status).toBe(200);
      await expectError(await app.request('/kbs/default/curated-answers', { headers: auth(boundKey) }), 403, 'forbidden');
      await expectError(await create({ questions: ['q'], answer: 'a' }, 'default', auth(boundKey)), 403, 'forbidden');
      expect((await app.request('/kbs/other/curated-answers', { headers: auth(boundKey) })).status).toBe(200);
      expect((await app.request(`/kbs/default/curated-answers/${id}`, { method: 'DELETE', headers: auth(ingestKey) })).status).toBe(204);
    } finally {
      await database.query(`DELETE FROM api_keys WHERE name LIKE 'curated-%'`);
    }
  });

  async function kbId(name: string): Promise<string> {
    const result = await database.query<{ id: string }>('SELECT id FROM knowledge_bases WHERE name = $1', [name]);
    return String(result.rows[0]!.id);
  }
});
