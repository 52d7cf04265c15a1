import { lexicalTerms } from '../../src/retrieval/lexical/index.ts';
import { byScoreDescending, type RankingCandidate } from '../../src/retrieval/ranking/index.ts';

/** A chunk-level search the caller binds to its database and KB: the query's terms and how many chunks to return, best first. */
export type CandidateSearch = (
  terms: string[],
  limit: number,
) => Promise<Array<{ chunkId: string; documentId: string; score: number }>>;

export interface FeedbackSettings {
  /** Top chunks read for expansion terms. */
  feedbackChunks: number;
  /** Expansion terms added to the query. */
  expansionTerms: number;
  /** Share of the expanded search in the final score (RM3's 1 − λ). */
  expandedWeight: number;
  /** Chunks fetched by the expanded search. */
  limit: number;
}

/**
 * RM3-style expansion terms: each term of the top `feedbackChunks` chunks weighs
 * Σ (its frequency / chunk length) × (chunk score / sum of their scores), times a
 * local idf, log(candidates / candidates holding it), so that a term present in every
 * candidate (a product name in every breadcrumb) adds nothing. Query terms excluded.
 */
export function feedbackTerms(
  candidates: readonly RankingCandidate[],
  queryTerms: readonly string[],
  settings: Pick<FeedbackSettings, 'feedbackChunks' | 'expansionTerms'>,
  tokenize: (text: string) => string[] = lexicalTerms,
): Array<{ term: string; weight: number }> {
  const withText = byScoreDescending(candidates).filter((candidate) => candidate.text !== undefined);
  const termsOf = withText.map((candidate) => tokenize(`${candidate.title ?? ''}\n${candidate.text!}`));
  const holding = new Map<string, number>();
  for (const terms of termsOf) for (const term of new Set(terms)) holding.set(term, (holding.get(term) ?? 0) + 1);
  const feedback = withText.slice(0, settings.feedbackChunks);
  const totalScore = feedback.reduce((total, candidate) => total + Math.max(0, candidate.score), 0);
  if (totalScore <= 0) return [];
  const query = new Set(queryTerms);
  const weights = new Map<string, number>();
  feedback.forEach((candidate, index) => {
    const terms = termsOf[index]!;
    if (terms.length === 0) return;
    const relevance = Math.max(0, candidate.score) / totalScore;
    for (const term of terms) {
      if (query.has(term)) continue;
      weights.set(term, (weights.get(term) ?? 0) + relevance / terms.length);
    }
  });
  return [...weights]
    .map(([term, weight]) => ({ term, weight: weight * Math.log(withText.length / holding.get(term)!) }))
    .filter((entry) => entry.weight > 0)
    .sort((left, right) => right.weight - left.weight || (left.term < right.term ? -1 : 1))
    .slice(0, settings.expansionTerms);
}

/**
 * Pseudo-relevance feedback: expands the query with `feedbackTerms` of the first
 * search's candidates (which need `text`), searches again with the expanded terms
 * through `search`, and interpolates the two max-normalised scores per chunk.
 */
export async function searchWithFeedback(
  candidates: readonly RankingCandidate[],
  queryTerms: readonly string[],
  search: CandidateSearch,
  settings: FeedbackSettings,
  tokenize: (text: string) => string[] = lexicalTerms,
): Promise<RankingCandidate[]> {
  const expansion = feedbackTerms(candidates, queryTerms, settings, tokenize);
  if (expansion.length === 0) return byScoreDescending(candidates);
  const expanded = await search([...new Set(queryTerms), ...expansion.map((entry) => entry.term)], settings.limit);
  const normalise = (items: ReadonlyArray<{ chunkId: string; score: number }>) => {
    const top = Math.max(0, ...items.map((item) => item.score));
    return new Map(items.map((item) => [item.chunkId, top > 0 ? item.score / top : 0]));
  };
  const original = normalise(candidates);
  const second = normalise(expanded);
  const byChunk = new Map<string, RankingCandidate>();
  for (const candidate of [...candidates, ...expanded]) if (!byChunk.has(candidate.chunkId)) byChunk.set(candidate.chunkId, candidate);
  return byScoreDescending(
    [...byChunk.values()].map((candidate) => ({
      ...candidate,
      score:
        (1 - settings.expandedWeight) * (original.get(candidate.chunkId) ?? 0) +
        settings.expandedWeight * (second.get(candidate.chunkId) ?? 0),
    })),
  );
}
