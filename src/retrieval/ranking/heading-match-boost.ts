import { lexicalTerms } from '../lexical/index.ts';
import type { RankingCandidate } from './ranking-candidate.ts';
import { byScoreDescending } from './ranking-candidate.ts';

/**
 * Field boosting of the breadcrumb: a chunk's score is multiplied by
 * 1 + weight × (share of the query's distinct terms found in its title or headings),
 * so a query term matched in the breadcrumb counts more than one in the body.
 */
export function boostHeadingMatches<T extends RankingCandidate>(
  candidates: readonly T[],
  queryTerms: readonly string[],
  weight: number,
  tokenize: (text: string) => string[] = lexicalTerms,
): T[] {
  const query = new Set(queryTerms);
  if (query.size === 0) return [...candidates];
  const cache = new Map<string, Set<string>>();
  const termsOf = (text: string) => {
    let terms = cache.get(text);
    if (!terms) cache.set(text, (terms = new Set(tokenize(text))));
    return terms;
  };
  return byScoreDescending(
    candidates.map((candidate) => {
      const fields = [candidate.title ?? '', ...(candidate.headingPath ?? [])].map(termsOf);
      let matched = 0;
      for (const term of query) if (fields.some((field) => field.has(term))) matched += 1;
      return { ...candidate, score: candidate.score * (1 + (weight * matched) / query.size) };
    }),
  );
}
