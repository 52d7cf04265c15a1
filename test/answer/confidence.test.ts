import { describe, expect, it } from 'vitest';
import { resolveCitations } from '../../src/answer/index.ts';
import {
  answerTypeFound,
  askedAnswerTypes,
  confidenceFeatureNames,
  confidenceFeatures,
  confidenceFromFeatures,
  legAgreement,
  minConfidenceSetting,
  numberConsistency,
  scoreGap,
  topDocumentAgreement,
  type ConfidenceFeatures,
  type ConfidenceModel,
} from '../../src/answer/confidence.ts';
import { confidenceModel } from '../../src/answer/confidence-model.ts';
import type { Passage } from '../../src/core/index.ts';
import { lexicalTerms } from '../../src/retrieval/index.ts';
import { passage } from './passage.ts';

const refund = passage({
  chunkId: 'c1',
  documentId: 'billing/refunds',
  text: 'Annual plans can be refunded within 30 days of purchase. Monthly plans are not refunded.',
  score: 0.9,
  lexicalScore: 7,
});
const invoices = passage({ chunkId: 'c2', documentId: 'billing/invoices', text: 'Invoices are emailed to the account owner each month.', score: 0.3, lexicalScore: 2 });

function featuresFor(question: string, answer: string, passages: Passage[]): ConfidenceFeatures {
  const queryTerms = lexicalTerms(question);
  const corpus = new Set(passages.flatMap((entry) => lexicalTerms(entry.text)));
  const resolved = resolveCitations(answer, passages);
  return confidenceFeatures({
    question,
    questionTerms: queryTerms,
    matchedTerms: queryTerms.filter((term) => corpus.has(term)),
    passages,
    sentences: resolved.sentences,
    citations: resolved.citations,
  });
}

describe('the kind of answer a question asks for', () => {
  it.each([
    ['How much does the Pro plan cost?', 'price'],
    ['How long does a refund take?', 'duration'],
    ['When was version 4 released?', 'date'],
    ['How many seats can a team have?', 'number'],
    ['Who maintains the SDK?', 'name'],
    ['What are the steps to export data?', 'steps'],
    ['Can I export my data?', 'yes_no'],
    ['专业版多少钱？', 'price'],
    ['退款需要多久？', 'duration'],
    ['什么时候发布的？', 'date'],
    ['一个团队最多几个成员？', 'number'],
    ['导出数据的步骤是什么？', 'steps'],
    ['可以导出数据吗？', 'yes_no'],
  ])('"%s" asks for a %s first', (question, type) => {
    expect(askedAnswerTypes(question)[0]).toBe(type);
  });

  it('finds the kind asked for in the answer, or its absence', () => {
    expect(answerTypeFound('How much does the Pro plan cost?', 'The Pro plan costs $29 a month.')).toBe(true);
    expect(answerTypeFound('How much does the Pro plan cost?', 'The Pro plan includes SSO.')).toBe(false);
    expect(answerTypeFound('How long does a refund take?', 'Refunds arrive within 5 business days.')).toBe(true);
    expect(answerTypeFound('How long does a refund take?', 'Refunds go to the original card.')).toBe(false);
    expect(answerTypeFound('When was version 4 released?', 'It was released in March 2024.')).toBe(true);
    expect(answerTypeFound('退款需要多久？', '退款会在5个工作日内到账。')).toBe(true);
    expect(answerTypeFound('退款需要多久？', '退款会退回原支付方式。')).toBe(false);
    expect(answerTypeFound('What are the steps to export data?', '1. Open Settings\n2. Click Export')).toBe(true);
    expect(answerTypeFound('What is SSO?', 'Single sign-on lets members sign in with one account.')).toBe(true);
  });
});

