import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type IngestContext } from '../../ingest/pipeline/index.ts';
import { createChatModel } from '../../src/answer/generation/chat-model.ts';
import { createApiKey, getKnowledgeBase, type Database } from '../../src/db/index.ts';
import { createTestApp, expectError, postJson, type TestApp } from '../helpers/app.ts';
import { openMigrated, testBackends } from '../helpers/databases.ts';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../helpers/fake-openai-server.ts';
import { ingestFolder } from '../helpers/ingestion.ts';
import { readEvents } from '../helpers/server-sent-events.ts';

interface SettingsBody {
  kb: string;
  version: number;
  settings: Record<string, unknown>;
}

interface AnswerBody {
  answerId: string;
  answer: string;
  abstained: boolean;
  cached?: boolean;
  kbVersion: number;
  model: string;
  citations: Array<{ source: string }>;
  handoff?: { reason: string; url?: string; email?: string; label?: string };
}

const handoff = { url: 'https://help.example.com/contact', email: 'support@example.com', label: 'Chat with our team' };
const unanswerable = 'Can I pay with Bitcoin?';
const answerable = 'How do I reset my password?';
const hanCharacter = /\p{Script=Han}/u;

describe.each(testBackends())('per-KB answer settings on $name', (backend) => {
  let database: Database;
  let context: IngestContext;
  let fake: FakeOpenAiServer;
  let extractive: TestApp;
  let generative: TestApp;
  let cached: TestApp;

  beforeAll(async () => {
    database = await openMigrated(backend);
    context = await ingestFolder(database, 'examples/help-center/account');
    await ingestFolder(database, 'examples/help-center/account', 'other');
    fake = await startFakeOpenAiServer();
    extractive = createTestApp(database, { context, worker: false }).app;
    const chatModel = { model: createChatModel('openai:fake-model', { baseUrl: fake.url }), name: 'openai:fake-model' };
    generative = createTestApp(database, { context, worker: false, chatModel }).app;
    cached = createTestApp(database, { context, worker: false, answerSettings: { answerCacheEntries: 100 } }).app;
  }, 600_000);
  afterAll(async () => {
    await fake?.close();
    await backend.cleanup();
  });
  // Each test starts from a KB with no settings.
  beforeEach(async () => {
    await database.query(`UPDATE knowledge_bases SET settings = '{}'`);
  });

  const patch = (app: TestApp, kb: string, body: unknown, headers: Record<string, string> = {}) =>
    app.request(`/kbs/${kb}/settings`, { method: 'PATCH', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const settle = async (body: unknown, kb = 'default'): Promise<SettingsBody> => {
    const response = await patch(extractive, kb, body);
    expect(response.status, await response.clone().text()).toBe(200);
    return (await response.json()) as SettingsBody;
  };
  const ask = async (app: TestApp, body: Record<string, unknown>): Promise<AnswerBody> => {
    const response = await postJson(app, '/answer', body);
    expect(response.status, await response.clone().text()).toBe(200);
    return (await response.json()) as AnswerBody;
  };
  const streamed = async (app: TestApp, body: Record<string, unknown>) => {
    const events = await readEvents(await postJson(app, '/answer', { ...body, stream: true }));
    const sources = (events.find((event) => event.event === 'sources')!.data as { sources: Array<{ source: string }> }).sources;
    const text = events.filter((event) => event.event === 'delta').map((event) => (event.data as { text: string }).text).join('');
    return { sources, text, done: events.find((event) => event.event === 'done')!.data as AnswerBody };
  };

  it('round-trips: GET shows what PATCH stored, PATCH merges field by field, null removes a field, each change bumps the version', async () => {
    const before = (await (await extractive.request('/kbs/default/settings')).json()) as SettingsBody;
    const first = await settle({ persona: '  Be warm and brief.  ', topK: 3, handoff, abstentionMessage: { en: 'Not in our docs.' } });
    expect(first).toEqual({
      kb: 'default',
      version: before.version + 1,
      settings: { persona: 'Be warm and brief.', topK: 3, handoff, abstentionMessage: { en: 'Not in our docs.' } },
    });
    const second = await settle({ topK: null, answerLanguage: 'zh', curatedThreshold: 0.7, minConfidence: 0.4, filters: { sources: ['reset-password.md'] } });
    expect(second.version).toBe(first.version + 1);
    expect(second.settings).toEqual({
      persona: 'Be warm and brief.',
      handoff,
      abstentionMessage: { en: 'Not in our docs.' },
      answerLanguage: 'zh',
      curatedThreshold: 0.7,
      minConfidence: 0.4,
      filters: { sources: ['reset-password.md'] },
    });
    expect(await (await extractive.request('/kbs/default/settings')).json()).toEqual(second);
    // The content version is not touched: it would make every replica reload its lexical index.
    const kb = await getKnowledgeBase(database, 'default');
    expect(kb.settingsVersion).toBe(second.version);
    expect(kb.version).toBe((await ask(extractive, { question: answerable })).kbVersion);
  });

  it.each([
    [{ topK: 0 }, 'topK'],
    [{ topK: 21 }, 'topK'],
    [{ topK: 2.5 }, 'topK'],
    [{ persona: 'x'.repeat(1_001) }, 'persona'],
    [{ persona: '' }, 'persona'],
    [{ handoff: { url: 'javascript:alert(1)' } }, 'handoff.url'],
    [{ handoff: { url: 'ftp://files.example.com' } }, 'handoff.url'],
    [{ handoff: { email: 'not-an-email' } }, 'handoff.email'],
    [{ handoff: { label: 'Talk to us' } }, 'handoff'],
    [{ handoff: { url: 'https://x.example', phone: '123' } }, 'handoff'],
    [{ answerLanguage: 'fr' }, 'answerLanguage'],
    [{ abstentionMessage: { fr: 'Je ne sais pas.' } }, 'abstentionMessage'],
    [{ curatedThreshold: 1.5 }, 'curatedThreshold'],
    [{ minConfidence: -0.1 }, 'minConfidence'],
    [{ filters: { sources: [] } }, 'filters.sources'],
    [{ colour: 'blue' }, 'colour'],
  ])('refuses %j with 400 invalid_request naming %s, and stores nothing', async (body, field) => {
    const before = await getKnowledgeBase(database, 'default');
    const error = (await expectError(await patch(extractive, 'default', body), 400, 'invalid_request')) as {
      message: string;
      details?: { issues: Array<{ path: string }> };
    };
    expect(error.message).toContain(field);
    expect((await getKnowledgeBase(database, 'default')).settingsVersion).toBe(before.settingsVersion);
  });

  it('answers 404 not_found for an unknown KB', async () => {
    await expectError(await extractive.request('/kbs/nowhere/settings'), 404, 'not_found');
    await expectError(await patch(extractive, 'nowhere', { topK: 3 }), 404, 'not_found');
  });

  it('needs the admin scope; a key bound to a KB reaches its own settings only', async () => {
    const adminKey = 'settings-admin-key-0123456789';
    const app = createTestApp(database, { context, worker: false, adminKey }).app;
    const kb = await getKnowledgeBase(database, 'default');
    const key = async (scope: 'query' | 'ingest' | 'admin', kbId: string | null) => (await createApiKey(database, { scope, kbId, name: null })).key;
    const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
    const boundAdmin = bearer(await key('admin', kb.id));
    await expectError(await app.request('/kbs/default/settings'), 401, 'unauthorized');
    for (const scope of ['query', 'ingest'] as const) {
      const headers = bearer(await key(scope, null));
      await expectError(await app.request('/kbs/default/settings', { headers }), 403, 'forbidden');
      await expectError(await patch(app, 'default', { topK: 4 }, headers), 403, 'forbidden');
    }
    expect((await app.request('/kbs/default/settings', { headers: boundAdmin })).status).toBe(200);
    expect((await patch(app, 'default', { topK: 4 }, boundAdmin)).status).toBe(200);
    await expectError(await app.request('/kbs/other/settings', { headers: boundAdmin }), 403, 'forbidden');
    await expectError(await patch(app, 'other', { topK: 4 }, boundAdmin), 403, 'forbidden');
    expect((await patch(app, 'other', { topK: 4 }, bearer(adminKey))).status).toBe(200);
    await database.query('DELETE FROM api_keys');
  });

  it("replaces the abstention text with the KB's, per language, and hands off to its contact (JSON and SSE)", async () => {
    const builtIn = await ask(extractive, { question: unanswerable });
    expect(builtIn.abstained).toBe(true);
    expect(builtIn.handoff).toBeUndefined();
    await settle({ abstentionMessage: { en: 'Our docs do not cover that yet.', zh: '文档里还没有这个答案。' }, handoff });
    for (const app of [extractive, generative]) {
      const custom = await ask(app, { question: unanswerable });
      expect(custom).toMatchObject({ abstained: true, answer: 'Our docs do not cover that yet.', citations: [] });
      expect(custom.handoff).toEqual({ reason: 'abstained', ...handoff });
    }
    const chinese = await ask(extractive, { question: '你们支持比特币付款吗？' });
    expect(chinese).toMatchObject({ abstained: true, answer: '文档里还没有这个答案。', handoff: { reason: 'abstained', url: handoff.url } });
    const stream = await streamed(extractive, { question: unanswerable });
    expect(stream.text).toBe('Our docs do not cover that yet.');
    expect(stream.done.handoff).toEqual({ reason: 'abstained', ...handoff });
    // An answer is not handed off.
    expect((await ask(extractive, { question: answerable })).handoff).toBeUndefined();
    // Without a hand-off setting, an abstention carries none.
    await settle({ handoff: null });
    expect((await ask(extractive, { question: unanswerable })).handoff).toBeUndefined();
  });

  it('answers a request for a human with the hand-off, not from the documents; recorded with the settings version', async () => {
    const { version } = await settle({ handoff });
    for (const question of ['I want to talk to a person', 'human please']) {
      const body = await ask(extractive, { question });
      expect(body).toMatchObject({ abstained: false, citations: [], model: 'handoff', handoff: { reason: 'requested', ...handoff } });
      expect(body.answer).toContain(handoff.url);
      expect(body.answer).toContain(handoff.email);
      const logged = await database.query<{ settings_version: string; question: string }>(
        'SELECT settings_version, question FROM answers WHERE id = $1',
        [body.answerId],
      );
      expect(logged.rows.map((row) => [Number(row.settings_version), row.question])).toEqual([[version, question]]);
    }
    const calls = fake.requests.length;
    const chinese = await streamed(generative, { question: '转人工' });
    expect(chinese.sources).toEqual([]);
    expect(hanCharacter.test(chinese.text)).toBe(true);
    expect(chinese.text).toContain(handoff.url);
    expect(chinese.done.handoff).toEqual({ reason: 'requested', ...handoff });
    // No retrieval, no LLM call.
    expect(fake.requests.length).toBe(calls);
    // With no contact set the request is still handed off, and the reply says no contact is set up.
    await settle({ handoff: null });
    const bare = await ask(extractive, { question: 'speak to an agent' });
    expect(bare.handoff).toEqual({ reason: 'requested' });
    expect(bare.answer).toMatch(/no contact is set up/);
    // An ordinary question about people is answered from the docs.
    expect((await ask(extractive, { question: 'how do I add a person to my team' })).model).not.toBe('handoff');
  });

  it('puts the persona into the prompt after the rules, as the fake LLM receives it over the wire', async () => {
    await settle({ persona: 'You are Pip, the Parley helper. Sign off with "Cheers".' });
    const calls = fake.requests.length;
    const body = await ask(generative, { question: answerable });
    expect(body.abstained).toBe(false);
    const system = systemPromptsSince(calls).at(-1)!;
    expect(system).toContain('You are Pip, the Parley helper.');
    expect(system.indexOf('Rules:')).toBeLessThan(system.indexOf('You are Pip'));
    expect(system).toMatch(/never changes the rules above/);
  });

  it("takes a chat client's system message as that request's persona, within the same bound", async () => {
    await settle({ persona: 'You are Pip.' });
    const calls = fake.requests.length;
    const response = await postJson(generative, '/v1/chat/completions', {
      model: 'default',
      messages: [
        { role: 'system', content: 'Answer like a ship captain.' },
        { role: 'user', content: answerable },
      ],
    });
    expect(response.status).toBe(200);
    const system = systemPromptsSince(calls).at(-1)!;
    expect(system).toContain('Answer like a ship captain.');
    expect(system).not.toContain('You are Pip.');
    expect(system).toContain('Rules:');
    const tooLong = await postJson(generative, '/v1/chat/completions', {
      model: 'default',
      messages: [
        { role: 'system', content: 'x'.repeat(1_001) },
        { role: 'user', content: answerable },
      ],
    });
    expect((await expectError(tooLong, 400, 'invalid_request')).message).toContain('messages.0.content');
    // A request for a human through the chat route carries the hand-off too.
    await settle({ handoff });
    const human = await postJson(generative, '/v1/chat/completions', { model: 'default', messages: [{ role: 'user', content: 'talk to a human' }] });
    expect(((await human.json()) as { handoff: unknown }).handoff).toEqual({ reason: 'requested', ...handoff });
  });

  it("answers in the KB's fixed language whatever the question's", async () => {
    await settle({ answerLanguage: 'zh' });
    const body = await ask(extractive, { question: unanswerable });
    expect(body.abstained).toBe(true);
    expect(hanCharacter.test(body.answer)).toBe(true);
    const calls = fake.requests.length;
    await ask(generative, { question: answerable });
    expect(systemPromptsSince(calls).at(-1)).toContain('Always answer in Simplified Chinese');
  });

  it("applies the KB's default topK and filters; a request's own override them", async () => {
    expect((await streamed(extractive, { question: answerable })).sources.length).toBeGreaterThan(2);
    await settle({ topK: 2 });
    expect((await streamed(extractive, { question: answerable })).sources).toHaveLength(2);
    expect((await streamed(extractive, { question: answerable, topK: 4 })).sources).toHaveLength(4);
    await settle({ filters: { sources: ['change-email.md'] } });
    const filtered = await streamed(extractive, { question: answerable });
    expect(filtered.sources.length).toBeGreaterThan(0);
    expect(new Set(filtered.sources.map((source) => source.source))).toEqual(new Set(['change-email.md']));
    const overridden = await streamed(extractive, { question: answerable, filters: { sources: ['reset-password.md'] } });
    expect(new Set(overridden.sources.map((source) => source.source))).toEqual(new Set(['reset-password.md']));
  });

  it('never serves an answer cached under other settings, and keeps the content version', async () => {
    const first = await ask(cached, { question: unanswerable });
    expect((await ask(cached, { question: unanswerable })).cached).toBe(true);
    await settle({ abstentionMessage: { en: 'Ask us on the forum.' } });
    const after = await ask(cached, { question: unanswerable });
    expect(after).toMatchObject({ cached: false, answer: 'Ask us on the forum.', kbVersion: first.kbVersion });
    expect(await ask(cached, { question: unanswerable })).toMatchObject({ cached: true, answer: 'Ask us on the forum.' });
    // A change that leaves the text as it was is still a new version: the cache does not guess what a setting changes.
    await settle({ persona: 'Be brief.' });
    expect((await ask(cached, { question: unanswerable })).cached).toBe(false);
  });

  /** The system prompts of the chat requests the fake LLM received after the first `from`. */
  function systemPromptsSince(from: number): string[] {
    return fake.requests
      .slice(from)
      .flatMap((request) => request.body?.messages ?? [])
      .filter((message) => message.role === 'system')
      .map((message) => String(message.content));
  }
});
