import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatModel } from '../../src/answer/generation/chat-model.ts';
import { OrioleError, type Verifier } from '../../src/core/index.ts';
import { createLlmVerifier, llmVerdictProbability, loadVerifierModel, parseVerifierSpec } from '../../src/verifiers/index.ts';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../helpers/fake-openai-server.ts';
import { writeTinyBertModel, writeTinyCrossEncoderModel } from '../helpers/tiny-bert-model.ts';

const noNetwork: typeof fetch = () => Promise.reject(new Error('this test has no network'));
const sigmoid = (value: number) => 1 / (1 + Math.exp(-value));
/** The tiny NLI model's entailment probability for `shared` shared words: softmax([shared − 2, 0, 0])[0]. */
const tinyEntailment = (shared: number) => Math.exp(shared - 2) / (Math.exp(shared - 2) + 2);

async function loadError(promise: Promise<unknown>): Promise<OrioleError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(OrioleError);
    return error as OrioleError;
  }
  throw new Error('expected the load to fail');
}

describe('the transformers verifier on tiny ONNX models from ORIOLE_MODELS_DIR', () => {
  let modelsDir: string;
  let crossEncoder: Verifier;
  let nli: Verifier;

  beforeAll(async () => {
    modelsDir = await mkdtemp(path.join(tmpdir(), 'oriole-verifiers-'));
    await writeTinyCrossEncoderModel(modelsDir, 'oriole-test/tiny-cross-encoder');
    await writeTinyCrossEncoderModel(modelsDir, 'oriole-test/tiny-nli', { labels: 'nli' });
    crossEncoder = (await loadVerifierModel('transformers:oriole-test/tiny-cross-encoder', { modelsDir, fetch: noNetwork }))!;
    nli = (await loadVerifierModel('transformers:oriole-test/tiny-nli', { modelsDir, fetch: noNetwork }))!;
  }, 60_000);
  afterAll(async () => {
    await rm(modelsDir, { recursive: true, force: true });
  });

  it('reads a one-logit cross-encoder as the sigmoid of its logit, question first', async () => {
    expect(crossEncoder.id).toBe('transformers:oriole-test/tiny-cross-encoder');
    const passage = 'Reset your password: open the login page and click forgot password.';
    const scores = await crossEncoder.score([
      { kind: 'answers', question: 'how do I reset my password', answer: 'ignored by a cross-encoder', passage },
      { kind: 'answers', question: 'is it sunny', answer: '', passage },
      { kind: 'supports', sentence: 'Click forgot password.', passage },
    ]);
    // Shared words: reset + password twice = 3; none; click + forgot + password×2 = 4.
    expect(scores[0]).toBeCloseTo(sigmoid(3), 5);
    expect(scores[1]).toBeCloseTo(0.5, 5);
    expect(scores[2]).toBeCloseTo(sigmoid(4), 5);
    for (const score of scores) expect(score).toBeGreaterThanOrEqual(0);
  });

  it('scores a passage saying more of the question higher: monotone on constructed pairs', async () => {
    const question = 'how do I reset my password';
    const passages = ['the weather is sunny', 'reset it', 'reset your password', 'reset your password: see the password page'];
    const scores = await crossEncoder.score(passages.map((passage) => ({ kind: 'answers', question, answer: '', passage })));
    for (let index = 1; index < scores.length; index += 1) expect(scores[index]).toBeGreaterThan(scores[index - 1]!);
  });

  it('reads a model with an "entailment" label as NLI: the passage entails the sentence, or the answer citing it', async () => {
    const passage = 'Reset your password: open the login page and click forgot password.';
    const [entailed, unrelated, answered] = await nli.score([
      { kind: 'supports', sentence: 'Open the login page and click forgot password.', passage },
      { kind: 'supports', sentence: 'The weather is sunny.', passage },
      { kind: 'answers', question: 'how do I reset my password', answer: 'Click forgot password.', passage },
    ]);
    // Shared: open, the, login, page, and, click, forgot, password×2 = 9 (the passage says "password" twice).
    expect(entailed).toBeCloseTo(tinyEntailment(9), 5);
    // "the" is the only shared word.
    expect(unrelated).toBeCloseTo(tinyEntailment(1), 5);
    expect(unrelated).toBeLessThan(0.5);
    // The hypothesis is the answer, not the question: click + forgot + password×2.
    expect(answered).toBeCloseTo(tinyEntailment(4), 5);
  });

  it('keeps the hypothesis when the passage is too long for the model: the premise is cut instead', async () => {
    const long = `reset password ${'the weather is sunny today. '.repeat(200)}`;
    const [score] = await nli.score([{ kind: 'supports', sentence: 'reset password', passage: long }]);
    // reset + password are read in both texts; were the hypothesis cut off, nothing would be shared.
    expect(score).toBeCloseTo(tinyEntailment(2), 5);
  });

  it('takes a two-label cross-encoder as the probability of its second label', async () => {
    await writeTinyCrossEncoderModel(modelsDir, 'oriole-test/two-label-cross-encoder', { labels: 2 });
    const twoLabels = (await loadVerifierModel('transformers:oriole-test/two-label-cross-encoder', { modelsDir }))!;
    const [score] = await twoLabels.score([{ kind: 'supports', sentence: 'reset password', passage: 'reset your password' }]);
    expect(score).toBeCloseTo(sigmoid(2), 5);
  });

  it('fails with upstream_unavailable, naming the fix, when the model is not in ORIOLE_MODELS_DIR', async () => {
    const error = await loadError(loadVerifierModel('transformers:oriole-test/missing', { modelsDir, fetch: noNetwork }));
    expect(error.code).toBe('upstream_unavailable');
    expect(error.message).toContain('Could not load verifier model oriole-test/missing');
    expect(error.message).toContain(path.join(modelsDir, 'oriole-test/missing'));
    expect(error.message).toContain('ORIOLE_VERIFIER=none');
    expect(error.details).toEqual({ verifier: 'transformers:oriole-test/missing' });
  });

  it('refuses an embedding model, which has no logits to read', async () => {
    await writeTinyBertModel(modelsDir, 'oriole-test/embedding-model');
    const error = await loadError(loadVerifierModel('transformers:oriole-test/embedding-model', { modelsDir }));
    expect(error.code).toBe('upstream_unavailable');
    expect(error.message).toContain('do not run as a verifier');
  });

  it('loads no model for llm or none, and parses nothing else', async () => {
    expect(await loadVerifierModel('none')).toBeNull();
    expect(await loadVerifierModel('llm')).toBeNull();
    expect(parseVerifierSpec('transformers:MoritzLaurer/mDeBERTa-v3-base-xnli')).toEqual({
      kind: 'transformers',
      model: 'MoritzLaurer/mDeBERTa-v3-base-xnli',
    });
    expect(parseVerifierSpec(' llm ')).toEqual({ kind: 'llm' });
    for (const spec of ['transformers:', 'openai:gpt-4o-mini', 'yes']) {
      expect(() => parseVerifierSpec(spec)).toThrow(/ORIOLE_VERIFIER/);
    }
  });
});

