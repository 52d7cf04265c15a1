import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.ts';
import { createTestApp, postJson, type TestApp } from '../helpers/app.ts';
import { openMigrated, testBackends } from '../helpers/databases.ts';
import { ingestFolder } from '../helpers/ingestion.ts';
import { readEvents } from '../helpers/server-sent-events.ts';

interface AnswerBody {
  answer: string;
  abstained: boolean;
  reason?: string;
  citations: Array<{ index: number; source: string; supported: boolean }>;
}

/**
 * The docs of "Kestrel", a fictional web framework written for these tests
 * (test/fixtures/how-to-docs): code blocks, a long configuration example, a table and a
 * "However" after it, in English and Chinese. Answered offline: lexical retrieval and
 * the extractive reader, as `oriole serve` does without an LLM.
 */
const fixtures = 'test/fixtures/how-to-docs';

const fence = /^\s*```/;

/** The answer's fenced code blocks, each with its fence lines. */
function codeBlocks(answer: string): string[] {
  return [...answer.matchAll(/^```[^\n]*\n[\s\S]*?\n```$/gm)].map((match) => match[0]);
}

/** The answer's lines outside code blocks. */
function proseLines(answer: string): string[] {
  let inCode = false;
  return answer.split('\n').filter((line) => {
    if (fence.test(line)) {
      inCode = !inCode;
      return false;
    }
    return !inCode;
  });
}

describe.each(testBackends())('how-to answers, extractive, on $name', (backend) => {
  let database: Database;
  let app: TestApp;

  beforeAll(async () => {
    database = await openMigrated(backend);
    const context = await ingestFolder(database, fixtures);
    app = createTestApp(database, { context, worker: false }).app;
  }, 120_000);
  afterAll(async () => {
    await backend.cleanup();
  });

  const ask = async (question: string): Promise<AnswerBody> => {
    const response = await postJson(app, '/answer', { question });
    expect(response.status).toBe(200);
    return (await response.json()) as AnswerBody;
  };

  it('answers a how-to question with the sentences that introduce the steps and the code blocks, quoted whole as fences', async () => {
    const body = await ask('How do I protect routes with JWT authentication?');
    expect(body.abstained).toBe(false);
    expect(body.answer).toContain('```bash\nnpm install @kestrel/jwt\n```');
    expect(body.answer).toContain(
      "```ts\nimport { Kestrel } from 'kestrel'\nimport { jwt } from '@kestrel/jwt'\n\nconst app = new Kestrel()\n" +
        "app.use('/api/*', jwt({ secret: process.env.JWT_SECRET }))\n" +
        "app.get('/api/profile', (context) => context.json(context.get('jwtPayload')))\n```",
    );
    // "Then register it…" comes with the step it follows, and each introduction carries the marker outside the fence.
    expect(body.answer).toMatch(/^Install the package with \[1\]:/);
    expect(body.answer).toContain('Then register it before the routes it guards [1]:');
    for (const block of codeBlocks(body.answer)) expect(block).not.toMatch(/\[\d+\]/);
    expect(body.citations).toEqual([expect.objectContaining({ index: 1, source: 'guides/jwt-auth.md', supported: true })]);
  });

  it('cuts a long code block at a line boundary with "…" and closes its fence', async () => {
    const body = await ask('How do I write the kestrel.yaml configuration file?');
    expect(body.answer).toMatch(/^The complete kestrel\.yaml, with every setting at its default value, is as follows \[1\]:\n\n```yaml\nserver:\n/);
    const [block] = codeBlocks(body.answer);
    const lines = block!.split('\n');
    expect(lines.at(-2)).toBe('…');
    expect(lines.at(-1)).toBe('```');
    expect(lines.length - 3).toBeLessThanOrEqual(25);
    expect(lines.length - 3).toBeGreaterThanOrEqual(10);
    // Whole lines only: every kept line is a line of the document.
    for (const line of lines.slice(1, -2)) expect(line).toMatch(/^\s*(?:[a-zA-Z]+:(?: .+)?|- \w+)$/);
  });

  it('never ends a line with ":" or "as follows" without what follows it', async () => {
    const questions = [
      'How do I protect routes with JWT authentication?',
      'How do I write the kestrel.yaml configuration file?',
      'How do I deploy with Docker?',
      'Show me the complete kestrel.yaml with every setting',
      '怎么构建生产版本？',
    ];
    for (const question of questions) {
      const body = await ask(question);
      expect(body.abstained, question).toBe(false);
      const lines = body.answer.split('\n');
      lines.forEach((line, index) => {
        if (/(?:[:：]|as follows[.:]?)\s*$/u.test(stripMarkersOf(line)) && !fence.test(line)) {
          const rest = lines.slice(index + 1).join('\n').trim();
          expect(rest, `${question}: "${line}" ends the answer`).not.toBe('');
        }
      });
    }
  });

  it('never starts with a dangling connective: "However, …" after a table is quoted without it', async () => {
    const body = await ask('Does the JWT middleware issue tokens?');
    expect(body.abstained).toBe(false);
    for (const line of proseLines(body.answer)) expect(line).not.toMatch(/^(?:However|Then|But|Also)\b/);
    expect(body.answer).toContain('The middleware never issues tokens [1].');
  });

  it('answers a Chinese how-to question with the introducing sentence and the command as a fence', async () => {
    const body = await ask('怎么构建生产版本？');
    expect(body.answer).toBe('在项目根目录运行下面的命令构建生产版本[1]：\n\n```bash\nnpx kestrel build --mode production\n```');
    expect(body.citations.map((citation) => citation.source)).toEqual(['zh/build.md']);
  });

  it('answers paraphrases whose page is retrieved (abbreviations, other words for the same thing) and still declines off-topic questions', async () => {
    for (const question of [
      'How do I add token auth to my API?',
      'How do I protect routes with JWT authentication?',
      '路由和中间件有什么区别？',
      '路由和中间件的差异是什么？',
    ]) {
      expect((await ask(question)).abstained, question).toBe(false);
    }
    expect((await ask('路由和中间件有什么区别？')).answer).toContain('路由与中间件的不同在于作用范围');
    for (const question of ['How do I configure GraphQL subscriptions?', 'How do I send SMS with Twilio?', '路由和数据库迁移有什么区别？']) {
      const body = await ask(question);
      expect(body, question).toMatchObject({ abstained: true, reason: expect.stringMatching(/^(?:low_coverage|no_passages)$/) });
    }
  });

  it('streams a code answer intact: the deltas put together are the final answer, fences and all', async () => {
    const response = await postJson(app, '/answer', { question: 'How do I deploy with Docker?' }, { Accept: 'text/event-stream' });
    const events = await readEvents(response);
    const streamed = events
      .filter((event) => event.event === 'delta')
      .map((event) => (event.data as { text: string }).text)
      .join('');
    const done = events.at(-1)!.data as AnswerBody;
    expect(streamed).toBe(done.answer);
    expect(codeBlocks(streamed)).toEqual([
      '```dockerfile\nFROM node:20-slim\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci --omit=dev\nCOPY . .\nCMD ["node", "dist/server.js"]\n```',
    ]);
  });
});

function stripMarkersOf(line: string): string {
  return line.replace(/\s*\[\d+\]/g, '');
}
