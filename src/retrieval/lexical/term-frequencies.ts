import { lexicalTerms } from './lexical-terms.ts';

/** Each lexical term of `text` with the number of times it occurs: a chunk's postings. */
export function termFrequencies(text: string, terms: (text: string) => string[] = lexicalTerms): Map<string, number> {
  const frequencies = new Map<string, number>();
  for (const term of terms(text)) frequencies.set(term, (frequencies.get(term) ?? 0) + 1);
  return frequencies;
}
