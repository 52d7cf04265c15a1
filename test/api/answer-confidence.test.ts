import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IngestContext } from '../../ingest/pipeline/index.ts';
import { createChatModel } from '../../src/answer/generation/chat-model.ts';
import { createKnowledgeBase, type Database } from '../../src/db/index.ts';
import { createTestApp, postJson, type TestApp } from '../helpers/app.ts';
import { openMigrated, testBackends } from '../helpers/databases.ts';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../helpers/fake-openai-server.ts';
import { ingestFolder } from '../helpers/ingestion.ts';
import { readEvents } from '../helpers/server-sent-events.ts';

interface AnswerBody {
  answerId: string;
  answer: string;
  abstained: boolean;
  reason?: string;
  confidence: number;
  citations: unknown[];
}

/**
 * `confidence` on every answer (/answer JSON and SSE, /v1/chat/completions, the answers
 * log) and the KB's `minConfidence`, over the sample help center, on both backends.
 */
describe.each(testBackends())('answer confidence over the sample help center on $name', (backend) => {
  let database: Database;
  let fake: FakeOpenAiServer;
  let extractive: TestApp;
  let generative: TestApp;
  let strictByDefault: TestApp;

  beforeAll(async () => {
    database = await openMigrated(backend);
    const context: IngestContext = await ingestFolder(database, 'examples/help-center');
    // The same articles in a KB whose settings ask for near-certainty.
    await createKnowledgeBase(database, { name: 'strict', embedder: 'none', settings: { minConfidence: 0.999 } });
    await ingestFolder(database, 'examples/help-center', 'strict');
    fake = await startFakeOpenAiServer();
    extractive = createTestApp(database, { context, worker: false }).app;
    generative = createTestApp(database, {
      context,
      worker: false,
      chatModel: { model: createChatModel('openai:fake-model', { baseUrl: fake.url }), name: 'openai:fake-model' },
    }).app;
    strictByDefault = createTestApp(database, { context, worker: false, answerSettings: { minConfidence: 0.999 } }).app;
  }, 120_000);
  afterAll(async () => {
    await fake?.close();
    await backend.cleanup();
  });

  const ask = async (app: TestApp, body: Record<string, unknown>): Promise<AnswerBody> => {
    const response = await postJson(app, '/answer', body);
    expect(response.status).toBe(200);
    return (await response.json()) as AnswerBody;
  };

  it('gives every answer a confidence in [0,1], higher for an answered question than for one the KB does not cover', async () => {
    const answered = await ask(extractive, { question: 'How do I reset my password?' });
    const offTopic = await ask(extractive, { question: 'Can I pay with Bitcoin?' });
    expect(answered.abstained).toBe(false);
    expect(offTopic.abstained).toBe(true);
    for (const body of [answered, offTopic]) {
      expect(body.confidence).toBeGreaterThanOrEqual(0);
      expect(body.confidence).toBeLessThanOrEqual(1);
    }
    expect(answered.confidence).toBeGreaterThan(offTopic.confidence);
    const logged = await database.query<{ confidence: number }>('SELECT confidence FROM answers WHERE id = $1', [answered.answerId]);
    expect(logged.rows[0]!.confidence).toBeCloseTo(answered.confidence, 5);
  });

  it('gives a Chinese answer and a generated answer a confidence too', async () => {
    const chinese = await ask(extractive, { question: '如何重置密码？' });
    expect(chinese.confidence).toBeGreaterThan(0);
    const generated = await ask(generative, { question: 'How do I reset my password?' });
    expect(generated.abstained).toBe(false);
    expect(generated.confidence).toBeGreaterThan(0);
    expect(generated.confidence).toBeLessThanOrEqual(1);
  });

  it('carries confidence in the SSE done event, equal to the logged one', async () => {
    const events = await readEvents(await postJson(extractive, '/answer', { question: 'How do I reset my password?', stream: true }));
    const done = events.find((event) => event.event === 'done')!.data as AnswerBody;
    expect(done.confidence).toBeGreaterThan(0);
    const logged = await database.query<{ confidence: number }>('SELECT confidence FROM answers WHERE id = $1', [done.answerId]);
    expect(logged.rows[0]!.confidence).toBeCloseTo(done.confidence, 5);
  });

  it('carries confidence on /v1/chat/completions, whole and streamed', async () => {
    const messages = [{ role: 'user', content: 'How do I reset my password?' }];
    const whole = await postJson(extractive, '/v1/chat/completions', { model: 'default', messages });
    expect(whole.status).toBe(200);
    expect(((await whole.json()) as { confidence: number }).confidence).toBeGreaterThan(0);
    const streamed = await readEvents(await postJson(extractive, '/v1/chat/completions', { model: 'default', messages, stream: true }));
    const last = streamed.map((event) => event.data).filter((data): data is { confidence: number } => typeof data === 'object' && data !== null && 'confidence' in data);
    expect(last).toHaveLength(1);
    expect(last[0]!.confidence).toBeGreaterThan(0);
  });

  it("withholds an answer under the KB's minConfidence with reason low_confidence, stating the confidence", async () => {
    const lenient = await ask(extractive, { question: 'How do I reset my password?' });
    expect(lenient.abstained).toBe(false);
    expect(lenient.confidence).toBeLessThan(0.999);
    const strict = await ask(extractive, { question: 'How do I reset my password?', kb: 'strict' });
    expect(strict).toMatchObject({ abstained: true, reason: 'low_confidence', citations: [] });
    expect(strict.confidence).toBeCloseTo(lenient.confidence, 5);
    expect(strict.answer).toMatch(/don't clearly answer|contact support/i);
  });

  it('withholds generated answers under minConfidence too, and takes the service default when the KB names none', async () => {
    const generated = await postJson(generative, '/answer', { question: 'How do I reset my password?', kb: 'strict' });
    expect(await generated.json()).toMatchObject({ abstained: true, reason: 'low_confidence' });
    const byDefault = await ask(strictByDefault, { question: 'How do I reset my password?' });
    expect(byDefault).toMatchObject({ abstained: true, reason: 'low_confidence' });
  });
});
