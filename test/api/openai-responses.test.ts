import { createOpenAI } from '@ai-sdk/openai';
import { ChatOpenAI } from '@langchain/openai';
import { generateText, streamText } from 'ai';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createChatModel } from '../../src/answer/generation/chat-model.ts';
import { type Database } from '../../src/db/index.ts';
import { createTestApp, postJson, waitForJob } from '../helpers/app.ts';
import { openMigrated, testBackends } from '../helpers/databases.ts';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../helpers/fake-openai-server.ts';
import { ingestFolder } from '../helpers/ingestion.ts';
import { listenOnLoopback } from '../helpers/network.ts';

/** Oriole's fields beside OpenAI's, on a response object or a chat completion. */
interface OrioleExtras {
  answerId?: string;
  abstained: boolean;
  reason?: string;
  citations: Array<{ index: number; source: string; url: string | null }>;
  usage: Record<string, unknown> & { note?: string };
}

const extrasOf = (value: unknown) => value as OrioleExtras;
const question = 'How do I reset my password?';
const groundingRule = 'Use only facts stated in the passages';
const linkedUrl = 'https://help.example.com/annual-refunds';
const linkedQuestion = 'Are annual plans refunded pro rata?';

/** The user and assistant texts of a request the fake LLM received (the grounded prompt's history and question). */
function conversationOf(body: { messages?: Array<{ role: string; content: unknown }> } | null): string[] {
  return (body?.messages ?? []).filter((message) => message.role !== 'system').map((message) => String(message.content));
}

