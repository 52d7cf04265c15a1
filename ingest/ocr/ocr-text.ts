/**
 * What Tesseract returns, made into paragraphs a reader and the chunker can use: lines
 * of a paragraph joined (hyphenated words kept whole, no space between Chinese lines),
 * the spaces Tesseract puts between Chinese characters removed, and fragments with
 * fewer than two letters or digits (specks, icons, table rules read as text) dropped.
 */
export function recognizedParagraphs(text: string): string[] {
  return text
    .split(/\n[ \t]*\n/)
    .map((paragraph) => joinLines(paragraph.split('\n').map((line) => line.trim()).filter((line) => line !== '')))
    .map(closeCjkGaps)
    .filter((paragraph) => (paragraph.match(/[\p{L}\p{N}]/gu) ?? []).length >= 2);
}

// Curly quotes count: Chinese text quotes with them, and Tesseract spaces them out too.
const cjk = String.raw`\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303f\uff00-\uffef\u2018-\u201f`;
const spaceBetweenCjk = new RegExp(`(?<=[${cjk}])[ \\t]+(?=[${cjk}])`, 'gu');
const endsWithCjk = new RegExp(`[${cjk}]$`, 'u');
const startsWithCjk = new RegExp(`^[${cjk}]`, 'u');

function closeCjkGaps(paragraph: string): string {
  return paragraph.replace(spaceBetweenCjk, '');
}

function joinLines(lines: readonly string[]): string {
  return lines.reduce((text, line) => {
    if (text === '') return line;
    // "self-" + "service": the hyphen stays, the line break goes.
    if (/\p{L}-$/u.test(text)) return text + line;
    if (endsWithCjk.test(text) && startsWithCjk.test(line)) return text + line;
    return `${text} ${line}`;
  }, '');
}
