import { describe, expect, it } from 'vitest';
import { detectLanguage } from '../../src/answer/index.ts';

describe('detectLanguage', () => {
  it.each([
    ['How do I reset my password?', 'en'],
    ['如何重置密码？', 'zh'],
    ['如何在 Android 上配置 SDK？', 'zh'],
    ['Growth 套餐多少钱？', 'zh'],
    ['What does 退款 mean on my invoice?', 'en'],
    ['Error 4031 MAU_LIMIT_REACHED', 'en'],
    ['', 'en'],
  ] as const)('answers %j in %s', (text, language) => {
    expect(detectLanguage(text)).toBe(language);
  });
});