describe.each(testBackends())('POST /v1/responses with real OpenAI clients on $name', (backend) => {
  let database: Database;
  let fake: FakeOpenAiServer;
  let generative: Awaited<ReturnType<typeof listenOnLoopback>>;
  let extractive: Awaited<ReturnType<typeof listenOnLoopback>>;
  let client: OpenAI;
  let extractiveClient: OpenAI;

  beforeAll(async () => {
    database = await openMigrated(backend);
    const context = await ingestFolder(database, 'examples/help-center');
    fake = await startFakeOpenAiServer();
    const chatModel = { model: createChatModel('openai:fake-model', { baseUrl: fake.url }), name: 'openai:fake-model' };
    const generativeApp = createTestApp(database, { context, chatModel }).app;
    generative = await listenOnLoopback(generativeApp);
    extractive = await listenOnLoopback(createTestApp(database, { context, worker: false }).app);
    client = new OpenAI({ baseURL: `${generative.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    extractiveClient = new OpenAI({ baseURL: `${extractive.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    // An empty second KB, for a response id asked about in the wrong KB.
    expect((await postJson(generativeApp, '/kbs', { name: 'other' })).status).toBe(201);
    // A KB whose document has a web URL, for url_citation annotations.
    expect((await postJson(generativeApp, '/kbs', { name: 'linked' })).status).toBe(201);
    const queued = await postJson(generativeApp, '/documents', {
      kb: 'linked',
      source: 'billing/annual-refunds.md',
      title: 'Annual plan refunds',
      url: linkedUrl,
      content: '# Annual plan refunds\n\nAnnual plans are refunded pro rata within 30 days of renewal. Contact billing to request the refund.',
    });
    expect(queued.status).toBe(202);
    expect(await waitForJob(generativeApp, ((await queued.json()) as { jobId: string }).jobId)).toMatchObject({ status: 'succeeded' });
  }, 120_000);
  afterAll(async () => {
    await generative?.close();
    await extractive?.close();
    await fake?.close();
    await backend.cleanup();
  });
  beforeEach(() => fake.setBehaviour({}));

  describe('the official openai client (responses.create)', () => {
    it('answers a string input with a cited answer, Oriole’s extra fields and the tokens the LLM reported', async () => {
      const before = fake.requests.length;
      const response = await client.responses.create({ model: 'default', input: question });
      expect(response.object).toBe('response');
      expect(response.status).toBe('completed');
      expect(response.id).toMatch(/^resp_[0-9a-f]{32}$/);
      expect(response.output_text).toMatch(/\[1\]/);
      expect(response.output_text).toMatch(/\n\nSources:\n\[1\] /);
      const message = response.output[0];
      expect(message).toMatchObject({ type: 'message', role: 'assistant', status: 'completed' });
      const extras = extrasOf(response);
      expect(extras.abstained).toBe(false);
      expect(extras.reason).toBeUndefined();
      expect(extras.citations.map((citation) => citation.source)).toContain('account/reset-password.md');
      expect(extras.answerId!.replaceAll('-', '')).toBe(response.id.slice('resp_'.length));
      // Real counts: what the fake LLM reported for the one generation call this answer made.
      expect(fake.requests.length - before).toBe(1);
      expect(response.usage!.input_tokens).toBeGreaterThan(100);
      expect(response.usage!.output_tokens).toBeGreaterThan(3);
      expect(response.usage!.total_tokens).toBe(response.usage!.input_tokens + response.usage!.output_tokens);
      expect(extras.usage.note).toBeUndefined();
    });

    it('reports 0 tokens with a note when the answer was extractive', async () => {
      const response = await extractiveClient.responses.create({ model: 'default', input: question });
      expect(response.output_text).toMatch(/forgot password/i);
      expect(response.usage).toMatchObject({ input_tokens: 0, output_tokens: 0, total_tokens: 0 });
      expect(extrasOf(response).usage.note).toMatch(/no language model was called/i);
    });

    it('says it abstained, and why, when the knowledge base does not answer', async () => {
      const response = await client.responses.create({ model: 'default', input: 'What is the boiling point of mercury on Venus?' });
      expect(extrasOf(response)).toMatchObject({ abstained: true, citations: [] });
      expect(extrasOf(response).reason).toMatch(/\w+/);
    });

    it('takes messages with input_text parts, and instructions as a persona appended to the rules', async () => {
      const before = fake.requests.length;
      const response = await client.responses.create({
        model: 'default',
        instructions: 'Answer like a cheerful pirate.',
        input: [
          { role: 'developer', content: 'Keep it under three sentences.' },
          { role: 'user', content: [{ type: 'input_text', text: question }] },
        ],
      });
      expect(response.instructions).toBe('Answer like a cheerful pirate.');
      expect(response.output_text).toMatch(/\[1\]/);
      const system = String(fake.requests.slice(before).at(-1)!.body!.messages![0]!.content);
      expect(system).toContain(groundingRule);
      expect(system).toContain('Answer like a cheerful pirate.');
      expect(system).toContain('Keep it under three sentences.');
      expect(system.indexOf(groundingRule)).toBeLessThan(system.indexOf('cheerful pirate'));
    });

    it('streams the typed events in the reference’s order with consecutive sequence numbers', async () => {
      const stream = await client.responses.create({ model: 'default', input: question, stream: true });
      const events: Array<{ type: string; sequence_number: number } & Record<string, unknown>> = [];
      for await (const event of stream) events.push(event as never);
      const types = events.map((event) => event.type);
      expect(types.slice(0, 4)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added']);
      expect(types.slice(-4)).toEqual(['response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed']);
      // The answer streams sentence by sentence (each is checked against the passages before it is sent), then its sources.
      const deltas = types.slice(4, -4);
      expect(deltas.length).toBeGreaterThanOrEqual(2);
      expect(new Set(deltas)).toEqual(new Set(['response.output_text.delta']));
      expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
      const streamedText = events.filter((event) => event.type === 'response.output_text.delta').map((event) => event.delta).join('');
      const done = events.find((event) => event.type === 'response.output_text.done')!;
      // The .done events carry the checked answer (markers placed as /answer has them); the words are the streamed ones.
      const withoutMarkers = (text: unknown) => String(text).replace(/\s*\[\d+\]/g, '');
      expect(withoutMarkers(done.text)).toBe(withoutMarkers(streamedText));
      const created = events[0]!.response as { id: string; status: string };
      const completed = events.at(-1)!.response as OpenAI.Responses.Response & OrioleExtras;
      expect(created.status).toBe('in_progress');
      expect(completed.id).toBe(created.id);
      expect(completed.output_text).toBe(done.text);
      expect(completed.citations.map((citation) => citation.source)).toContain('account/reset-password.md');
      expect(completed.usage!.input_tokens).toBeGreaterThan(100);
    });

    it('continues an earlier exchange from previous_response_id', async () => {
      const first = await client.responses.create({ model: 'default', input: question });
      const before = fake.requests.length;
      const second = await client.responses.create({
        model: 'default',
        previous_response_id: first.id,
        input: 'What if the reset email never arrives?',
      });
      expect(second.previous_response_id).toBe(first.id);
      // The grounded prompt's history holds the earlier question and answer.
      const generation = fake.requests.slice(before).at(-1)!;
      expect(conversationOf(generation.body)[0]).toBe(question);
      const secondAnswerId = extrasOf(second).answerId!;
      const logged = await database.query<{ history: Array<{ role: string; content: string }> }>('SELECT history FROM answers WHERE id = $1', [
        secondAnswerId,
      ]);
      expect(logged.rows[0]!.history.map((turn) => turn.role)).toEqual(['user', 'assistant']);
      expect(logged.rows[0]!.history[0]!.content).toBe(question);

      // A third turn carries the whole chain: the first exchange came with the second.
      const third = await client.responses.create({ model: 'default', previous_response_id: second.id, input: 'And how long is the link valid?' });
      const thirdLogged = await database.query<{ history: Array<{ role: string; content: string }> }>('SELECT history FROM answers WHERE id = $1', [
        extrasOf(third).answerId!,
      ]);
      expect(thirdLogged.rows[0]!.history.map((turn) => turn.content)).toEqual([
        question,
        first.output_text.split('\n\nSources:')[0],
        'What if the reset email never arrives?',
        second.output_text.split('\n\nSources:')[0],
      ]);
    });

    it('marks each cited web page with a url_citation annotation over its marker', async () => {
      const response = await client.responses.create({ model: 'linked', input: linkedQuestion });
      const part = (response.output[0] as OpenAI.Responses.ResponseOutputMessage).content[0] as OpenAI.Responses.ResponseOutputText;
      expect(part.annotations).toHaveLength(1);
      const annotation = part.annotations[0] as OpenAI.Responses.ResponseOutputText.URLCitation;
      expect(annotation).toMatchObject({ type: 'url_citation', url: expect.stringContaining(linkedUrl), title: 'Annual plan refunds' });
      expect(part.text.slice(annotation.start_index, annotation.end_index)).toBe('[1]');
    });

    it('answers an unknown previous_response_id, or one from another knowledge base, with 404', async () => {
      await expect(
        client.responses.create({ model: 'default', previous_response_id: 'resp_00000000000000000000000000000000', input: question }),
      ).rejects.toMatchObject({ status: 404, code: 'not_found' });
      await expect(client.responses.create({ model: 'default', previous_response_id: 'resp_nonsense', input: question })).rejects.toMatchObject({
        status: 404,
      });
      const inDefault = await client.responses.create({ model: 'default', input: question });
      await expect(client.responses.create({ model: 'other', previous_response_id: inDefault.id, input: question })).rejects.toMatchObject({
        status: 404,
      });
    });

    it('refuses input that does not end with a user message, and an unknown knowledge base, as API errors', async () => {
      await expect(
        client.responses.create({ model: 'default', input: [{ role: 'user', content: question }, { role: 'assistant', content: 'Sure.' }] }),
      ).rejects.toMatchObject({ status: 400, code: 'invalid_request' });
      await expect(client.responses.create({ model: 'nope', input: question })).rejects.toMatchObject({ status: 404 });
      await expect(client.responses.create({ model: 'default', input: question, instructions: 'x'.repeat(1_001) })).rejects.toMatchObject({
        status: 400,
      });
    });
  });

  describe('the Vercel AI SDK’s default openai(model) provider', () => {
    const provider = () => createOpenAI({ baseURL: `${generative.url}/v1`, apiKey: 'unused' });

    it('generateText calls /v1/responses and gets the cited answer and the token usage', async () => {
      const result = await generateText({ model: provider()('default'), prompt: question, maxRetries: 0 });
      expect(result.response.id).toMatch(/^resp_/);
      expect(result.text).toMatch(/\[1\]/);
      expect(result.text).toMatch(/Sources:/);
      expect(result.usage.inputTokens).toBeGreaterThan(100);
      expect(result.usage.outputTokens).toBeGreaterThan(3);
    });

    it('gets the cited web pages as sources (url_citation annotations)', async () => {
      const result = await generateText({ model: provider()('linked'), prompt: linkedQuestion, maxRetries: 0 });
      expect(result.sources).toEqual([expect.objectContaining({ sourceType: 'url', url: expect.stringContaining(linkedUrl), title: 'Annual plan refunds' })]);
    });

    it('generateText sends a conversation with a system message as its history and persona', async () => {
      const before = fake.requests.length;
      const result = await generateText({
        model: provider()('default'),
        system: 'Speak plainly.',
        messages: [
          { role: 'user', content: question },
          { role: 'assistant', content: 'Use Forgot password on the sign-in page.' },
          { role: 'user', content: 'What if the reset email never arrives?' },
        ],
        maxRetries: 0,
      });
      expect(result.text.length).toBeGreaterThan(0);
      const generation = fake.requests.slice(before).at(-1)!;
      expect(String(generation.body!.messages![0]!.content)).toContain('Speak plainly.');
      expect(conversationOf(generation.body).slice(0, 2)).toEqual([question, 'Use Forgot password on the sign-in page.']);
    });

    it('streamText streams the answer and reports the usage', async () => {
      const result = streamText({ model: provider()('default'), prompt: question, maxRetries: 0 });
      let text = '';
      let parts = 0;
      for await (const delta of result.textStream) {
        text += delta;
        parts += 1;
      }
      expect(parts).toBeGreaterThanOrEqual(2);
      expect(text).toMatch(/\[1\]/);
      expect(text).toMatch(/Sources:/);
      expect((await result.response).id).toMatch(/^resp_/);
      expect((await result.usage).inputTokens).toBeGreaterThan(100);
    });
  });

  describe('LangChain’s ChatOpenAI with useResponsesApi', () => {
    const model = () =>
      new ChatOpenAI({ model: 'default', useResponsesApi: true, apiKey: 'unused', configuration: { baseURL: `${generative.url}/v1` }, maxRetries: 0 });

    it('invoke gets the cited answer and the usage metadata', async () => {
      const message = await model().invoke(question);
      expect(message.text).toMatch(/\[1\]/);
      expect(message.text).toMatch(/Sources:/);
      expect(message.usage_metadata?.input_tokens).toBeGreaterThan(100);
      expect(message.response_metadata.id ?? message.id).toMatch(/^resp_/);
    });

    it('stream streams the answer', async () => {
      let text = '';
      let chunks = 0;
      for await (const chunk of await model().stream(question)) {
        text += chunk.text;
        chunks += 1;
      }
      expect(chunks).toBeGreaterThan(2);
      expect(text).toMatch(/\[1\]/);
      expect(text).toMatch(/Sources:/);
    });
  });

  describe('/v1/chat/completions returns the same extra fields', () => {
    it('with real token counts from the LLM', async () => {
      const completion = await client.chat.completions.create({ model: 'default', messages: [{ role: 'user', content: question }] });
      const extras = extrasOf(completion);
      expect(extras.abstained).toBe(false);
      expect(extras.citations.map((citation) => citation.source)).toContain('account/reset-password.md');
      expect(completion.usage!.prompt_tokens).toBeGreaterThan(100);
      expect(completion.usage!.completion_tokens).toBeGreaterThan(3);
      expect(completion.usage!.total_tokens).toBe(completion.usage!.prompt_tokens + completion.usage!.completion_tokens);
    });

    it('0 tokens with a note for an extractive answer, and an abstention with its reason', async () => {
      const completion = await extractiveClient.chat.completions.create({ model: 'default', messages: [{ role: 'user', content: question }] });
      expect(completion.usage).toMatchObject({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
      expect(extrasOf(completion).usage.note).toMatch(/no language model was called/i);
      const abstained = await extractiveClient.chat.completions.create({
        model: 'default',
        messages: [{ role: 'user', content: 'What is the boiling point of mercury on Venus?' }],
      });
      expect(extrasOf(abstained)).toMatchObject({ abstained: true, citations: [] });
      expect(extrasOf(abstained).reason).toMatch(/\w+/);
    });

    it('streamed with include_usage: the extras on the last choice chunk, then a usage chunk with no choices', async () => {
      const stream = await client.chat.completions.create({
        model: 'default',
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: question }],
      });
      const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
      for await (const chunk of stream) chunks.push(chunk);
      const last = chunks.at(-1)!;
      expect(last.choices).toEqual([]);
      expect(last.usage!.prompt_tokens).toBeGreaterThan(100);
      expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
      const finish = chunks.at(-2)!;
      expect(finish.choices[0]!.finish_reason).toBe('stop');
      expect(extrasOf(finish)).toMatchObject({ abstained: false });
      expect(extrasOf(finish).citations.length).toBeGreaterThan(0);
    });
  });
});
