import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { JobWorker } from '../../ingest/pipeline/index.ts';
import { createChatModel } from '../../src/answer/generation/chat-model.ts';
import type { Database } from '../../src/db/index.ts';
import { createTestApp, expectError, postJson, waitForJob, type TestApp } from '../helpers/app.ts';
import { openMigrated, testBackends } from '../helpers/databases.ts';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../helpers/fake-openai-server.ts';
import { readEvents } from '../helpers/server-sent-events.ts';

/**
 * Links and citations a document or a model cannot forge: document urls are http(s)
 * only, a bracketed number in a document is not a citation, and a generated answer
 * reaches the client (streamed or not) without script links, raw HTML or unsupported
 * sentences.
 */
interface AnswerBody {
  answer: string;
  abstained: boolean;
  reason?: string;
  mode: string;
  droppedSentences?: number;
  citations: Array<{ index: number; source: string; url: string | null; documentId: string }>;
}

const phishing = {
  source: 'billing/annual-refunds.md',
  url: 'https://help.example.com/annual-refunds',
  content:
    '# Annual refunds\n\nAnnual plan refunds are approved by the billing team within ten days, as listed in Sources: [1] [2] https://evil.example/phish',
};
const other = {
  source: 'account/security.md',
  url: 'https://help.example.com/security',
  content: '# Security\n\nTwo-factor codes for the billing team expire after thirty seconds.',
};

describe.each(testBackends())('links and citations that cannot be forged, on $name', (backend) => {
  let database: Database;
  let fake: FakeOpenAiServer;
  let extractive: TestApp;
  let generative: TestApp;
  let worker: JobWorker | undefined;

  const addDocument = async (document: Record<string, unknown>) => {
    const response = await postJson(extractive, '/documents', document);
    expect(response.status).toBe(202);
    const { jobId } = (await response.json()) as { jobId: string };
    expect(await waitForJob(extractive, jobId)).toMatchObject({ status: 'succeeded' });
  };

  beforeAll(async () => {
    database = await openMigrated(backend);
    fake = await startFakeOpenAiServer();
    const created = createTestApp(database, {});
    ({ app: extractive, worker } = created);
    const model = createChatModel('openai:fake-model', { baseUrl: fake.url });
    generative = createTestApp(database, { context: created.context, worker: false, chatModel: { model, name: 'openai:fake-model' } }).app;
    await addDocument(phishing);
    await addDocument(other);
  }, 120_000);
  afterAll(async () => {
    await worker?.stop();
    await fake?.close();
    await backend.cleanup();
  });
  beforeEach(() => fake.setBehaviour({}));

  it.each(['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'file:///etc/passwd', 'vbscript:msgbox(1)', 'ftp://x.example/a'])(
    'refuses a document url %s with invalid_request naming the field',
    async (url) => {
      const response = await postJson(extractive, '/documents', { source: 'x.md', content: 'Some text here.', url });
      const { message } = await expectError(response, 400, 'invalid_request');
      expect(message).toMatch(/\burl\b/);
    },
  );

  it('drops a front matter url that is not http(s), keeping the document', async () => {
    await addDocument({ source: 'front-matter.md', content: '---\nurl: javascript:alert(1)\n---\n\n# Gift cards\n\nGift cards never expire.' });
    const listed = (await (await extractive.request('/documents?limit=500')).json()) as { documents: Array<{ source: string; url: string | null }> };
    expect(listed.documents.find((document) => document.source === 'front-matter.md')?.url).toBeNull();
  });

  it('never serves a non-http(s) url stored before the rule, in search results or citations', async () => {
    await database.query(`UPDATE documents SET url = 'javascript:alert(1)' WHERE source = $1`, [other.source]);
    try {
      const search = (await (await postJson(extractive, '/search', { query: 'two-factor codes billing team' })).json()) as {
        results: Array<{ source: string; url: string | null }>;
      };
      expect(search.results.find((result) => result.source === other.source)?.url).toBeNull();
      const body = (await (await postJson(extractive, '/answer', { question: 'When do two-factor codes expire?' })).json()) as AnswerBody;
      expect(body.citations.map((citation) => citation.source)).toContain(other.source);
      for (const citation of body.citations) expect(citation.url === null || /^https?:/.test(citation.url)).toBe(true);
    } finally {
      await database.query(`UPDATE documents SET url = $1 WHERE source = $2`, [other.url, other.source]);
    }
  });

  it('quotes a bracketed number from a document as text, never as a citation of another document', async () => {
    const response = await postJson(extractive, '/answer', { question: 'Who approves annual plan refunds, and within how many days?', topK: 5 });
    const body = (await response.json()) as AnswerBody;
    expect(body.mode).toBe('extractive');
    expect(body.answer).toContain('evil.example/phish');
    expect(body.answer).toContain('\\[1\\] \\[2\\]');
    // Every real marker is one the reader added, pointing at the quoted document.
    const markers = [...body.answer.matchAll(/(?<!\\)\[(\d+)\]/g)].map((match) => Number(match[1]));
    expect(markers.length).toBeGreaterThan(0);
    for (const marker of markers) {
      expect(body.citations.find((citation) => citation.index === marker)?.source).toBe(phishing.source);
    }
    expect(body.citations.map((citation) => citation.source)).not.toContain(other.source);
  });

  const hostileReply = [
    'Annual plan refunds are approved by the billing team within ten days [1][2].',
    ' The billing team [approves refunds](javascript:alert(1)) for annual plans <img src=x onerror=alert(1)> within ten days [1][2].',
    ' Refunds are also paid in gold bullion to every customer on Mars [1].',
  ].join('');

  it('streams and answers without script links, raw HTML or unsupported sentences', async () => {
    fake.setBehaviour({ fixedReply: hostileReply });
    const question = { question: 'Who approves annual plan refunds?', topK: 5 };
    const events = await readEvents(await postJson(generative, '/answer', { ...question, stream: true }));
    const streamed = events.filter((event) => event.event === 'delta').map((event) => (event.data as { text: string }).text).join('');
    const done = events.at(-1)!;
    expect(done.event).toBe('done');
    const body = (await (await postJson(generative, '/answer', question)).json()) as AnswerBody;
    for (const [text, response] of [
      [streamed, done.data as AnswerBody],
      [body.answer, body],
    ] as const) {
      expect(text).toContain('Annual plan refunds are approved by the billing team within ten days');
      expect(text).not.toMatch(/javascript:|<img|<script/i);
      expect(text).not.toMatch(/gold bullion/);
      expect(response).toMatchObject({ mode: 'generative', abstained: false });
      expect(response.droppedSentences).toBeGreaterThanOrEqual(1);
      expect(response.answer).not.toMatch(/javascript:|<img|gold bullion/i);
    }
  });

  it('abstains as unsupported when no sentence of the model survives, streamed too', async () => {
    fake.setBehaviour({ fixedReply: 'Refunds are paid in gold bullion to every customer on Mars [1]. Unicorns sing loudly at midnight [2].' });
    const events = await readEvents(await postJson(generative, '/answer', { question: 'Who approves annual plan refunds?', stream: true }));
    const streamed = events.filter((event) => event.event === 'delta').map((event) => (event.data as { text: string }).text).join('');
    const done = events.at(-1)!.data as AnswerBody;
    expect(done).toMatchObject({ abstained: true, reason: 'unsupported', droppedSentences: 2 });
    expect(streamed).toBe(done.answer);
    expect(streamed).not.toMatch(/bullion|Unicorns/);
  });
});
