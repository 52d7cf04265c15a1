import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type IngestContext } from '../../ingest/pipeline/index.ts';
import { createChatModel } from '../../src/answer/generation/chat-model.ts';
import { type Database } from '../../src/db/index.ts';
import { createTestApp, expectError, postJson, type TestApp } from '../helpers/app.ts';
import { openMigrated, testBackends } from '../helpers/databases.ts';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../helpers/fake-openai-server.ts';
import { ingestFolder } from '../helpers/ingestion.ts';
import { readEvents } from '../helpers/server-sent-events.ts';

interface AnswerBody {
  answerId: string;
  answer: string;
  grounded: boolean;
  abstained: boolean;
  reason?: string;
  citations: Array<{ index: number; source: string; title: string | null; snippet: string; supported: boolean; chunkId: string }>;
  mode: 'generative' | 'extractive';
  model: string;
  kbVersion: number;
  retrieval: { query: string; mode: string };
  timings: { retrievalMs: number; generationMs: number; totalMs: number };
}

const hanCharacter = /\p{Script=Han}/u;
const markersOf = (text: string) => [...text.matchAll(/\[(\d+)\]/g)].map((match) => Number(match[1]));

/** The sample help center in KB 'default', lexical-only, as `npm run demo` serves it. */
function ingestHelpCenter(database: Database): Promise<IngestContext> {
  return ingestFolder(database, 'examples/help-center');
}

