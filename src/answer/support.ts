import { lexicalTerms } from '../retrieval/index.ts';
import { stripMarkers } from './citation-markers.ts';
import { splitTextUnits } from './sentences.ts';

/**
 * A claim counts as supported by a passage when its support score reaches this: at
 * least half of its content terms (stemmed, CJK bigrams) occur in the passage and
 * every number and identifier it states does. Paraphrases keep the key nouns and
 * figures, so they pass; a claim about another topic or with a changed figure fails.
 */
export const supportThreshold = 0.5;

/**
 * When a claim states a number or identifier the passage does not contain, its score
 * is scaled by the share it does contain times this: "$29" against a passage saying
 * "$19" is unsupported however many words match.
 */
const mismatchedFigurePenalty = 0.5;

/** Citation snippets are cut to about this many characters. */
export const snippetMaxCharacters = 240;

// List enumerators are not part of what a sentence claims.
const listEnumerator = /^\s*(?:\d{1,3}[.)、．]|[-*•+]|[（(]\d{1,3}[)）])\s*/u;
// Numbers ("$2,990", "4.3.2", "60") and identifiers that must match exactly.
const figurePattern = /\d+(?:[.,:]\d+)*/gu;
const identifierPattern = /[\p{L}\p{N}_-]+(?:[.@/][\p{L}\p{N}_-]+)+/gu;
const latinAbbreviations = new Set(['e.g', 'i.e']);

/** The text of a claim without citation markers or a leading list number. */
export function claimText(sentence: string): string {
  return stripMarkers(sentence).replace(listEnumerator, '').trim();
}

/**
 * How well `passageText` supports `claim`, in [0,1]: the share of the claim's distinct
 * content terms found in the passage, lowered when a number or identifier of the claim
 * is missing from it. A claim with no content terms (a greeting) scores 1.
 */
export function supportScore(claim: string, passageText: string): number {
  const text = claimText(claim);
  const claimTerms = new Set(lexicalTerms(text));
  const figures = figuresOf(text);
  if (claimTerms.size === 0 && figures.size === 0) return 1;
  const passageTerms = new Set(lexicalTerms(passageText));
  const termShare = claimTerms.size === 0 ? 1 : countIn(claimTerms, passageTerms) / claimTerms.size;
  if (figures.size === 0) return termShare;
  const figureShare = countIn(figures, figuresOf(passageText)) / figures.size;
  return figureShare === 1 ? termShare : termShare * figureShare * mismatchedFigurePenalty;
}

/**
 * The sentence (or two adjacent sentences) of `passageText` that best support `claim`,
 * cut to about snippetMaxCharacters; the passage's opening when nothing matches.
 */
export function supportingSpan(claim: string, passageText: string): string {
  const units = splitTextUnits(passageText).map((unit) => unit.text);
  if (units.length === 0) return truncateText(passageText.trim(), snippetMaxCharacters);
  const scores = units.map((unit) => overlapScore(claim, unit));
  let best = 0;
  scores.forEach((score, index) => {
    if (score > scores[best]!) best = index;
  });
  if (scores[best] === 0) return truncateText(units.join(' '), snippetMaxCharacters);
  let span = units[best]!;
  // A claim often joins two adjacent sentences; take the neighbour when it adds support and fits.
  const neighbour = bestNeighbour(claim, units, best);
  if (neighbour !== undefined) {
    const joined = neighbour < best ? `${units[neighbour]} ${span}` : `${span} ${units[neighbour]}`;
    if (joined.length <= snippetMaxCharacters && overlapScore(claim, joined) > scores[best]!) span = joined;
  }
  return truncateText(span, snippetMaxCharacters);
}

/** Cuts `text` to at most `maxCharacters`, at a word boundary when there is one, with an ellipsis. */
export function truncateText(text: string, maxCharacters: number): string {
  if (text.length <= maxCharacters) return text;
  const cut = text.slice(0, maxCharacters - 1);
  const lastSpace = cut.lastIndexOf(' ');
  return `${(lastSpace > maxCharacters * 0.6 ? cut.slice(0, lastSpace) : cut).trimEnd()}…`;
}

function bestNeighbour(claim: string, units: string[], index: number): number | undefined {
  const candidates = [index - 1, index + 1].filter((neighbour) => neighbour >= 0 && neighbour < units.length);
  let best: number | undefined;
  let bestScore = 0;
  for (const candidate of candidates) {
    const score = overlapScore(claim, units[candidate]!);
    if (score > bestScore) [best, bestScore] = [candidate, score];
  }
  return best;
}

// For choosing a span: support, with a small tie-break towards more shared terms.
function overlapScore(claim: string, text: string): number {
  const shared = countIn(new Set(lexicalTerms(claimText(claim))), new Set(lexicalTerms(text)));
  return supportScore(claim, text) + shared * 0.001;
}

function figuresOf(text: string): Set<string> {
  const figures = new Set<string>();
  for (const match of text.matchAll(identifierPattern)) {
    const identifier = match[0].toLowerCase();
    if (/\p{L}/u.test(identifier) && !latinAbbreviations.has(identifier)) figures.add(identifier);
  }
  for (const match of text.matchAll(figurePattern)) figures.add(normalizeNumber(match[0]));
  return figures;
}

// "2,990" and "2990" are one number; a trailing sentence period is not part of it.
function normalizeNumber(number: string): string {
  return number.replace(/,(?=\d{3}\b)/g, '');
}

function countIn(items: ReadonlySet<string>, within: ReadonlySet<string>): number {
  let count = 0;
  for (const item of items) if (within.has(item)) count += 1;
  return count;
}
