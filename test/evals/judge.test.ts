import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLlmJudge, parseModelJson } from '../../evals/judge.ts';
import type { Judge } from '../../evals/types.ts';
import { createChatModel } from '../../src/answer/generation/chat-model.ts';
import { loadConfig } from '../../src/core/index.ts';
import { loadConfiguredJudge } from '../../src/entry/judge.ts';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../helpers/fake-openai-server.ts';
import { failure } from '../helpers/failures.ts';

const refundPassage = 'Refunds are issued to the original payment method within 5 business days. Contact billing for exceptions.';
const passwordPassage = 'To reset your password, open Settings and choose Security. A reset link is emailed to you.';
const chineseRefundPassage = '退款会在5个工作日内退回原支付方式。如有例外请联系账单团队。';


describe('the LLM judge over a local OpenAI-compatible server', () => {
  let server: FakeOpenAiServer;
  let judge: Judge;

  beforeAll(async () => {
    server = await startFakeOpenAiServer();
    judge = createLlmJudge(createChatModel('openai:fake-model', { baseUrl: server.url }), 'openai:fake-model', { timeoutMs: 10_000 });
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => {
    server.requests.length = 0;
    server.setBehaviour({});
  });

  describe('correctness', () => {
    const question = 'How long do refunds take?';
    const reference = 'Refunds are issued to the original payment method within 5 business days.';

    it('scores an answer stating the reference facts high, citation markers and extra words aside', async () => {
      const answer = 'Refunds go back to your original payment method within 5 business days [1]. Contact billing for exceptions [1].';
      const score = await judge.correctness({ question, reference, answer });
      expect(score).toBeGreaterThanOrEqual(0.8);
      expect(score).toBeLessThanOrEqual(1);
    });

    it('scores an answer about something else, or one contradicting a number, low', async () => {
      const offTopic = await judge.correctness({ question, reference, answer: 'Open Settings and choose Security to reset your password [2].' });
      const wrongNumber = await judge.correctness({
        question,
        reference,
        answer: 'Refunds are issued to the original payment method within 30 business days [1].',
      });
      expect(offTopic).toBeLessThan(0.2);
      expect(wrongNumber).toBe(0);
    });

    it('asks for JSON with a grader prompt, the answer without its markers', async () => {
      await judge.correctness({ question, reference, answer: 'Within 5 business days [1][2].' });
      expect(server.requests).toHaveLength(1);
      const [system, user] = server.requests[0]!.body!.messages!;
      expect(system!.role).toBe('system');
      expect(String(system!.content)).toContain('{"score"');
      expect(String(user!.content)).toContain('<reference_answer>\n' + reference);
      expect(String(user!.content)).toContain('<candidate_answer>\nWithin 5 business days.');
    });

    it('grades Chinese answers', async () => {
      const chineseReference = '退款会在5个工作日内退回原支付方式。';
      const right = await judge.correctness({ question: '退款需要多久？', reference: chineseReference, answer: '退款会在5个工作日内退回原支付方式 [1]。' });
      const wrong = await judge.correctness({ question: '退款需要多久？', reference: chineseReference, answer: '请在设置中选择安全来重置密码 [2]。' });
      expect(right).toBeGreaterThanOrEqual(0.8);
      expect(wrong).toBeLessThan(0.2);
    });
  });

  describe('faithfulness', () => {
    const passages = [
      { index: 1, text: refundPassage },
      { index: 2, text: passwordPassage },
    ];

    it('scores an answer whose every claim the passages state as 1', async () => {
      const answer = 'Refunds are issued to the original payment method within 5 business days [1]. To reset your password, open Settings and choose Security [2].';
      const result = await judge.faithfulness({ question: 'Refunds and passwords?', answer, passages });
      expect(result.score).toBe(1);
      expect(result.claims).toHaveLength(2);
      expect(result.claims.every((claim) => claim.supported)).toBe(true);
      // RAGAS: claims first, then one verdict call for all of them.
      expect(server.requests).toHaveLength(2);
      expect(String(server.requests[1]!.body!.messages![1]!.content)).toContain(`[1] ${refundPassage}`);
    });

    it('finds the claim the passages do not state, and scores the share supported', async () => {
      const answer = 'Refunds are issued within 5 business days [1]. Refunds are also available in cash at any partner store [1].';
      const result = await judge.faithfulness({ question: 'How do refunds work?', answer, passages });
      expect(result.score).toBe(0.5);
      expect(result.claims).toEqual([
        { claim: 'Refunds are issued within 5 business days.', supported: true },
        { claim: 'Refunds are also available in cash at any partner store.', supported: false },
      ]);
    });

    it('scores an answer that states no fact as 1, without a verdict call', async () => {
      const result = await judge.faithfulness({ question: 'Can I pay in bitcoin?', answer: "I don't know.", passages });
      expect(result).toEqual({ score: 1, claims: [] });
      expect(server.requests).toHaveLength(1);
    });

    it('checks Chinese claims', async () => {
      const answer = '退款会在5个工作日内退回原支付方式[1]。退款也可以在任何合作门店领取现金[1]。';
      const result = await judge.faithfulness({ question: '退款需要多久？', answer, passages: [{ index: 1, text: chineseRefundPassage }] });
      expect(result.score).toBe(0.5);
      expect(result.claims.map((claim) => claim.supported)).toEqual([true, false]);
      expect(result.claims[0]!.claim).toContain('退款会在5个工作日内');
    });
  });

  describe('failures', () => {
    it('reports a reply without the JSON asked for as upstream_unavailable, quoting the reply', async () => {
      server.setBehaviour({ fixedReply: 'The answer looks mostly right to me.' });
      const error = await failure(judge.correctness({ question: 'q', reference: 'Refunds take 5 days.', answer: 'Five days.' }));
      expect(error.code).toBe('upstream_unavailable');
      expect(error.message).toContain("judge model 'openai:fake-model' did not reply with a correctness grade");
      expect(error.message).toContain('looks mostly right');
      const claims = await failure(judge.faithfulness({ question: 'q', answer: 'Refunds take 5 days.', passages: [] }));
      expect(claims.message).toContain('did not reply with a list of claims');
    });

    it('passes a server error on as upstream_unavailable with the status', async () => {
      server.setBehaviour({ failWith: { status: 500 } });
      const error = await failure(judge.correctness({ question: 'q', reference: 'Refunds take 5 days.', answer: 'Five days.' }));
      expect(error.code).toBe('upstream_unavailable');
      expect(error.message).toContain('HTTP 500');
    });
  });

  describe('loadConfiguredJudge', () => {
    it('is null without ORIOLE_JUDGE', async () => {
      expect(await loadConfiguredJudge(loadConfig({}))).toBeNull();
    });

    it('talks to the LLM server of OPENAI_BASE_URL under the ORIOLE_JUDGE model', async () => {
      const configured = await loadConfiguredJudge(loadConfig({ ORIOLE_JUDGE: 'openai:judge-model', OPENAI_BASE_URL: server.url }));
      expect(configured?.name).toBe('openai:judge-model');
      const score = await configured!.correctness({ question: 'q', reference: 'Refunds take 5 days.', answer: 'Refunds take 5 days [1].' });
      expect(score).toBe(1);
      expect(server.requests[0]!.body!.model).toBe('judge-model');
    });

    it("refuses 'extractive', which is no model", async () => {
      await expect(loadConfiguredJudge(loadConfig({ ORIOLE_JUDGE: 'extractive' }))).rejects.toThrow(/ORIOLE_JUDGE/);
    });
  });
});

describe('parseModelJson', () => {
  const grade = z.object({ score: z.number() });

  it('finds the JSON in fences, in prose and after a reasoning block', () => {
    expect(parseModelJson('```json\n{"score": 0.5}\n```', grade)).toEqual({ score: 0.5 });
    expect(parseModelJson('Sure! Here it is: {"score": 1, "note": "a } in a string"} Hope that helps [1].', grade)).toEqual({ score: 1 });
    expect(parseModelJson('<think>maybe {"score": 0}</think>\n{"score": 0.25}', grade)).toEqual({ score: 0.25 });
  });

  it('skips bracketed text the schema rejects and returns undefined when nothing fits', () => {
    expect(parseModelJson('The answer cites [1] and says {"score": 0.75}', grade)).toEqual({ score: 0.75 });
    expect(parseModelJson('{"score": "high"}', grade)).toBeUndefined();
    expect(parseModelJson('no json here', grade)).toBeUndefined();
  });
});