describe('the llm verifier over a fake OpenAI-compatible server', () => {
  let fake: FakeOpenAiServer;
  let verifier: Verifier;

  beforeAll(async () => {
    fake = await startFakeOpenAiServer();
    verifier = createLlmVerifier(createChatModel('openai:fake-model', { baseUrl: fake.url }), { timeoutMs: 10_000 });
  });
  afterAll(async () => {
    await fake.close();
  });

  it('asks one strict yes/no question per pair and reads the verdicts as probabilities', async () => {
    fake.setBehaviour({});
    const before = fake.requests.length;
    const scores = await verifier.score([
      { kind: 'answers', question: 'How do I reset my password?', answer: '', passage: 'To reset your password, open the login page.' },
      { kind: 'answers', question: 'Can I pay with Bitcoin?', answer: '', passage: 'To reset your password, open the login page.' },
      { kind: 'supports', sentence: 'Refunds take five days.', passage: 'Refunds take five business days.' },
    ]);
    expect(scores).toEqual([llmVerdictProbability.yes, llmVerdictProbability.no, llmVerdictProbability.yes]);
    const asked = fake.requests.slice(before).map((request) => request.body?.messages?.[0]?.content);
    expect(asked).toHaveLength(3);
    expect(asked[0]).toMatch(/answers a question.*exactly one word/);
    expect(asked[2]).toMatch(/supports a statement/);
  });

  it('fails rather than guess when the model replies neither yes nor no', async () => {
    fake.setBehaviour({ verdicts: { answers: 'Perhaps, partly.' } });
    await expect(
      verifier.score([{ kind: 'answers', question: 'How do I reset my password?', answer: '', passage: 'Open the login page.' }]),
    ).rejects.toThrow(/neither yes nor no/);
    fake.setBehaviour({ verdicts: { answers: ' "No." ' } });
    expect(await verifier.score([{ kind: 'answers', question: 'q', answer: '', passage: 'p' }])).toEqual([llmVerdictProbability.no]);
  });

  it('stops asking when its caller aborts', async () => {
    fake.setBehaviour({ verdicts: { delayMs: 30_000 } });
    const controller = new AbortController();
    const scoring = verifier.score([{ kind: 'answers', question: 'q', answer: '', passage: 'p' }], controller.signal);
    setTimeout(() => controller.abort(new Error('the answer went on')), 100);
    await expect(scoring).rejects.toThrow();
    fake.setBehaviour({});
  });
});
