import { describe, expect, it } from 'vitest';
import { countTokens } from '../../../ingest/chunking/index.ts';
import { chineseRefunds, englishRefunds } from './help-center.ts';

describe('countTokens', () => {
  it('counts a word as one token per four characters, rounded up', () => {
    expect(countTokens('the')).toBe(1);
    expect(countTokens('refund')).toBe(2);
    expect(countTokens('configuration')).toBe(4);
    expect(countTokens('Open Settings > Billing.')).toBe(1 + 2 + 1 + 2);
  });

  it('counts nothing for empty text and whitespace', () => {
    expect(countTokens('')).toBe(0);
    expect(countTokens(' \n\t ')).toBe(0);
  });

  it('counts every ideograph, kana, hangul syllable and CJK punctuation mark as one token', () => {
    expect(countTokens('退款需要三天')).toBe(6);
    expect(countTokens('请先登录！是否可以取消？')).toBe(12);
    expect(countTokens('こんにちは')).toBe(5);
    expect(countTokens('안녕하세요')).toBe(5);
    expect(countTokens('用微信pay支付')).toBe(3 + 1 + 2);
  });

  it('adds up over text joined by whitespace', () => {
    const [first, second] = englishRefunds as [string, string];
    expect(countTokens(`${first}\n\n${second}`)).toBe(countTokens(first) + countTokens(second));
  });

  it('puts English help text at about four characters a token and Chinese at about one', () => {
    const english = englishRefunds.join(' ');
    const chinese = chineseRefunds.join('');
    expect(english.length / countTokens(english)).toBeGreaterThan(3.5);
    expect(english.length / countTokens(english)).toBeLessThan(4.5);
    expect(chinese.length / countTokens(chinese)).toBeCloseTo(1, 1);
  });
});
