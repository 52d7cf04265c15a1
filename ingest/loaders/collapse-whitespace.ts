// Scripts written without spaces between words: a line break inside them joins, not spaces.
const unspacedScript = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u3000-\u303f\uff00-\uffef]/u;

/**
 * Runs of whitespace become one space, and the ends are trimmed, as a browser renders
 * text; a line break between two Chinese or Japanese characters disappears instead.
 */
export function collapseWhitespace(text: string): string {
  return text
    .replace(/\s*\n\s*/g, (breakRun: string, offset: number, whole: string) => {
      const before = whole[offset - 1] ?? '';
      const after = whole[offset + breakRun.length] ?? '';
      return unspacedScript.test(before) && unspacedScript.test(after) ? '' : ' ';
    })
    .replace(/\s+/g, ' ')
    .trim();
}
