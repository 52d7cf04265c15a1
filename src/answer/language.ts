import type { AnswerLanguage } from '../core/index.ts';

/**
 * Share of a text's letters that must be Han characters for it to count as Chinese.
 * A Han character carries about a word, a Latin letter a fifth of one, so even a
 * Chinese question full of product names ("如何在 Android 上配置 SDK？", 6 Han of 16
 * letters) stays well above this, while an English sentence quoting one Chinese word
 * stays below it.
 */
export const chineseLetterShare = 0.2;

const hanCharacter = /\p{Script=Han}/gu;
const otherLetter = /(?!\p{Script=Han})\p{L}/gu;

/** The language to answer `text` in: 'zh' when Han characters are a substantial share of its letters. */
export function detectLanguage(text: string): AnswerLanguage {
  const han = text.match(hanCharacter)?.length ?? 0;
  if (han === 0) return 'en';
  const others = text.match(otherLetter)?.length ?? 0;
  return han / (han + others) >= chineseLetterShare ? 'zh' : 'en';
}
