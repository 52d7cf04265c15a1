import { lexicalTerms } from '../lexical/index.ts';
import type { RankingCandidate } from './ranking-candidate.ts';
import { byScoreDescending } from './ranking-candidate.ts';

/** Pairs of query terms adjacent in the query, each distinct pair once. */
export function adjacentTermPairs(queryTerms: readonly string[]): Array<[string, string]> {
  const seen = new Set<string>();
  const pairs: Array<[string, string]> = [];
  for (let index = 1; index < queryTerms.length; index += 1) {
    const first = queryTerms[index - 1]!;
    const second = queryTerms[index]!;
    const key = `${first}\u0000${second}`;
    if (first === second || seen.has(key)) continue;
    seen.add(key);
    pairs.push([first, second]);
  }
  return pairs;
}

export interface ProximitySettings {
  /** The score is multiplied by 1 + weight × (share of the query's adjacent pairs found close together). */
  weight: number;
  /** A pair counts when its second term follows the first within this many terms (1: adjacent). */
  window: number;
}

/**
 * Phrase and proximity bonus: for each pair of terms adjacent in the query ("pull
 * request", or two overlapping Chinese bigrams, i.e. a trigram), checks whether the
 * chunk has them in that order within `window` terms. Reads the candidates' `text`
 * (and title and headings); a candidate without text keeps its score.
 */
export function boostProximity<T extends RankingCandidate>(
  candidates: readonly T[],
  queryTerms: readonly string[],
  settings: ProximitySettings,
  tokenize: (text: string) => string[] = lexicalTerms,
): T[] {
  const pairs = adjacentTermPairs(queryTerms);
  if (pairs.length === 0) return [...candidates];
  const wanted = new Set(queryTerms);
  return byScoreDescending(
    candidates.map((candidate) => {
      if (candidate.text === undefined) return candidate;
      const fields = [candidate.title ?? '', ...(candidate.headingPath ?? []), candidate.text];
      const found = pairsFound(fields.map(tokenize), wanted, pairs, settings.window);
      return { ...candidate, score: candidate.score * (1 + (settings.weight * found) / pairs.length) };
    }),
  );
}

function pairsFound(
  fields: readonly string[][],
  wanted: ReadonlySet<string>,
  pairs: ReadonlyArray<[string, string]>,
  window: number,
): number {
  const positions = new Map<string, number[]>();
  let offset = 0;
  for (const terms of fields) {
    terms.forEach((term, index) => {
      if (!wanted.has(term)) return;
      const list = positions.get(term);
      if (list) list.push(offset + index);
      else positions.set(term, [offset + index]);
    });
    // Fields never join into a phrase.
    offset += terms.length + window + 1;
  }
  let found = 0;
  for (const [first, second] of pairs) {
    const after = positions.get(second);
    const before = positions.get(first);
    if (!before || !after) continue;
    if (before.some((position) => after.some((next) => next > position && next - position <= window))) found += 1;
  }
  return found;
}
