import { describe, expect, it } from 'vitest';
import { supportScore, supportThreshold, supportingSpan } from '../../src/answer/index.ts';

const pricing =
  'Parley has four plans: Free, Starter, Growth and Enterprise. The Starter plan costs $49 per month or $490 per year. Growth costs $299 per month.';

describe('supportScore', () => {
  it('supports a paraphrase that keeps the terms and figures', () => {
    expect(supportScore('Starter costs $49 a month [1].', pricing)).toBeGreaterThanOrEqual(supportThreshold);
    expect(supportScore('The Starter plan is $490 per year.', pricing)).toBeGreaterThanOrEqual(supportThreshold);
  });

  it('does not support a claim whose number the passage contradicts', () => {
    expect(supportScore('The Starter plan costs $29 per month.', pricing)).toBeLessThan(supportThreshold);
    expect(supportScore('Starter 套餐每月 29 美元。', 'Starter 套餐每月 49 美元，年付 490 美元。')).toBeLessThan(supportThreshold);
  });

  it('does not support a claim about something else', () => {
    expect(supportScore('You can pay with Bitcoin or PayPal.', pricing)).toBeLessThan(supportThreshold);
  });

  it('ignores citation markers and step numbers in the claim', () => {
    expect(supportScore('3. Growth costs $299 per month [7].', pricing)).toBe(1);
  });

  it('supports Chinese claims by their bigrams', () => {
    const passage = '点击邮件中的 Choose a new password 按钮。该链接 60 分钟内有效，且只能使用一次。';
    expect(supportScore('重置链接 60 分钟内有效，只能使用一次。', passage)).toBeGreaterThanOrEqual(supportThreshold);
  });
});

describe('supportingSpan', () => {
  it('is the passage sentence that supports the claim', () => {
    expect(supportingSpan('Growth is $299 monthly.', pricing)).toBe('Growth costs $299 per month.');
  });

  it('stays short', () => {
    const long = `${'Parley keeps your data safe in every region. '.repeat(10)}Messages are encrypted with AES-256 at rest.`;
    expect(supportingSpan('Messages are encrypted at rest with AES-256.', long).length).toBeLessThanOrEqual(240);
  });
});
