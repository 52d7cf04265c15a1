import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { collectInputs, ingestInputs, planInputs } from '../../ingest/pipeline/index.ts';
import { createChatModel } from '../../src/answer/generation/chat-model.ts';
import { ensureKnowledgeBase, type Database } from '../../src/db/index.ts';
import { createTestApp, postJson, type TestApp } from '../helpers/app.ts';
import { openMigrated, testBackends } from '../helpers/databases.ts';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../helpers/fake-openai-server.ts';
import { testCollectDependencies, testIngestContext } from '../helpers/ingestion.ts';

/**
 * An LLM that fails with 5xx or drops the connection: /answer serves the extractive
 * answer (quoted, cited) instead of an error, streamed or not. Timeouts are covered in
 * answer.test.ts.
 */
interface AnswerBody {
  answer: string;
  abstained: boolean;
  mode: 'generative' | 'extractive';
  model: string;
  citations: Array<{ source: string }>;
}

describe.each(testBackends())('/answer when the LLM fails, on $name', (backend) => {
  let database: Database;
  let fake: FakeOpenAiServer;
  let app: TestApp;

  beforeAll(async () => {
    database = await openMigrated(backend);
    const context = testIngestContext(database, null);
    const kb = await ensureKnowledgeBase(database, { name: 'default', embedder: 'none' });
    // Sources are relative to the folder: 'reset-password.md'.
    const plan = await planInputs([path.resolve('examples/help-center/account')]);
    await ingestInputs(context, kb, collectInputs(plan, testCollectDependencies(), {}), { prune: false });
    fake = await startFakeOpenAiServer();
    const model = createChatModel('openai:fake-model', { baseUrl: fake.url });
    app = createTestApp(database, { context, worker: false, chatModel: { model, name: 'openai:fake-model' } }).app;
  }, 120_000);
  afterAll(async () => {
    await fake?.close();
    await backend.cleanup();
  });
  beforeEach(() => {
    fake.setBehaviour({});
    fake.requests.length = 0;
  });

  const question = { question: 'How do I reset my password?' };

  it.each([500, 502, 503])('answers extractively when every attempt gets HTTP %i', async (status) => {
    fake.setBehaviour({ failWith: { status } });
    const response = await postJson(app, '/answer', question);
    expect(response.status).toBe(200);
    const body = (await response.json()) as AnswerBody;
    expect(body).toMatchObject({ mode: 'extractive', abstained: false });
    expect(body.citations[0]!.source).toBe('reset-password.md');
    expect(body.answer).toMatch(/\[1\]/);
    // Retried (5xx is retryable) before giving up.
    expect(fake.requests.length).toBeGreaterThan(1);
  });

  it('answers extractively when the LLM server drops every connection', async () => {
    fake.setBehaviour({ failWith: { status: 'connection-reset' } });
    const body = (await (await postJson(app, '/answer', question)).json()) as AnswerBody;
    expect(body).toMatchObject({ mode: 'extractive', abstained: false });
  });

  it('stays generative when a 5xx is followed by a good reply', async () => {
    fake.setBehaviour({ failWith: { status: 503, times: 1 } });
    const body = (await (await postJson(app, '/answer', question)).json()) as AnswerBody;
    expect(body.mode).toBe('generative');
    expect(fake.requests).toHaveLength(2);
  });

  it('streams the extractive answer, ending in done and without an error event, when the LLM answers 500', async () => {
    fake.setBehaviour({ failWith: { status: 500 } });
    const response = await postJson(app, '/answer', { ...question, stream: true });
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    const events = (await response.text())
      .split(/\n\n/)
      .filter((block) => block.trim())
      .map((block) => /^event:\s*(\S+)/m.exec(block)?.[1] ?? 'message');
    expect(events).not.toContain('error');
    expect(events).toContain('delta');
    expect(events.at(-1)).toBe('done');
  });
});
