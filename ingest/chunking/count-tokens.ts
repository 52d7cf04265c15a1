/** Characters of a non-CJK word per estimated token: the usual rule of thumb for English BPE. */
export const charactersPerToken = 4;

/**
 * Estimates the model tokens of `text` without a tokenizer: every CJK ideograph, kana,
 * hangul syllable and CJK punctuation mark counts 1; every other word (a run of
 * non-space characters) counts ceil(length / 4), so "the" is 1 and "configuration" 4.
 * Whitespace counts nothing, which makes the estimate additive: the count of texts
 * joined by whitespace is the sum of their counts, and joining without whitespace
 * never counts more than the sum. A loop, not a RegExp: it runs over every chunk
 * several times and is about ten times faster.
 */
export function countTokens(text: string): number {
  let tokens = 0;
  let wordLength = 0;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (isSpace(code)) {
      tokens += Math.ceil(wordLength / charactersPerToken);
      wordLength = 0;
    } else if (isOneTokenCharacter(code, text.charCodeAt(index + 1))) {
      tokens += Math.ceil(wordLength / charactersPerToken) + 1;
      wordLength = 0;
      if (code >= 0xd800 && code <= 0xdbff) index += 1;
    } else {
      wordLength += 1;
    }
  }
  return tokens + Math.ceil(wordLength / charactersPerToken);
}

/** The characters of `\s`, by UTF-16 code. */
function isSpace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0xa0) return false;
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/**
 * Han (with radicals and the supplementary-plane extensions), kana, hangul, CJK
 * punctuation and full-width forms: the ranges of cjk-characters.ts.
 */
function isOneTokenCharacter(code: number, next: number): boolean {
  if (code < 0x1100) return false;
  return (
    code <= 0x11ff ||
    (code >= 0x2e80 && code <= 0x2fdf) ||
    (code >= 0x3001 && code <= 0x30ff) ||
    (code >= 0x3130 && code <= 0x318f) ||
    (code >= 0x31f0 && code <= 0x9fff) ||
    (code >= 0xa960 && code <= 0xa97f) ||
    (code >= 0xac00 && code <= 0xd7ff) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xff00 && code <= 0xffef) ||
    // A surrogate pair in planes 2 and 3 (U+20000–U+3FFFF): the Han extensions.
    (code >= 0xd840 && code <= 0xd8bf && next >= 0xdc00 && next <= 0xdfff)
  );
}