describe('evidence features', () => {
  it('measures number consistency, leg and document agreement and the score gap', () => {
    expect(numberConsistency('Is version 4.3 supported?', 'Version 4.3 and later are supported.')).toBe(1);
    expect(numberConsistency('Is version 4.3 supported?', 'Version 5 and later are supported.')).toBe(0);
    expect(numberConsistency('Is SSO supported?', 'anything')).toBe(1);
    expect(legAgreement([{ lexicalScore: 3 }, { lexicalScore: 2 }])).toBe(0);
    expect(legAgreement([{ lexicalScore: 3, vectorSimilarity: 0.8 }, { vectorSimilarity: 0.7 }])).toBe(0.5);
    expect(topDocumentAgreement([{ documentId: 'a' }, { documentId: 'a' }, { documentId: 'b' }])).toBe(0.5);
    expect(scoreGap([{ score: 1 }, { score: 0.25 }])).toBe(0.75);
    expect(scoreGap([{ score: 1 }, { score: 1 }])).toBe(0);
  });

  it('counts key-term coverage within the cited passage, not across all passages', () => {
    const question = 'Are invoices refunded?';
    const citingRefunds = featuresFor(question, 'Annual plans can be refunded within 30 days of purchase [1].', [refund, invoices]);
    // "invoices" is in a retrieved passage, but not in the cited one.
    expect(citingRefunds.topPassageCoverage).toBeGreaterThan(citingRefunds.citedPassageCoverage);
  });

  it('scores a supported, on-topic answer above an unsupported one and above one on another topic', () => {
    const question = 'Can annual plans be refunded?';
    const supported = featuresFor(question, 'Annual plans can be refunded within 30 days of purchase [1].', [refund, invoices]);
    const unsupported = featuresFor(question, 'Annual plans can be refunded within 90 days after a support call [1].', [refund, invoices]);
    const offTopic = featuresFor(question, 'Invoices are emailed to the account owner each month [2].', [refund, invoices]);
    expect(supported.supportMean).toBeGreaterThan(unsupported.supportMean);
    expect(supported.citedSentenceCoverage).toBeGreaterThan(offTopic.citedSentenceCoverage);
    const confidence = (features: ConfidenceFeatures) => confidenceFromFeatures(features);
    expect(confidence(supported)).toBeGreaterThan(confidence(unsupported));
    expect(confidence(supported)).toBeGreaterThan(confidence(offTopic));
  });

  it('scores an answer lacking the figure a price question asks for below one stating it', () => {
    const plans = passage({ chunkId: 'p1', documentId: 'billing/plans', text: 'The Pro plan costs $29 per month. The Pro plan includes SSO.' });
    const withPrice = featuresFor('How much does the Pro plan cost?', 'The Pro plan costs $29 per month [1].', [plans]);
    const withoutPrice = featuresFor('How much does the Pro plan cost?', 'The Pro plan includes SSO [1].', [plans]);
    expect(withPrice.answerTypeFound).toBe(1);
    expect(withoutPrice.answerTypeFound).toBe(0);
    expect(confidenceFromFeatures(withPrice)).toBeGreaterThan(confidenceFromFeatures(withoutPrice));
  });

  it('gives no evidence for an answer without sentences', () => {
    const features = featuresFor('Can annual plans be refunded?', '', [refund]);
    expect(features.supportMean).toBe(0);
    expect(features.citedPassageCoverage).toBe(0);
    expect(features.citedSentenceCoverage).toBe(0);
  });
});

describe('the confidence model', () => {
  const zero = Object.fromEntries(confidenceFeatureNames.map((name) => [name, 0])) as ConfidenceFeatures;

  it('is the logistic function of its linear score, in [0,1]', () => {
    const model: ConfidenceModel = {
      intercept: -1,
      weights: { ...zero, supportMean: 2 },
      fittedOn: 'test',
    };
    expect(confidenceFromFeatures(zero, model)).toBeCloseTo(1 / (1 + Math.E), 3);
    expect(confidenceFromFeatures({ ...zero, supportMean: 1 }, model)).toBeCloseTo(1 / (1 + Math.exp(-1)), 3);
  });

  it('is monotone in each feature the shipped model weighs positively', () => {
    const middle = Object.fromEntries(confidenceFeatureNames.map((name) => [name, 0.5])) as ConfidenceFeatures;
    for (const name of confidenceFeatureNames) {
      const weight = confidenceModel.weights[name];
      const lower = confidenceFromFeatures({ ...middle, [name]: 0.2 });
      const higher = confidenceFromFeatures({ ...middle, [name]: 0.8 });
      if (weight > 0.01) expect(higher, name).toBeGreaterThan(lower);
      if (weight < -0.01) expect(higher, name).toBeLessThan(lower);
    }
    // The evidence an answer rests on most counts for it.
    expect(confidenceModel.weights.citedSentenceCoverage + confidenceModel.weights.citedPassageCoverage).toBeGreaterThan(0);
  });
});

describe("a KB's minConfidence", () => {
  it('is read from the settings, else the fallback, and ignored when not a share', () => {
    expect(minConfidenceSetting({ minConfidence: 0.6 })).toBe(0.6);
    expect(minConfidenceSetting({}, 0.3)).toBe(0.3);
    expect(minConfidenceSetting({})).toBeUndefined();
    expect(minConfidenceSetting({ minConfidence: 1.5 })).toBeUndefined();
    expect(minConfidenceSetting({ minConfidence: '0.5' })).toBeUndefined();
    expect(minConfidenceSetting({ minConfidence: 0 })).toBe(0);
  });
});
