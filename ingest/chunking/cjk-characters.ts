/**
 * Character classes (for a RegExp with the `u` flag) of the scripts the chunker treats
 * specially; `countTokens` checks the same ranges in a loop.
 */
export const cjkCharacters = {
  /**
   * One token each: hangul jamo and syllables, CJK radicals, CJK punctuation (。、「」),
   * kana, CJK ideographs with their extensions and compatibility forms, and full-width
   * forms (！？（）). U+3000, the ideographic space, is whitespace.
   */
  oneToken:
    '\\u1100-\\u11ff\\u2e80-\\u2fdf\\u3001-\\u30ff\\u3130-\\u318f\\u31f0-\\u9fff\\ua960-\\ua97f\\uac00-\\ud7ff\\uf900-\\ufaff\\uff00-\\uffef\\u{20000}-\\u{3ffff}',
  /** Written without spaces between words (Chinese, Japanese): the above without hangul, as Korean uses spaces. */
  spaceless: '\\u2e80-\\u2fdf\\u3001-\\u30ff\\u31f0-\\u9fff\\uf900-\\ufaff\\uff00-\\uffef\\u{20000}-\\u{3ffff}',
} as const;
