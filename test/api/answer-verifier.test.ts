import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IngestContext } from '../../ingest/pipeline/index.ts';
import { createChatModel } from '../../src/answer/generation/chat-model.ts';
import { blendConfidence } from '../../src/answer/verification.ts';
import type { Verifier } from '../../src/core/index.ts';
import type { Database } from '../../src/db/index.ts';
import { createPrometheusMetrics } from '../../src/entry/metrics.ts';
import { llmVerdictProbability, loadVerifierModel } from '../../src/verifiers/index.ts';
import { createTestApp, postJson, type TestApp } from '../helpers/app.ts';
import { openMigrated, testBackends } from '../helpers/databases.ts';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../helpers/fake-openai-server.ts';
import { ingestFolder } from '../helpers/ingestion.ts';
import { writeTinyCrossEncoderModel } from '../helpers/tiny-bert-model.ts';

interface AnswerBody {
  answerId: string;
  answer: string;
  abstained: boolean;
  reason?: string;
  confidence: number;
  citations: Array<{ supported: boolean }>;
}

const question = 'How do I reset my password?';

/**
 * ORIOLE_VERIFIER over the sample help center, on both backends: a tiny generated
 * cross-encoder in process, and the LLM verifier on a fake OpenAI-compatible server.
 */
describe.each(testBackends())('answers checked by a verifier on $name', (backend) => {
  let database: Database;
  let modelsDir: string;
  let fake: FakeOpenAiServer;
  let context: IngestContext;
  let crossEncoder: Verifier;
  const metrics = createPrometheusMetrics();
  let plain: TestApp;
  let modelVerified: TestApp;
  let generative: TestApp;
  let llmVerified: TestApp;

  beforeAll(async () => {
    database = await openMigrated(backend);
    context = await ingestFolder(database, 'examples/help-center');
    modelsDir = await mkdtemp(path.join(tmpdir(), 'oriole-answer-verifier-'));
    await writeTinyCrossEncoderModel(modelsDir, 'oriole-test/tiny-cross-encoder');
    crossEncoder = (await loadVerifierModel('transformers:oriole-test/tiny-cross-encoder', { modelsDir }))!;
    fake = await startFakeOpenAiServer();
    const chatModel = { model: createChatModel('openai:fake-model', { baseUrl: fake.url }), name: 'openai:fake-model' };
    plain = createTestApp(database, { context, worker: false }).app;
    modelVerified = createTestApp(database, { context, worker: false, verifier: crossEncoder }).app;
    generative = createTestApp(database, { context, worker: false, chatModel }).app;
    llmVerified = createTestApp(database, {
      context,
      worker: false,
      chatModel,
      verifier: 'llm',
      metrics,
      answerSettings: { verifierTimeoutMs: 1_000 },
    }).app;
  }, 120_000);
  afterAll(async () => {
    await fake?.close();
    await backend.cleanup();
    if (modelsDir) await rm(modelsDir, { recursive: true, force: true });
  });

  const ask = async (app: TestApp, body: Record<string, unknown> = { question }): Promise<AnswerBody> => {
    const response = await postJson(app, '/answer', body);
    expect(response.status).toBe(200);
    return (await response.json()) as AnswerBody;
  };

  it('blends the tiny model’s score into confidence: a different, valid confidence, logged as served', async () => {
    const without = await ask(plain);
    const verified = await ask(modelVerified);
    expect(without.abstained).toBe(false);
    expect(verified.abstained).toBe(false);
    expect(verified.answer).toBe(without.answer);
    expect(verified.confidence).toBeGreaterThanOrEqual(0);
    expect(verified.confidence).toBeLessThanOrEqual(1);
    // The tiny cross-encoder counts the question's words in the passage: many, so it vouches for the answer.
    expect(verified.confidence).toBeGreaterThan(without.confidence);
    const logged = await database.query<{ confidence: number }>('SELECT confidence FROM answers WHERE id = $1', [verified.answerId]);
    expect(logged.rows[0]!.confidence).toBeCloseTo(verified.confidence, 5);
  });

  it('leaves an abstention as it was: nothing cited to check', async () => {
    const without = await ask(plain, { question: 'Can I pay with Bitcoin?' });
    const verified = await ask(modelVerified, { question: 'Can I pay with Bitcoin?' });
    expect(verified).toMatchObject({ abstained: true, reason: without.reason, confidence: without.confidence });
  });

  it('lowers confidence when the LLM says "no", raises it on "yes", by the documented blend', async () => {
    const base = await ask(generative);
    expect(base.abstained).toBe(false);
    fake.setBehaviour({ verdicts: { answers: 'No' } });
    const doubted = await ask(llmVerified);
    fake.setBehaviour({ verdicts: { answers: 'Yes.' } });
    const vouched = await ask(llmVerified);
    fake.setBehaviour({});
    expect(doubted).toMatchObject({ abstained: false, answer: base.answer });
    expect(doubted.confidence).toBeCloseTo(blendConfidence(base.confidence, llmVerdictProbability.no), 5);
    expect(vouched.confidence).toBeCloseTo(blendConfidence(base.confidence, llmVerdictProbability.yes), 5);
    expect(doubted.confidence).toBeLessThan(base.confidence);
    expect(vouched.confidence).toBeGreaterThan(base.confidence);
  });

  it('marks a cited sentence the LLM says its passage does not state as unsupported, and withholds the answer', async () => {
    fake.setBehaviour({ verdicts: { supports: 'No' } });
    const refuted = await ask(llmVerified);
    fake.setBehaviour({});
    // The answer's one claim is unsupported now: the lexical rule (half the claims supported) withholds it.
    expect(refuted).toMatchObject({ abstained: true, reason: 'unsupported', citations: [] });
  });

  it('leaves the answer intact when the LLM verifier hangs past its budget, and counts the timeout', async () => {
    const base = await ask(generative);
    fake.setBehaviour({ verdicts: { delayMs: 30_000 } });
    const hung = await ask(llmVerified);
    fake.setBehaviour({});
    expect(hung).toMatchObject({ abstained: false, answer: base.answer, confidence: base.confidence });
    expect(hung.citations.map((citation) => citation.supported)).toEqual(base.citations.map((citation) => citation.supported));
    const { body } = await metrics.render();
    expect(body).toMatch(/oriole_verifier_checks_total\{result="timeout"\} 1\b/);
    expect(body).toMatch(/oriole_verifier_checks_total\{result="verified"\} [1-9]/);
  });
});
