import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatModel } from '../../src/answer/generation/chat-model.ts';
import { resolveCitations } from '../../src/answer/index.ts';
import type { Evidence, GenerationOutcome } from '../../src/answer/index.ts';
import { findSourceConflicts } from '../../src/answer/source-conflicts.ts';
import { blendConfidence, verifyOutcome, type VerificationResult } from '../../src/answer/verification.ts';
import type { Verifier } from '../../src/core/index.ts';
import { lexicalTerms } from '../../src/retrieval/index.ts';
import { createLlmVerifier, loadVerifierModel } from '../../src/verifiers/index.ts';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../helpers/fake-openai-server.ts';
import { writeTinyCrossEncoderModel } from '../helpers/tiny-bert-model.ts';
import { passage } from './passage.ts';

const tinyEntailment = (shared: number) => Math.exp(shared - 2) / (Math.exp(shared - 2) + 2);

const question = 'How do I reset my password?';
const passwordPassage = passage({
  chunkId: 'c1',
  documentId: 'account/password',
  text: 'Reset your password: open the login page and click forgot password.',
});
// None of its words is in the tiny model's vocabulary: it shares nothing with anything.
const zebraPassage = passage({ chunkId: 'c2', documentId: 'nature/zebras', text: 'Zebras migrate across grasslands seasonally.', score: 0.5 });
const passages = [passwordPassage, zebraPassage];

function evidenceFor(minConfidence?: number): Evidence {
  const queryTerms = lexicalTerms(question);
  return {
    question,
    language: 'en',
    passages,
    info: { mode: 'lexical', embedder: null, query: question, queryTerms, matchedTerms: queryTerms, lexicalMs: 0, vectorMs: 0 },
    ...(minConfidence !== undefined ? { minConfidence } : {}),
  };
}

function answered(text: string, confidence = 0.6): GenerationOutcome {
  const resolved = resolveCitations(text, passages);
  return { text: resolved.text, resolved, decision: { abstain: false }, mode: 'generative', model: 'openai:fake-model', confidence };
}

describe('verifyOutcome with a tiny NLI model', () => {
  let modelsDir: string;
  let nli: Verifier;
  const results: VerificationResult[] = [];

  beforeAll(async () => {
    modelsDir = await mkdtemp(path.join(tmpdir(), 'oriole-verification-'));
    await writeTinyCrossEncoderModel(modelsDir, 'oriole-test/tiny-nli', { labels: 'nli' });
    nli = (await loadVerifierModel('transformers:oriole-test/tiny-nli', { modelsDir }))!;
  }, 60_000);
  afterAll(async () => {
    await rm(modelsDir, { recursive: true, force: true });
  });

  const verification = () => ({ verifier: nli, timeoutMs: 30_000, onResult: (result: VerificationResult) => results.push(result) });

  it('marks a cited sentence its passage does not entail unsupported, with its citation, as the lexical check would', async () => {
    const outcome = answered('Open the login page and click forgot password [1]. Zebras migrate across grasslands seasonally [2].');
    // Lexically both sentences are their passages' own words.
    expect(outcome.resolved!.citations.map((citation) => citation.supported)).toEqual([true, true]);
    const { outcome: verified, answerability } = await verifyOutcome(outcome, evidenceFor(), verification());
    expect(verified.resolved!.sentences.map((sentence) => sentence.supported)).toEqual([true, false]);
    expect(verified.resolved!.citations.map((citation) => citation.supported)).toEqual([true, false]);
    // Half the claims still hold: the answer stands, with the model's answerability in its confidence.
    expect(verified.decision?.abstain).toBe(false);
    expect(verified.text).toBe(outcome.text);
    // The hypothesis is the answer's sentence citing the top passage: 9 words shared.
    expect(answerability).toBeCloseTo(tinyEntailment(9), 5);
    expect(verified.confidence).toBe(blendConfidence(0.6, answerability!));
    expect(verified.confidence).toBeGreaterThan(0.6);
    expect(results.at(-1)).toBe('verified');
  });

  it('withholds the answer when no claim holds any more (unsupported), or its confidence falls under minConfidence', async () => {
    const zebrasOnly = answered('Zebras migrate across grasslands seasonally [2].');
    const { outcome: refuted } = await verifyOutcome(zebrasOnly, evidenceFor(), verification());
    expect(refuted.decision).toMatchObject({ abstain: true, reason: 'unsupported' });
    expect(refuted.resolved).toBeUndefined();

    const confident = answered('Open the login page and click forgot password [1].');
    const { outcome: strict } = await verifyOutcome(confident, evidenceFor(0.999), verification());
    expect(strict.decision).toMatchObject({ abstain: true, reason: 'low_confidence' });
    expect(strict.confidence).toBeLessThan(0.999);
    expect(strict.confidence).toBeGreaterThan(0.6);
  });

  it('leaves abstentions and answers without citations as they are, asking nothing', async () => {
    const before = results.length;
    const uncited = answered('Open the login page.');
    expect((await verifyOutcome(uncited, evidenceFor(), verification())).outcome).toBe(uncited);
    const withheld: GenerationOutcome = { text: 'Sorry.', decision: { abstain: true, reason: 'low_coverage' }, mode: 'extractive', model: 'extractive', confidence: 0.1 };
    expect((await verifyOutcome(withheld, evidenceFor(), verification())).outcome).toBe(withheld);
    expect(results.length).toBe(before);
  });
});