describe.each(testBackends())('POST /answer over the sample help center on $name', (backend) => {
  let database: Database;
  let fake: FakeOpenAiServer;
  let extractive: TestApp;
  let generative: TestApp;
  let impatient: TestApp;

  beforeAll(async () => {
    database = await openMigrated(backend);
    const context = await ingestHelpCenter(database);
    fake = await startFakeOpenAiServer();
    const model = (timeoutMs?: number) => createChatModel('openai:fake-model', { baseUrl: fake.url, ...(timeoutMs ? { timeoutMs } : {}) });
    extractive = createTestApp(database, { context, worker: false }).app;
    generative = createTestApp(database, { context, worker: false, chatModel: { model: model(), name: 'openai:fake-model' } }).app;
    impatient = createTestApp(database, {
      context,
      worker: false,
      chatModel: { model: model(), name: 'openai:fake-model' },
      answerSettings: { firstTokenTimeoutMs: 300, generationTimeoutMs: 1_000 },
    }).app;
  }, 120_000);
  afterAll(async () => {
    await fake?.close();
    await backend.cleanup();
  });
  beforeEach(() => fake.setBehaviour({}));

  const ask = async (app: TestApp, body: Record<string, unknown>): Promise<AnswerBody> => {
    const response = await postJson(app, '/answer', body);
    expect(response.status).toBe(200);
    return (await response.json()) as AnswerBody;
  };

  it('answers "How do I reset my password?" with the steps, cited to the article, without an LLM', async () => {
    const body = await ask(extractive, { question: 'How do I reset my password?' });
    expect(body).toMatchObject({ abstained: false, mode: 'extractive', model: 'extractive', grounded: true });
    expect(body.citations[0]!.source).toBe('account/reset-password.md');
    expect(body.answer).toMatch(/forgot password/i);
    expect(new Set(markersOf(body.answer))).toEqual(new Set(body.citations.map((citation) => citation.index)));
    expect(body.citations.every((citation) => citation.snippet.length > 0)).toBe(true);
    const logged = await database.query<{ question: string; abstained: boolean }>('SELECT question, abstained FROM answers WHERE id = $1', [body.answerId]);
    expect(logged.rows).toEqual([{ question: 'How do I reset my password?', abstained: false }]);
  });

  it('answers a Chinese question in Chinese, from the Chinese article', async () => {
    const body = await ask(extractive, { question: '如何重置密码？' });
    expect(body.abstained).toBe(false);
    expect(body.answer).toMatch(hanCharacter);
    expect(body.citations[0]!.source).toBe('zh/reset-password.md');
  });

  it.each([
    ['Can I pay with Bitcoin?', 'en'],
    ['Does Parley support Bluetooth pairing with smart watches?', 'en'],
    ['你们支持比特币付款吗？', 'zh'],
  ])('abstains on "%s", which the help center does not answer, in the question\'s language', async (question, language) => {
    for (const app of [extractive, generative]) {
      const body = await ask(app, { question });
      expect(body.abstained).toBe(true);
      expect(body.grounded).toBe(false);
      expect(body.reason).toBeTruthy();
      expect(body.citations).toEqual([]);
      expect(hanCharacter.test(body.answer)).toBe(language === 'zh');
    }
  });

  it('never shows a marker to a passage that was not retrieved', async () => {
    fake.setBehaviour({ extraText: ' [9][42]' });
    const body = await ask(generative, { question: 'How do I reset my password?', topK: 3 });
    expect(body.mode).toBe('generative');
    expect(body.answer).not.toMatch(/\[(9|42)\]/);
    expect(body.citations.length).toBeGreaterThan(0);
    for (const marker of markersOf(body.answer)) expect(marker).toBeLessThanOrEqual(body.citations.length);

    const streamed = await readEvents(await postJson(generative, '/answer', { question: 'How do I reset my password?', topK: 3, stream: true }));
    const shown = streamed.filter((event) => event.event === 'delta').map((event) => (event.data as { text: string }).text).join('');
    expect(shown).not.toMatch(/\[(9|42)\]/);
  });

  it('falls back to the extractive answer when the LLM does not answer in time', async () => {
    fake.setBehaviour({ delayMs: 2_000 });
    const body = await ask(impatient, { question: 'How do I reset my password?' });
    expect(body).toMatchObject({ mode: 'extractive', abstained: false });
    expect(body.citations[0]!.source).toBe('account/reset-password.md');
  });

  it('streams sources first, then deltas, then the full response in done', async () => {
    for (const app of [extractive, generative]) {
      const response = await postJson(app, '/answer', { question: 'How do I reset my password?' }, { Accept: 'text/event-stream' });
      expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
      const events = await readEvents(response);
      const names = events.map((event) => event.event);
      expect(names[0]).toBe('sources');
      expect(names.at(-1)).toBe('done');
      expect(names.indexOf('delta')).toBeGreaterThan(0);
      expect(names.filter((name) => !['sources', 'delta', 'citation', 'done'].includes(name))).toEqual([]);
      const done = events.at(-1)!.data as AnswerBody;
      const sources = (events[0]!.data as { sources: Array<{ source: string }> }).sources;
      expect(sources.length).toBeGreaterThan(0);
      expect(done.citations.length).toBeGreaterThan(0);
      expect(sources.map((source) => source.source)).toContain(done.citations[0]!.source);
    }
  });

  it('rewrites a follow-up into a standalone question before retrieval', async () => {
    const history = [
      { role: 'user', content: 'How do I get a refund for a monthly plan?' },
      { role: 'assistant', content: 'Monthly plans can be refunded within 14 days of the charge [1].' },
    ];
    const body = await ask(extractive, { question: 'And for annual plans?', history });
    expect(body.retrieval.query.toLowerCase()).toMatch(/refund/);
    expect(body.retrieval.query.toLowerCase()).toMatch(/annual/);
    expect(body.abstained).toBe(false);
    expect(body.citations.map((citation) => citation.source)).toContain('billing/refund-policy.md');
  });

  it('asks the LLM to rewrite a follow-up when there is one', async () => {
    const history = [
      { role: 'user', content: 'How do I get a refund for a monthly plan?' },
      { role: 'assistant', content: 'Monthly plans can be refunded within 14 days of the charge [1].' },
    ];
    const before = fake.requests.length;
    const body = await ask(generative, { question: 'And for annual plans?', history });
    const rewriteRequest = fake.requests
      .slice(before)
      .find((request) => JSON.stringify(request.body?.messages ?? []).includes('Standalone question:'));
    expect(rewriteRequest).toBeDefined();
    expect(body.retrieval.query).toBe('How do I get a refund for a monthly plan? And for annual plans?');
    expect(body.citations.map((citation) => citation.source)).toContain('billing/refund-policy.md');
  });

  it('restricts answers to the filtered sources', async () => {
    const body = await ask(extractive, { question: 'How do I reset my password?', filters: { sources: ['zh/reset-password.md'] } });
    expect(body.citations.every((citation) => citation.source === 'zh/reset-password.md')).toBe(true);
  });

  it('refuses bad requests with stable codes', async () => {
    await expectError(await postJson(extractive, '/answer', { question: '' }), 400, 'invalid_request');
    await expectError(await postJson(extractive, '/answer', { question: 'hi', topK: 99 }), 400, 'invalid_request');
    await expectError(await postJson(extractive, '/answer', { question: 'hi', unknown: true }), 400, 'invalid_request');
    await expectError(await postJson(extractive, '/answer', '{"question":'), 400, 'invalid_request');
    await expectError(await postJson(extractive, '/answer', { question: 'hi', kb: 'nope' }), 404, 'not_found');
    await expectError(await postJson(extractive, '/answer', { question: 'hi', kb: 'nope', stream: true }), 404, 'not_found');
    // PostgreSQL text cannot hold NUL, and questions are logged: refused up front, not a 500.
    await expectError(await postJson(extractive, '/answer', { question: 'reset password\u0000' }), 400, 'invalid_request');
    await expectError(await postJson(extractive, '/search', { query: '\u0000' }), 400, 'invalid_request');
    const chatWithNul = { model: 'default', messages: [{ role: 'user', content: 'hi\u0000' }] };
    await expectError(await postJson(extractive, '/v1/chat/completions', chatWithNul), 400, 'invalid_request');
    const huge = { question: 'hi', history: [{ role: 'user', content: 'x'.repeat(2_000_000) }] };
    await expectError(await postJson(extractive, '/answer', huge), 413, 'payload_too_large');
    expect((await postJson(extractive, '/answer', { question: 'How do I reset my password?' })).status).toBe(200);
  });
});

