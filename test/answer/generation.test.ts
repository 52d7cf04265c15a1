import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { systemMessage, userMessage } from '../../src/answer/generation/index.ts';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createChatModel } from '../../src/answer/generation/chat-model.ts';
import { generateText, streamGeneration } from '../../src/answer/generation/index.ts';
import type { GenerationOptions } from '../../src/answer/generation/index.ts';
import { startFakeOpenAiServer } from '../helpers/fake-openai-server.ts';
import type { FakeOpenAiServer } from '../helpers/fake-openai-server.ts';
import { failure } from '../helpers/failures.ts';

const passages = [
  'Answer from the numbered passages only and cite them as [n].',
  '',
  '[1] Refunds are issued to the original payment method within 5 business days. Contact billing for exceptions.',
  '[2] To reset your password, open Settings and choose Security. A reset link is emailed to you.',
  '[3] 退款会在5个工作日内退回原支付方式。如有例外请联系账单团队。',
].join('\n');

const messagesFor = (question: string) => [systemMessage(passages), userMessage(question)];

async function collect(deltas: AsyncIterable<string>): Promise<string[]> {
  const collected: string[] = [];
  for await (const delta of deltas) collected.push(delta);
  return collected;
}


describe('LLM generation against a local OpenAI-compatible server', () => {
  let server: FakeOpenAiServer;
  const apiKey = 'sk-test-secret-key-123456';
  const model = () => createChatModel('openai:fake-model', { apiKey, baseUrl: server.url });
  const fast: GenerationOptions = { timeoutMs: 5_000, retryBaseDelayMs: 10, retryMaxDelayMs: 20 };

  beforeAll(async () => {
    server = await startFakeOpenAiServer();
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => {
    server.requests.length = 0;
    server.setBehaviour({});
  });

  it('streams the deltas in order over Chat Completions, with usage requested', async () => {
    const deltas = await collect(streamGeneration(model(), messagesFor('How long do refunds take?'), fast));
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.join('')).toBe('Refunds are issued to the original payment method within 5 business days. [1]');
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/v1/chat/completions' });
    expect(request!.headers.authorization).toBe(`Bearer ${apiKey}`);
    expect(request!.body).toMatchObject({
      model: 'fake-model',
      stream: true,
      temperature: 0,
      stream_options: { include_usage: true },
      messages: [
        { role: 'system', content: passages },
        { role: 'user', content: 'How long do refunds take?' },
      ],
    });
  });

  it('answers in Chinese, and says it does not know when no passage matches', async () => {
    expect(await generateText(model(), messagesFor('退款需要多久？'), fast)).toBe('退款会在5个工作日内退回原支付方式。 [3]');
    expect(await generateText(model(), messagesFor('What is the weather on Mars?'), fast)).toBe("I don't know.");
    expect(await generateText(model(), messagesFor('火星天气'), fast)).toBe('我不知道。');
  });

  it('reads passages with a header line and the question after a label, as the answer prompt sends them', async () => {
    const prompt = [
      'Passages:',
      '',
      '[1] Billing › Refunds (source: billing/refunds.md)',
      'Refunds are issued within 5 business days. Contact billing for exceptions.',
      '',
      '[2] 账单 › 退款 (source: zh/billing/refunds.md)',
      '退款会在5个工作日内退回。如有例外请联系我们。',
      '',
      'Question: How long do refunds take?',
    ].join('\n');
    const messages = [systemMessage('Cite passages as [n]. Reply "I don\'t know" otherwise.'), userMessage(prompt)];
    expect(await generateText(model(), messages, fast)).toBe('Refunds are issued within 5 business days. [1]');
    const chinese = [messages[0]!, userMessage(prompt.replace('How long do refunds take?', '退款要多久？'))];
    expect(await generateText(model(), chinese, fast)).toBe('退款会在5个工作日内退回。 [2]');
  });

  it('generateText joins the stream; invoke() uses the non-streaming endpoint', async () => {
    server.setBehaviour({ extraText: ' See also [9].' });
    expect(await generateText(model(), messagesFor('How do I reset my password?'), fast)).toBe(
      'To reset your password, open Settings and choose Security. [2] See also [9].',
    );
    const message = await model().invoke(messagesFor('How do I reset my password?'));
    expect(message.content).toBe('To reset your password, open Settings and choose Security. [2] See also [9].');
    expect(server.requests[1]!.body?.stream).toBeFalsy();
    expect(message.usage_metadata?.total_tokens).toBeGreaterThan(0);
  });

  it('times out waiting for the first byte with upstream_unavailable, and cancels the request', async () => {
    server.setBehaviour({ delayMs: 3_000 });
    const started = Date.now();
    const error = await failure(collect(streamGeneration(model(), messagesFor('refunds'), { ...fast, timeoutMs: 200 })));
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(error.code).toBe('upstream_unavailable');
    expect(error.message).toContain('The language model timed out');
    expect(error.details).toMatchObject({ reason: 'timeout', phase: 'total' });
    expect(server.requests).toHaveLength(1);
    await vi.waitFor(() => expect(server.requests[0]!.clientAborted).toBe(true));
  });

  it('times out on the first token separately from the whole answer', async () => {
    server.setBehaviour({ delayMs: 3_000 });
    const options = { ...fast, timeoutMs: 5_000, firstTokenTimeoutMs: 200 };
    const error = await failure(collect(streamGeneration(model(), messagesFor('refunds'), options)));
    expect(error.details).toMatchObject({ reason: 'timeout', phase: 'first_token', partial: false });
    expect(server.requests).toHaveLength(1);
  });

  it('times out a stream that stalls after its first token, without retrying', async () => {
    server.setBehaviour({ stallAfterFirstChunkMs: 3_000 });
    const deltas: string[] = [];
    const error = await failure(
      (async () => {
        for await (const delta of streamGeneration(model(), messagesFor('refunds'), { ...fast, timeoutMs: 300 })) deltas.push(delta);
      })(),
    );
    expect(deltas).toEqual(['Refunds ']);
    expect(error.details).toMatchObject({ reason: 'timeout', phase: 'total', partial: true });
    expect(server.requests).toHaveLength(1);
    await vi.waitFor(() => expect(server.requests[0]!.clientAborted).toBe(true));
  });

  it('retries 500, 500 and then succeeds', async () => {
    server.setBehaviour({ failWith: { status: 500, times: 2 } });
    const text = await generateText(model(), messagesFor('How long do refunds take?'), fast);
    expect(text).toContain('[1]');
    expect(server.requests).toHaveLength(3);
  });

  it('retries a dropped connection and a 429', async () => {
    server.setBehaviour({ failWith: { status: 'connection-reset', times: 1 } });
    expect(await generateText(model(), messagesFor('refunds'), fast)).toContain('[1]');
    expect(server.requests).toHaveLength(2);

    server.requests.length = 0;
    server.setBehaviour({ failWith: { status: 429, times: 1 } });
    expect(await generateText(model(), messagesFor('refunds'), fast)).toContain('[1]');
    expect(server.requests).toHaveLength(2);
  });

  it('waits as long as Retry-After asks, unless that would overrun the deadline', async () => {
    server.setBehaviour({ failWith: { status: 429, times: 1, retryAfterMs: 150 } });
    expect(await generateText(model(), messagesFor('refunds'), fast)).toContain('[1]');
    expect(server.requests[1]!.receivedAt - server.requests[0]!.receivedAt).toBeGreaterThanOrEqual(140);

    server.requests.length = 0;
    server.setBehaviour({ failWith: { status: 429, times: 1, retryAfterMs: 60_000 } });
    const error = await failure(generateText(model(), messagesFor('refunds'), { ...fast, timeoutMs: 2_000 }));
    expect(error.details).toMatchObject({ reason: 'http_status', status: 429, attempts: 1 });
    expect(server.requests).toHaveLength(1);
  });

  it("reports the HTTP client's own request timeout as a timeout", async () => {
    server.setBehaviour({ delayMs: 3_000 });
    const impatient = createChatModel('openai:fake-model', { baseUrl: server.url, timeoutMs: 200 });
    const error = await failure(generateText(impatient, messagesFor('refunds'), fast));
    expect(error.details).toMatchObject({ reason: 'timeout', phase: 'request' });
    expect(server.requests).toHaveLength(1);
  });

  it('gives up after maxAttempts on persistent 503s', async () => {
    server.setBehaviour({ failWith: { status: 503 } });
    const error = await failure(generateText(model(), messagesFor('refunds'), { ...fast, maxAttempts: 3 }));
    expect(error.code).toBe('upstream_unavailable');
    expect(error.details).toMatchObject({ reason: 'http_status', status: 503, attempts: 3 });
    expect(server.requests).toHaveLength(3);
  });

  it.each([400, 401, 404])('does not retry HTTP %i and never repeats the API key', async (status) => {
    server.setBehaviour({ failWith: { status } });
    const error = await failure(generateText(model(), messagesFor('refunds'), fast));
    expect(server.requests).toHaveLength(1);
    expect(error.code).toBe('upstream_unavailable');
    expect(error.details).toMatchObject({ reason: 'http_status', status, attempts: 1 });
    expect(error.message).toContain(`HTTP ${status}`);
    expect(JSON.stringify({ message: error.message, details: error.details, cause: String(error.cause) })).not.toContain(
      'secret-key',
    );
    if (status === 401) expect(error.message).toContain('Incorrect API key provided: [redacted]');
  });

  it('reports a server that is not listening as upstream_unavailable, after retrying', async () => {
    const closedPort = await unusedPort();
    const unreachable = createChatModel('openai:fake-model', { baseUrl: `http://127.0.0.1:${closedPort}/v1` });
    const error = await failure(generateText(unreachable, messagesFor('refunds'), fast));
    expect(error.code).toBe('upstream_unavailable');
    expect(error.details).toMatchObject({ reason: 'connection', attempts: 3 });
  });

  it('cancels the upstream request when the caller aborts, and rethrows the abort', async () => {
    server.setBehaviour({ chunkDelayMs: 200 });
    const controller = new AbortController();
    const deltas: string[] = [];
    const started = Date.now();
    const outcome = (async () => {
      for await (const delta of streamGeneration(model(), messagesFor('refunds'), { ...fast, signal: controller.signal })) {
        deltas.push(delta);
        if (deltas.length === 2) controller.abort();
      }
    })();
    await expect(outcome).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(deltas).toHaveLength(2);
    await vi.waitFor(() => expect(server.requests[0]!.clientAborted).toBe(true));
    expect(server.requests).toHaveLength(1);
  });

  it('cancels the upstream request while waiting for the first byte, too', async () => {
    server.setBehaviour({ delayMs: 3_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await expect(
      collect(streamGeneration(model(), messagesFor('refunds'), { ...fast, signal: controller.signal })),
    ).rejects.toMatchObject({ name: 'AbortError' });
    await vi.waitFor(() => expect(server.requests[0]!.clientAborted).toBe(true));
  });

  it('cancels the upstream request when the consumer stops reading', async () => {
    server.setBehaviour({ chunkDelayMs: 100 });
    for await (const delta of streamGeneration(model(), messagesFor('refunds'), fast)) {
      expect(delta).toBe('Refunds ');
      break;
    }
    await vi.waitFor(() => expect(server.requests[0]!.clientAborted).toBe(true));
  });

  it('refuses unknown specs and a missing key for api.openai.com with config_invalid', () => {
    expect(() => createChatModel('anthropic:claude', {})).toThrow(expect.objectContaining({ code: 'config_invalid' }));
    expect(() => createChatModel('extractive', {})).toThrow(expect.objectContaining({ code: 'config_invalid' }));
    expect(() => createChatModel('openai:gpt-4o-mini', {})).toThrow(/OPENAI_API_KEY/);
    expect(createChatModel('openai:gpt-4o-mini', { apiKey: 'sk-x' })).toBeDefined();
  });
});

describe('the fake server speaks the protocol the official openai client expects', () => {
  let server: FakeOpenAiServer;
  let client: OpenAI;

  beforeAll(async () => {
    server = await startFakeOpenAiServer({ models: ['fake-model', 'other-model'] });
    client = new OpenAI({ baseURL: server.url, apiKey: 'x', maxRetries: 0 });
  });
  afterAll(async () => {
    await server.close();
  });

  const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
    { role: 'system', content: passages },
    { role: 'user', content: [{ type: 'text', text: 'How do I reset my password?' }] },
  ];

  it('non-streaming chat completions', async () => {
    const completion = await client.chat.completions.create({ model: 'fake-model', messages });
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('fake-model');
    expect(completion.choices[0]!.message.content).toBe('To reset your password, open Settings and choose Security. [2]');
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    expect(completion.usage!.total_tokens).toBe(completion.usage!.prompt_tokens + completion.usage!.completion_tokens);
  });

  it('streaming chat completions, with usage when asked', async () => {
    const stream = await client.chat.completions.create({
      model: 'fake-model',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.Chat.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('To reset your password, open Settings and choose Security. [2]');
    expect(chunks.filter((chunk) => (chunk.choices[0]?.delta.content ?? '') !== '').length).toBeGreaterThan(3);
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe('stop');
    expect(chunks.at(-1)!.choices).toEqual([]);
    expect(chunks.at(-1)!.usage!.completion_tokens).toBeGreaterThan(0);

    const helper = client.chat.completions.stream({ model: 'fake-model', messages });
    const final = await helper.finalChatCompletion();
    expect(final.choices[0]!.message.content).toBe(text);
  });

  it('lists models, and errors as the client expects', async () => {
    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toEqual(['fake-model', 'other-model']);

    server.setBehaviour({ failWith: { status: 401, times: 1 } });
    await expect(client.chat.completions.create({ model: 'fake-model', messages })).rejects.toBeInstanceOf(
      OpenAI.AuthenticationError,
    );
    server.setBehaviour({});
  });
});

function unusedPort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
