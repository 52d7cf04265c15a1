import { describe, expect, it } from 'vitest';
import {
  abstentionAnswer,
  decideAbstention,
  extractiveAnswer,
  isModelDecline,
  resolveCitations,
} from '../../src/answer/index.ts';
import { retrieveFromHelpCenter } from './parley-help-center.ts';

/** The decision the extractive pipeline reaches: retrieve, read, check, decide. */
function decide(question: string) {
  const retrieval = retrieveFromHelpCenter(question);
  const answer = extractiveAnswer(question, retrieval.passages);
  return decideAbstention({
    ...retrieval,
    readerConfidence: answer.confidence,
    sentences: resolveCitations(answer.text, retrieval.passages).sentences,
  });
}

describe('decideAbstention on the sample help center', () => {
  it.each([
    'How do I reset my password?',
    'I forgot my password, what now?',
    'Can I get my money back for an annual plan?',
    'How long does a refund take?',
    'How much is the Growth plan?',
    'What is the maximum attachment size?',
    'How long are messages kept on the Starter plan?',
    'Which regions can I host my data in?',
    'Does Parley Assist use my data for training?',
    'How do I turn on two-factor authentication?',
    '如何重置密码？',
    '忘记密码了怎么办',
    '年付套餐可以退款吗？',
    '收不到推送通知怎么办？',
  ])('answers %j', (question) => {
    expect(decide(question)).toMatchObject({ abstain: false });
  });

  it.each([
    'Do you support Bluetooth pairing?',
    'Can I pay with Bitcoin?',
    'Is there a Windows desktop app?',
    'How do I integrate with Salesforce?',
    'Do you offer a student discount?',
    'What is the phone number of your office in Berlin?',
    'Does the SDK support Flutter?',
    'How do I set up voice messages?',
    '可以用比特币支付吗？',
    '支持视频通话吗？',
    '有学生优惠吗？',
  ])('abstains on %j', (question) => {
    expect(decide(question)).toMatchObject({ abstain: true, reason: expect.stringMatching(/^(low_coverage|no_passages)$/) });
  });

  it.each(['How do I reset my pasword?', 'How do I turn on two-factor authentcation?', 'How long are mesages kept on the Starter plan?'])(
    'answers %j despite the misspelling, read as the passage word it is one edit from',
    (question) => {
      expect(decide(question)).toMatchObject({ abstain: false });
    },
  );

  it('answers a long chatty question when the passages cover as much of it as a short one needs', () => {
    const question =
      'Hi, my colleagues are freaking out because the password reset email never arrives in their inbox, even after waiting ten minutes, what should they check first?';
    expect(decide(question)).toMatchObject({ abstain: false });
  });

  it('abstains with no_passages when nothing was retrieved', () => {
    expect(decideAbstention({ questionTerms: ['bluetooth'], matchedTerms: [], passages: [] })).toMatchObject({
      abstain: true,
      reason: 'no_passages',
    });
  });

  it('abstains when the model declined, whatever the evidence', () => {
    const retrieval = retrieveFromHelpCenter('How do I reset my password?');
    expect(decideAbstention({ ...retrieval, modelDeclined: true })).toMatchObject({ abstain: true, reason: 'model_declined' });
  });

  it('abstains as unsupported when most claims of the answer are not backed by their citations', () => {
    const retrieval = retrieveFromHelpCenter('How much is the Starter plan?');
    const resolved = resolveCitations('Starter costs $29 per month [1]. It includes unlimited storage [1].', retrieval.passages);
    expect(decideAbstention({ ...retrieval, sentences: resolved.sentences })).toMatchObject({ abstain: true, reason: 'unsupported' });
  });

  it('lets a close vector match rescue a paraphrase with few shared words', () => {
    const refund = retrieveFromHelpCenter('refund annual plan').passages[0]!;
    // "Can I be reimbursed for an annual plan?": "reimburs" occurs nowhere in the KB.
    const evidence = { questionTerms: ['reimburs', 'annual', 'plan'], matchedTerms: ['annual', 'plan'] };
    expect(decideAbstention({ ...evidence, passages: [{ ...refund, vectorSimilarity: 0.7 }] })).toMatchObject({
      abstain: true,
      reason: 'low_coverage',
      keyTermCoverage: 0.5,
    });
    expect(decideAbstention({ ...evidence, passages: [{ ...refund, vectorSimilarity: 0.9 }] })).toMatchObject({ abstain: false });
  });
});

describe('isModelDecline', () => {
  it.each([
    ["I don't know", 'en'],
    ["I don't know.", 'en'],
    ["I couldn't find this in the provided passages.", 'en'],
    ['The passages do not mention Bitcoin.', 'en'],
    ['我不知道', 'zh'],
    ['抱歉，没有找到相关信息。', 'zh'],
    ['资料中没有提到这一点。', 'zh'],
  ] as const)('recognises %j', (text, language) => {
    expect(isModelDecline(text, language)).toBe(true);
  });

  it.each([
    ['Click Forgot password? on the sign-in page [1].', 'en'],
    ['The reset link is valid for 60 minutes [1]. If you do not know your email address, contact support [2].', 'en'],
    ['点击 忘记密码？ 即可重置[1]。', 'zh'],
  ] as const)('does not mistake an answer for a decline: %j', (text, language) => {
    expect(isModelDecline(text, language)).toBe(false);
  });
});

describe('abstentionAnswer', () => {
  it('says so in the question language and points to a human', () => {
    expect(abstentionAnswer('en', 'low_coverage')).toMatch(/couldn't find.*knowledge base.*support/is);
    expect(abstentionAnswer('zh', 'low_coverage')).toMatch(/知识库.*人工客服/);
    expect(abstentionAnswer('en', 'unsupported')).toMatch(/support/);
  });
});
