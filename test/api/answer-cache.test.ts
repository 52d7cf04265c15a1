import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IngestContext } from '../../ingest/pipeline/index.ts';
import { createChatModel } from '../../src/answer/generation/chat-model.ts';
import { type Database } from '../../src/db/index.ts';
import { createPrometheusMetrics } from '../../src/entry/metrics.ts';
import { createTestApp, postJson, type TestApp } from '../helpers/app.ts';
import { openMigrated, testBackends } from '../helpers/databases.ts';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../helpers/fake-openai-server.ts';
import { ingestFolder } from '../helpers/ingestion.ts';
import { readEvents } from '../helpers/server-sent-events.ts';

interface AnswerBody {
  answerId: string;
  answer: string;
  abstained: boolean;
  cached?: boolean;
  kbVersion: number;
  citations: Array<{ source: string }>;
  timings: { totalMs: number };
}

const question = 'How do I reset my password?';

describe.each(testBackends())('the answer cache on $name', (backend) => {
  let database: Database;
  let context: IngestContext;
  let fake: FakeOpenAiServer;
  let extractive: TestApp;
  let generative: TestApp;
  const metrics = createPrometheusMetrics();

  beforeAll(async () => {
    database = await openMigrated(backend);
    context = await ingestFolder(database, 'examples/help-center/account');
    fake = await startFakeOpenAiServer();
    const cache = { answerCacheEntries: 100 };
    extractive = createTestApp(database, { context, worker: false, answerSettings: cache, metrics }).app;
    generative = createTestApp(database, {
      context,
      worker: false,
      chatModel: { model: createChatModel('openai:fake-model', { baseUrl: fake.url }), name: 'openai:fake-model' },
      answerSettings: { ...cache, firstTokenTimeoutMs: 500, generationTimeoutMs: 1_500 },
    }).app;
  }, 600_000);
  afterAll(async () => {
    await fake?.close();
    await backend.cleanup();
  });

  const ask = async (app: TestApp, body: Record<string, unknown>): Promise<AnswerBody> => {
    const response = await postJson(app, '/answer', body);
    expect(response.status).toBe(200);
    return (await response.json()) as AnswerBody;
  };

  it('answers a repeated question from the cache: same answer, its own logged answerId, cached: true, counted', async () => {
    const first = await ask(extractive, { question, topK: 4 });
    // Another spelling of the same question: case and spaces do not change the answer.
    const again = await ask(extractive, { question: `  how do I   RESET my password? `, topK: 4 });
    expect(first.cached).toBe(false);
    expect(again.cached).toBe(true);
    expect(again.answer).toBe(first.answer);
    expect(again.citations).toEqual(first.citations);
    expect(again.answerId).not.toBe(first.answerId);
    const logged = await database.query<{ id: string }>('SELECT id FROM answers WHERE id = ANY($1)', [[first.answerId, again.answerId]]);
    expect(logged.rows).toHaveLength(2);
    // Feedback on the cached answer reaches its own log row.
    const feedback = await postJson(extractive, '/feedback', { answerId: again.answerId, rating: 'up' });
    expect(feedback.status).toBeLessThan(300);
    const rendered = (await metrics.render()).body;
    expect(rendered).toMatch(/oriole_answer_cache_requests_total\{result="hit"\} [1-9]/);
    expect(rendered).toMatch(/oriole_answer_cache_requests_total\{result="miss"\} [1-9]/);
  }, 300_000);

  it('keys on what changes the answer: another topK, history or filter is answered afresh', async () => {
    await ask(extractive, { question, topK: 3 });
    expect((await ask(extractive, { question, topK: 2 })).cached).toBe(false);
    const history = [
      { role: 'user', content: 'I use the mobile app.' },
      { role: 'assistant', content: 'Noted.' },
    ];
    expect((await ask(extractive, { question, topK: 3, history })).cached).toBe(false);
    expect((await ask(extractive, { question, topK: 3, filters: { sources: ['reset-password.md'] } })).cached).toBe(false);
    expect((await ask(extractive, { question, topK: 3 })).cached).toBe(true);
  }, 300_000);

  it('replays a cached answer as a stream: sources, the text, its citations, then done', async () => {
    const first = await ask(extractive, { question, topK: 5 });
    const events = await readEvents(await postJson(extractive, '/answer', { question, topK: 5, stream: true }));
    const names = events.map((event) => event.event);
    expect(names[0]).toBe('sources');
    expect(names.at(-1)).toBe('done');
    const text = events.filter((event) => event.event === 'delta').map((event) => (event.data as { text: string }).text).join('');
    expect(text).toBe(first.answer);
    const done = events.at(-1)!.data as AnswerBody;
    expect(done).toMatchObject({ cached: true, answer: first.answer });
    expect(done.answerId).not.toBe(first.answerId);
  }, 300_000);

  it('never serves an answer across a change to the KB: a new document bumps the version', async () => {
    const before = await ask(extractive, { question, topK: 1 });
    expect((await ask(extractive, { question, topK: 1 })).cached).toBe(true);
    const folder = await mkdtemp(path.join(tmpdir(), 'oriole-cache-'));
    try {
      await writeFile(path.join(folder, 'rotation.md'), '# Password rotation\n\nPasswords can be rotated from the security page every ninety days.\n');
      await ingestFolder(database, folder);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
    const after = await ask(extractive, { question, topK: 1 });
    expect(after.kbVersion).toBeGreaterThan(before.kbVersion);
    expect(after.cached).toBe(false);
  }, 300_000);

  it('never serves one KB the answer of another', async () => {
    await ingestFolder(database, 'examples/help-center/account', 'second');
    await ask(extractive, { question, topK: 4 });
    const inDefault = await ask(extractive, { question, topK: 4 });
    expect(inDefault.cached).toBe(true);
    const inSecond = await ask(extractive, { question, topK: 4, kb: 'second' });
    expect(inSecond.cached).toBe(false);
  }, 300_000);

  it('does not remember an answer made while the LLM was down; does remember the LLM answer, without calling it again', async () => {
    fake.setBehaviour({ failWith: { status: 503, times: 100 } });
    const fallback = await ask(generative, { question, topK: 4 });
    expect(fallback).toMatchObject({ cached: false });
    fake.setBehaviour({});
    const generated = await ask(generative, { question, topK: 4 });
    expect(generated.cached).toBe(false);
    const calls = fake.requests.length;
    const repeated = await ask(generative, { question, topK: 4 });
    expect(repeated).toMatchObject({ cached: true, answer: generated.answer });
    expect(fake.requests.length).toBe(calls);
  }, 300_000);
});
