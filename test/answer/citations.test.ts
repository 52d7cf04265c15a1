import { describe, expect, it } from 'vitest';
import { resolveCitations } from '../../src/answer/index.ts';
import { passage } from './passage.ts';

const refundFirstPayment = passage({
  chunkId: 'refunds#1',
  documentId: 'billing/refund-policy',
  title: 'Refund policy',
  heading: 'Monthly plans (Starter and Growth)',
  ordinal: 1,
  score: 0.91,
  text: 'First payment: full refund within 14 days. If you subscribe to a paid monthly plan for the first time, you can ask for a full refund of that first payment within 14 days of the payment date. Renewals are not refunded.',
});
const pricing = passage({
  chunkId: 'pricing#1',
  documentId: 'billing/plans-and-pricing',
  title: 'Plans and prices',
  heading: 'Prices',
  url: 'https://help.parley.example/billing/plans-and-pricing',
  pages: [2, 3],
  score: 0.8,
  text: 'The Starter plan costs $49 per month or $490 per year. Growth costs $299 per month or $2,990 per year.',
});
const refundTiming = passage({
  chunkId: 'refunds#4',
  documentId: 'billing/refund-policy',
  title: 'Refund policy',
  heading: 'How to request a refund',
  ordinal: 4,
  score: 0.7,
  text: 'We review requests within 2 business days. Approved refunds go back to the original payment method and usually appear within 5–10 business days, depending on your bank.',
});
const passages = [refundFirstPayment, pricing, refundTiming];

describe('resolveCitations', () => {
  it('removes a marker that points at no retrieved passage, with the space before it', () => {
    const resolved = resolveCitations('Starter costs $49 per month [2]. Ask support for a discount [7].', passages);
    expect(resolved.text).toBe('Starter costs $49 per month [1]. Ask support for a discount.');
    expect(resolved.citations.map((citation) => citation.index)).toEqual([1]);
  });

  it('renumbers cited passages 1..k in order of first appearance', () => {
    const resolved = resolveCitations('Growth costs $299 per month [2]. Monthly plans get a full refund within 14 days [1].', passages);
    expect(resolved.text).toBe('Growth costs $299 per month [1]. Monthly plans get a full refund within 14 days [2].');
    expect(resolved.citations.map((citation) => [citation.index, citation.chunkId])).toEqual([
      [1, 'pricing#1'],
      [2, 'refunds#1'],
    ]);
  });

  it('merges chunks of one document into one citation with the first cited chunk as its source', () => {
    const resolved = resolveCitations(
      'You get a full refund of your first monthly payment within 14 days [3][1]. Refunds appear within 5–10 business days [3].',
      passages,
    );
    expect(resolved.text).toBe(
      'You get a full refund of your first monthly payment within 14 days [1]. Refunds appear within 5–10 business days [1].',
    );
    expect(resolved.citations).toHaveLength(1);
    expect(resolved.citations[0]).toMatchObject({
      index: 1,
      documentId: 'billing/refund-policy',
      chunkId: 'refunds#4',
      title: 'Refund policy',
      heading: 'How to request a refund',
      page: null,
      supported: true,
    });
  });

  it('accepts the marker forms models write', () => {
    const forms = ['Starter costs $49 per month [1, 2].', 'Starter costs $49 per month.[2]', 'Starter costs $49 per month【2】。', 'Starter costs $49 per month[^2].'];
    for (const text of forms) {
      const resolved = resolveCitations(text, passages);
      expect(resolved.text).toMatch(/month ?\[1\]/);
      expect(resolved.citations.map((citation) => citation.chunkId)).toContain('pricing#1');
    }
  });

  it('marks a citation unsupported when its sentence states a number the passage contradicts', () => {
    const resolved = resolveCitations('The Starter plan costs $29 per month [2]. Growth costs $299 per month [2].', passages);
    expect(resolved.citations[0]!.supported).toBe(false);
    expect(resolved.sentences.map((sentence) => sentence.supported)).toEqual([false, true]);
  });

  it('gives the supporting span as the snippet, and the page and url of the source', () => {
    const resolved = resolveCitations('Growth is $2,990 per year [2].', passages);
    expect(resolved.citations[0]).toMatchObject({
      snippet: 'Growth costs $299 per month or $2,990 per year.',
      page: 2,
      url: 'https://help.parley.example/billing/plans-and-pricing',
      score: 0.8,
      supported: true,
    });
  });

  it('lets a marker at the end of a step list cover its steps', () => {
    const steps = passage({
      chunkId: 'reset#1',
      documentId: 'account/reset-password',
      text: '1. Go to console.parley.example/login and click Forgot password?\n2. Enter the email address of your Parley account and click Send reset link.\n3. Click Choose a new password. The link is valid for 60 minutes.',
    });
    const resolved = resolveCitations(
      'Here is how:\n1. Click Forgot password? on console.parley.example/login.\n2. Enter your email address and click Send reset link.\n3. Choose a new password within 60 minutes [1].',
      [steps],
    );
    expect(resolved.sentences.slice(1).map((sentence) => sentence.citationIndexes)).toEqual([[1], [1], [1]]);
    expect(resolved.sentences.every((sentence) => sentence.supported)).toBe(true);
    expect(resolved.citations[0]!.supported).toBe(true);
  });

  it('leaves brackets inside code alone', () => {
    const resolved = resolveCitations('Read the first item with `items[1]` [2].', passages);
    expect(resolved.text).toBe('Read the first item with `items[1]` [1].');
  });

  it('cites nothing and supports nothing when the answer has no markers', () => {
    const resolved = resolveCitations('Growth costs $299 per month.', passages);
    expect(resolved.citations).toEqual([]);
    expect(resolved.sentences).toEqual([{ text: 'Growth costs $299 per month.', citationIndexes: [], supported: false }]);
  });

  it('handles Chinese answers', () => {
    const zh = passage({
      chunkId: 'zh-refund#1',
      documentId: 'zh/refund-policy',
      text: '首次付款 14 天内可全额退款：组织第一次订阅按月付费的套餐时，可在付款之日起 14 天内申请全额退还这笔首付款。续费不予退款。',
    });
    const resolved = resolveCitations('按月付费的套餐，首次付款 14 天内可以申请全额退款【1】。续费不予退款[1]。按年付费随时退款[3]。', [zh]);
    expect(resolved.text).toBe('按月付费的套餐，首次付款 14 天内可以申请全额退款[1]。续费不予退款[1]。按年付费随时退款。');
    expect(resolved.sentences.slice(0, 2).every((sentence) => sentence.supported)).toBe(true);
  });
});