describe.each(testBackends())('POST /search on $name', (backend) => {
  let database: Database;
  let app: TestApp;
  beforeAll(async () => {
    database = await openMigrated(backend);
    const context = await ingestHelpCenter(database);
    app = createTestApp(database, { context, worker: false }).app;
  }, 120_000);
  afterAll(() => backend.cleanup());

  it('returns the top passages with their documents, best first', async () => {
    const response = await postJson(app, '/search', { query: 'refund annual plan', topK: 4 });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { results: Array<{ source: string; score: number; text: string }>; retrieval: { mode: string } };
    expect(body.results).toHaveLength(4);
    expect(body.results[0]!.source).toBe('billing/refund-policy.md');
    expect(body.retrieval.mode).toBe('lexical');
    const scores = body.results.map((result) => result.score);
    expect([...scores].sort((left, right) => right - left)).toEqual(scores);
  });

  it('returns k rows from the filtered documents only', async () => {
    const sources = ['billing/invoices.md', 'billing/payment-methods.md', 'billing/plans-and-pricing.md'];
    const response = await postJson(app, '/search', { query: 'plan invoice card', topK: 3, filters: { sources } });
    const body = (await response.json()) as { results: Array<{ source: string }> };
    expect(body.results).toHaveLength(3);
    for (const result of body.results) expect(sources).toContain(result.source);
  });
});

describe.each(testBackends())('the OpenAI-compatible API with the official openai client on $name', (backend) => {
  let database: Database;
  let fake: FakeOpenAiServer;
  let server: ServerType;
  let client: OpenAI;

  beforeAll(async () => {
    database = await openMigrated(backend);
    const context = await ingestHelpCenter(database);
    fake = await startFakeOpenAiServer();
    const { app } = createTestApp(database, {
      context,
      worker: false,
      chatModel: { model: createChatModel('openai:fake-model', { baseUrl: fake.url }), name: 'openai:fake-model' },
    });
    server = await new Promise<ServerType>((resolve) => {
      const started: ServerType = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
    });
    client = new OpenAI({ baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, apiKey: 'unused', maxRetries: 0 });
  }, 120_000);
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await fake?.close();
    await backend.cleanup();
  });

  it('lists knowledge bases as models', async () => {
    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toContain('default');
  });

  it('answers a chat completion with a cited answer and numbered sources', async () => {
    const completion = await client.chat.completions.create({
      model: 'default',
      messages: [
        { role: 'system', content: 'You are a helpful assistant.' },
        { role: 'user', content: 'How do I reset my password?' },
      ],
    });
    const content = completion.choices[0]!.message.content!;
    expect(completion.object).toBe('chat.completion');
    expect(content).toMatch(/\[1\]/);
    expect(content).toMatch(/Sources:\n\[1\] /);
    const citations = (completion as unknown as { citations: Array<{ source: string }> }).citations;
    expect(citations.map((citation) => citation.source)).toContain('account/reset-password.md');
  });

  it('streams a chat completion as OpenAI chunks', async () => {
    const stream = await client.chat.completions.create({
      model: 'default',
      stream: true,
      messages: [{ role: 'user', content: 'How do I reset my password?' }],
    });
    let content = '';
    let finish: string | null = null;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks += 1;
      content += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(chunks).toBeGreaterThan(2);
    expect(finish).toBe('stop');
    expect(content).toMatch(/Sources:/);
  });

  it('reports an unknown knowledge base as an API error the client understands', async () => {
    await expect(client.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({
      status: 404,
    });
  });

  it('stops generating when the client disconnects', async () => {
    fake.setBehaviour({ chunkDelayMs: 200 });
    const before = fake.requests.length;
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: 'default', stream: true, messages: [{ role: 'user', content: 'How do I reset my password?' }] },
      { signal: controller.signal },
    );
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    controller.abort();
    await iterator.return?.();
    await expect.poll(() => fake.requests.slice(before).some((request) => request.clientAborted), { timeout: 5_000 }).toBe(true);
  });
});
