import { lexicalTerms } from '../lexical/index.ts';
import type { DocumentAggregation } from './aggregate-document-scores.ts';
import { rerankByDocumentScore } from './aggregate-document-scores.ts';
import { boostHeadingMatches } from './heading-match-boost.ts';
import type { ProximitySettings } from './proximity-boost.ts';
import { boostProximity } from './proximity-boost.ts';
import type { RankingCandidate } from './ranking-candidate.ts';

export interface RerankingSettings {
  /** Phrase bonus for query terms adjacent in the chunk as in the query; null turns it off. */
  proximity: ProximitySettings | null;
  /** Breadcrumb field boost: score × (1 + weight × share of query terms in title or headings); 0 turns it off. */
  headingWeight: number;
  /** How a document's chunks add up, applied last. */
  aggregation: DocumentAggregation;
}

/**
 * Measured on both eval sets (docs/lexical-retrieval.md, "Ranking beyond BM25") over the
 * top 50–100 BM25 chunks; each part helps at least one set and harms neither, and
 * neighbouring values (heading weight 0.5–1, next-chunk weight 0.2–0.3 over 2–4 chunks)
 * score within about 0.015 MRR@5.
 */
export const rerankingDefaults: RerankingSettings = Object.freeze({
  proximity: Object.freeze({ weight: 0.3, window: 1 }),
  headingWeight: 0.5,
  aggregation: Object.freeze({ method: 'max-plus-next', weight: 0.2, depth: 5 }) as DocumentAggregation,
});

/**
 * Reranks first-stage chunk candidates (best first, the top 50 of the lexical leg, with
 * `text`, `title` and `headingPath`) for a query's lexical terms, in their query order with repeats:
 * a phrase bonus, then the breadcrumb boost (both multiply the score, so their order
 * does not matter), then document-level aggregation, which lifts every chunk of a
 * document that has several good chunks. Documents rank by their first chunk in the
 * result. Scores stay in first-stage units, comparable only within one result.
 */
export function rerankCandidates<T extends RankingCandidate>(
  candidates: readonly T[],
  queryTerms: readonly string[],
  settings: RerankingSettings = rerankingDefaults,
  tokenize: (text: string) => string[] = lexicalTerms,
): T[] {
  let ranked: T[] = [...candidates];
  if (settings.proximity) ranked = boostProximity(ranked, queryTerms, settings.proximity, tokenize);
  if (settings.headingWeight > 0) ranked = boostHeadingMatches(ranked, queryTerms, settings.headingWeight, tokenize);
  return rerankByDocumentScore(ranked, settings.aggregation);
}