describe('verifyOutcome with a verifier that fails', () => {
  let fake: FakeOpenAiServer;
  beforeAll(async () => {
    fake = await startFakeOpenAiServer();
  });
  afterAll(async () => {
    await fake.close();
  });

  it('never lifts an answer whose sources disagree above its 1/k cap, however sure the verifier is', async () => {
    const verifier = createLlmVerifier(createChatModel('openai:fake-model', { baseUrl: fake.url }), { timeoutMs: 30_000 });
    const pricing = [
      passage({ chunkId: 'p1', documentId: 'pricing', text: 'The Pro plan costs $19/month.' }),
      passage({ chunkId: 'p2', documentId: 'faq', text: 'The Pro plan costs $29/month.', score: 0.9 }),
    ];
    const pricingQuestion = 'How much does the Pro plan cost?';
    const conflicts = findSourceConflicts({ question: pricingQuestion, passages: pricing, citedDocumentIds: ['pricing'] });
    expect(conflicts).toHaveLength(1);
    const resolved = resolveCitations('The Pro plan costs $19/month [1].', pricing);
    const outcome: GenerationOutcome = { text: resolved.text, resolved, decision: { abstain: false }, mode: 'generative', model: 'openai:fake-model', confidence: 0.45, conflicts };
    const queryTerms = lexicalTerms(pricingQuestion);
    const evidence: Evidence = {
      question: pricingQuestion,
      language: 'en',
      passages: pricing,
      info: { mode: 'lexical', embedder: null, query: pricingQuestion, queryTerms, matchedTerms: queryTerms, lexicalMs: 0, vectorMs: 0 },
    };
    fake.setBehaviour({ verdicts: { answers: 'yes', supports: 'yes' } });
    const { outcome: verified } = await verifyOutcome(outcome, evidence, { verifier, timeoutMs: 30_000 });
    fake.setBehaviour({});
    expect(blendConfidence(0.45, 0.9)).toBeGreaterThan(0.5);
    expect(verified.confidence).toBeLessThanOrEqual(0.5);
  });

  it('goes on with the answer unchanged and says why: an unclear reply is an error, a slow one a timeout', async () => {
    const verifier = createLlmVerifier(createChatModel('openai:fake-model', { baseUrl: fake.url }), { timeoutMs: 30_000 });
    const results: VerificationResult[] = [];
    const outcome = answered('Open the login page and click forgot password [1].');
    fake.setBehaviour({ verdicts: { answers: 'It depends.' } });
    const unclear = await verifyOutcome(outcome, evidenceFor(), { verifier, timeoutMs: 30_000, onResult: (result) => results.push(result) });
    fake.setBehaviour({ verdicts: { delayMs: 30_000 } });
    const slow = await verifyOutcome(outcome, evidenceFor(), { verifier, timeoutMs: 200, onResult: (result) => results.push(result) });
    fake.setBehaviour({});
    expect(unclear).toEqual({ outcome });
    expect(slow).toEqual({ outcome });
    expect(results).toEqual(['error', 'timeout']);
  });
});

describe('blendConfidence', () => {
  it('leaves confidence as it was for an uninformative score, and rises with the score', () => {
    for (const confidence of [0.05, 0.3, 0.6, 0.95]) {
      expect(blendConfidence(confidence, 0.5)).toBeCloseTo(confidence, 3);
      const blended = [0, 0.1, 0.5, 0.9, 1].map((score) => blendConfidence(confidence, score));
      for (let index = 1; index < blended.length; index += 1) expect(blended[index]).toBeGreaterThan(blended[index - 1]!);
      for (const value of blended) expect(value).toBeGreaterThanOrEqual(0);
      for (const value of blended) expect(value).toBeLessThanOrEqual(1);
    }
    expect(blendConfidence(0, 1)).toBeGreaterThan(0);
  });
});
