import { cjkCharacters } from './cjk-characters.ts';

const spaceless = new RegExp(`^[${cjkCharacters.spaceless}]$`, 'u');

/**
 * Collapses every whitespace run of prose (paragraphs, list items, table cells,
 * headings) to one space and trims the ends. A line break between two Chinese or
 * Japanese characters is a soft wrap of text written without spaces, so it is removed.
 */
export function normalizeText(text: string): string {
  return text
    .replace(/\s+/g, (run: string, offset: number, whole: string) =>
      run.includes('\n') && isSpaceless(characterBefore(whole, offset)) && isSpaceless(characterAt(whole, offset + run.length))
        ? ''
        : ' ',
    )
    .trim();
}

/**
 * Keeps code as written (indentation, blank lines between parts) but unifies line
 * endings, drops trailing spaces and removes blank lines at the start and end.
 */
export function normalizeCode(code: string): string {
  return code
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+$/gm, '')
    .replace(/^\n+/, '')
    .replace(/\n+$/, '');
}

function characterBefore(text: string, offset: number): string {
  return Array.from(text.slice(Math.max(0, offset - 2), offset)).at(-1) ?? '';
}

function characterAt(text: string, offset: number): string {
  const codePoint = text.codePointAt(offset);
  return codePoint === undefined ? '' : String.fromCodePoint(codePoint);
}

function isSpaceless(character: string): boolean {
  return spaceless.test(character);
}
