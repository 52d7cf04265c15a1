import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { formatJsonl, generateEvalCases, type DraftPassage } from '../../evals/generate.ts';
import type { EvalCase } from '../../evals/types.ts';
import { createChatModel } from '../../src/answer/generation/chat-model.ts';
import { loadConfig } from '../../src/core/index.ts';
import { getKnowledgeBase, listSources, sampleChunkTexts, type Database } from '../../src/db/index.ts';
import { runEvalGenerate } from '../../src/entry/eval-generate-command.ts';
import { openMigrated, testBackends } from '../helpers/databases.ts';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../helpers/fake-openai-server.ts';
import { ingestFolder } from '../helpers/ingestion.ts';
import { failure } from '../helpers/failures.ts';


/** A port nothing listens on: bound, then released. */
async function closedPortUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}/v1`;
}

describe.each(testBackends())('drafting eval cases from a KB on $name', (backend) => {
  let database: Database;
  let fake: FakeOpenAiServer;
  let kbId: string;
  let sources: string[];
  const chatModel = () => createChatModel('openai:fake-model', { baseUrl: fake.url });

  beforeAll(async () => {
    database = await openMigrated(backend);
    await ingestFolder(database, 'test/fixtures/help-docs', 'support');
    kbId = (await getKnowledgeBase(database, 'support')).id;
    sources = (await listSources(database, kbId)).map((document) => document.source);
    fake = await startFakeOpenAiServer();
  }, 120_000);
  afterAll(async () => {
    await fake?.close();
    await backend.cleanup();
  });
  beforeEach(() => {
    fake.setBehaviour({});
    fake.requests.length = 0;
  });

  it('samples chunks round-robin over the documents, in a stable order', async () => {
    const sampled = await sampleChunkTexts(database, { kbId, limit: 100 });
    expect(new Set(sampled.map((passage) => passage.source))).toEqual(new Set(sources));
    // Every document's first chunk comes before any document's second.
    const firstRound = sampled.slice(0, sources.length).map((passage) => passage.source);
    expect(new Set(firstRound).size).toBe(sources.length);
    expect(await sampleChunkTexts(database, { kbId, limit: 100 })).toEqual(sampled);
    expect(await sampleChunkTexts(database, { kbId, limit: 2 })).toEqual(sampled.slice(0, 2));
    expect(sampled.some((passage) => passage.heading !== null)).toBe(true);
  });

  it('drafts n cases whose gold source is the KB document each was drafted from', async () => {
    const passages = await sampleChunkTexts(database, { kbId, limit: 30 });
    const progress: Array<[number, number]> = [];
    const cases = await generateEvalCases({
      passages,
      n: 4,
      chatModel: chatModel(),
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(cases.map((evalCase) => evalCase.id)).toEqual(['gen-001', 'gen-002', 'gen-003', 'gen-004']);
    for (const evalCase of cases) {
      expect(evalCase).toMatchObject({ answerable: true, tags: ['generated'] });
      expect(evalCase.gold_sources).toHaveLength(1);
      expect(sources).toContain(evalCase.gold_sources![0]);
      const passage = passages.find((candidate) => candidate.source === evalCase.gold_sources![0] && candidate.text.includes(String(evalCase.reference_answer)));
      expect(passage, `the reference answer of ${evalCase.id} comes from its gold source`).toBeDefined();
    }
    // Spread: four cases from four documents.
    expect(new Set(cases.map((evalCase) => evalCase.gold_sources![0])).size).toBe(4);
    expect(progress.at(-1)).toEqual([4, 4]);
  });

  it('drafts Chinese questions from Chinese passages', async () => {
    const passages = (await sampleChunkTexts(database, { kbId, limit: 100 })).filter((passage) => passage.source.startsWith('zh/'));
    expect(passages.length).toBeGreaterThan(0);
    const cases = await generateEvalCases({ passages, n: 2, chatModel: chatModel() });
    expect(cases.length).toBeGreaterThan(0);
    for (const evalCase of cases) expect(evalCase.question).toMatch(/\p{Script=Han}/u);
    expect(String(fake.requests[0]!.body!.messages![0]!.content)).toContain('Simplified Chinese');
  });

  it('writes the cases as JSONL that reads back as eval cases (oriole eval generate --out)', async () => {
    const out = path.join(await mkdtemp(path.join(tmpdir(), 'oriole-eval-generate-')), 'drafted.jsonl');
    const config = loadConfig({ ORIOLE_LLM: 'openai:fake-model', OPENAI_BASE_URL: fake.url });
    const result = await runEvalGenerate(database, config, { kb: 'support', n: 3, out });
    expect(result).toEqual({ cases: 3, out });
    const lines = (await readFile(out, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    const cases = lines.map((line) => JSON.parse(line) as EvalCase);
    expect(cases.map((evalCase) => Object.keys(evalCase))).toEqual(
      Array(3).fill(['id', 'question', 'reference_answer', 'gold_sources', 'answerable', 'tags']),
    );
    for (const evalCase of cases) expect(sources).toContain(evalCase.gold_sources![0]);
  });

  it('drafts with ORIOLE_JUDGE when answers are extractive, and says what to set when neither is', async () => {
    const out = path.join(await mkdtemp(path.join(tmpdir(), 'oriole-eval-generate-')), 'drafted.jsonl');
    const judgeOnly = loadConfig({ ORIOLE_JUDGE: 'openai:judge-model', OPENAI_BASE_URL: fake.url });
    expect(await runEvalGenerate(database, judgeOnly, { kb: 'support', n: 1, out })).toEqual({ cases: 1, out });
    expect(fake.requests[0]!.body!.model).toBe('judge-model');

    const error = await failure(runEvalGenerate(database, loadConfig({}), { kb: 'support', n: 1 }));
    expect(error.code).toBe('invalid_request');
    expect(error.message).toContain('ORIOLE_LLM=openai:<model>');
    expect(error.message).toContain('OPENAI_BASE_URL');
  });

  it('fails clearly when the language model cannot be reached', async () => {
    const config = loadConfig({ ORIOLE_LLM: 'openai:fake-model', OPENAI_BASE_URL: await closedPortUrl() });
    const error = await failure(runEvalGenerate(database, config, { kb: 'support', n: 2 }));
    expect(error.code).toBe('upstream_unavailable');
    expect(error.message).toMatch(/^Could not draft eval cases: The language model could not be reached/);
  });

  it('names the knowledge base that does not exist', async () => {
    const config = loadConfig({ ORIOLE_LLM: 'openai:fake-model', OPENAI_BASE_URL: fake.url });
    const error = await failure(runEvalGenerate(database, config, { kb: 'nope', n: 2 }));
    expect(error.code).toBe('not_found');
    expect(fake.requests).toHaveLength(0);
  });
});

describe('generateEvalCases without a database', () => {
  const passage = (source: string, heading: string | null, text: string): DraftPassage => ({ source, title: null, heading, text });
  const long = (topic: string) =>
    `${topic} is configured from the console in a few steps. Open the console, pick the project, and save the settings for your team.`;

  it('skips passages too short to ask about, unusable replies and repeated questions', async () => {
    const passages = [
      passage('billing.md', null, 'Too short to ask about.'),
      passage('billing.md', null, long('Billing')),
      passage('push.md', null, long('Push')),
      passage('billing-faq.md', null, long('Billing')),
      passage('export.md', null, long('Export')),
    ];
    // Drafting order, round-robin over documents: billing.md's long passage comes after every document's first.
    const chatModel = new FakeListChatModel({
      responses: [
        'Sorry, I cannot help with that.',
        '{"question": "How do I set up billing?", "answer": "From the console."}',
        '{"question": "How do I export data?", "answer": "From the console."}',
        '```json\n{"question": "how do I set up  billing", "answer": "In the console."}\n```',
      ],
    });
    const cases = await generateEvalCases({ passages, n: 5, chatModel, concurrency: 1 });
    expect(cases.map((evalCase) => [evalCase.id, evalCase.question, evalCase.gold_sources])).toEqual([
      ['gen-001', 'How do I set up billing?', ['billing-faq.md']],
      ['gen-002', 'How do I export data?', ['export.md']],
    ]);
  });

  it('fails when no reply at all is usable, rather than writing an empty set', async () => {
    const chatModel = new FakeListChatModel({ responses: ['I would ask about billing.'] });
    const error = await failure(generateEvalCases({ passages: [passage('a.md', null, long('Billing'))], n: 1, chatModel }));
    expect(error.code).toBe('upstream_unavailable');
    expect(error.message).toContain('without the JSON question and answer');
  });

  it('formats one JSON object a line', () => {
    const cases: EvalCase[] = [
      { id: 'gen-001', question: '退款需要多久？', reference_answer: '5个工作日。', gold_sources: ['zh/refunds.md'], answerable: true, tags: ['generated'] },
      { id: 'gen-002', question: 'Line\nbreak?', answerable: true },
    ];
    const jsonl = formatJsonl(cases);
    expect(jsonl.endsWith('\n')).toBe(true);
    expect(jsonl.trimEnd().split('\n').map((line) => JSON.parse(line) as EvalCase)).toEqual(cases);
    expect(formatJsonl([])).toBe('');
  });

});
