import { cjkCharacters } from './cjk-characters.ts';
import { charactersPerToken, countTokens } from './count-tokens.ts';

const oneTokenEach = cjkCharacters.oneToken;
/** A CJK character or a word, with the whitespace after it; or leading whitespace. */
const wordUnits = new RegExp(`[${oneTokenEach}]\\s*|[^\\s${oneTokenEach}]+\\s*|\\s+`, 'gu');

/**
 * Cuts text that has no usable sentence boundary (a run-on sentence, unpunctuated
 * Chinese) into consecutive slices of at most `budget` tokens, between words or CJK
 * characters; a single word longer than the budget is cut between characters. The
 * slices concatenate back to `text`.
 */
export function splitByTokens(text: string, budget: number): string[] {
  const slices: string[] = [];
  let current = '';
  let currentTokens = 0;
  for (const [unit] of text.matchAll(wordUnits)) {
    for (const piece of cutLongWord(unit, budget)) {
      const tokens = countTokens(piece);
      if (current.length > 0 && currentTokens + tokens > budget) {
        slices.push(current);
        current = '';
        currentTokens = 0;
      }
      current += piece;
      currentTokens += tokens;
    }
  }
  if (current.length > 0) slices.push(current);
  return slices;
}

function cutLongWord(unit: string, budget: number): string[] {
  if (countTokens(unit) <= budget) return [unit];
  const characters = Array.from(unit);
  const size = budget * charactersPerToken;
  const pieces: string[] = [];
  for (let start = 0; start < characters.length; start += size) {
    pieces.push(characters.slice(start, start + size).join(''));
  }
  return pieces;
}
