/**
 * A chunk found by a first-stage search, as the rerankers of this folder take it: what
 * `searchLexical` returns, plus the chunk's data where a technique reads it.
 */
export interface RankingCandidate {
  chunkId: string;
  documentId: string;
  /** First-stage score, higher is better (BM25 for the lexical leg). */
  score: number;
  text?: string;
  /** Headings above the chunk, outermost first. */
  headingPath?: readonly string[];
  /** The document's title. */
  title?: string | null;
  /** 0-based position of the chunk in its document. */
  ordinal?: number;
}

/** Best first; equal scores keep their incoming order (the search's tie-break by chunk id). */
export function byScoreDescending<T extends { score: number }>(items: readonly T[]): T[] {
  return items
    .map((item, index) => ({ item, index }))
    .sort((left, right) => right.item.score - left.item.score || left.index - right.index)
    .map(({ item }) => item);
}
