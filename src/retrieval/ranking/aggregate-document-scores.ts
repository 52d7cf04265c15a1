import type { RankingCandidate } from './ranking-candidate.ts';
import { byScoreDescending } from './ranking-candidate.ts';

/**
 * How a document's score is made from the scores of its chunks in the candidate list:
 * - max: its best chunk (what ranking chunks alone gives);
 * - max-plus-next: its best chunk plus `weight` times each of its next `depth − 1` chunks;
 * - sum-top: the sum of its best `depth` chunks;
 * - comb-mnz: the sum of all its chunks times how many there are.
 */
export type DocumentAggregation =
  | { method: 'max' }
  | { method: 'max-plus-next'; weight: number; depth: number }
  | { method: 'sum-top'; depth: number }
  | { method: 'comb-mnz' };

export interface DocumentScore {
  documentId: string;
  score: number;
  /** The document's best chunk score. */
  bestChunkScore: number;
}

/** Documents of the candidates, best first by `aggregation`; ties keep the order of their best chunk. */
export function aggregateDocumentScores(
  candidates: readonly RankingCandidate[],
  aggregation: DocumentAggregation,
): DocumentScore[] {
  const chunkScores = new Map<string, number[]>();
  for (const candidate of byScoreDescending(candidates)) {
    const scores = chunkScores.get(candidate.documentId);
    if (scores) scores.push(candidate.score);
    else chunkScores.set(candidate.documentId, [candidate.score]);
  }
  const documents = [...chunkScores].map(([documentId, scores]) => ({
    documentId,
    score: aggregate(scores, aggregation),
    bestChunkScore: scores[0]!,
  }));
  return byScoreDescending(documents);
}

function aggregate(scores: readonly number[], aggregation: DocumentAggregation): number {
  const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);
  switch (aggregation.method) {
    case 'max':
      return scores[0]!;
    case 'max-plus-next':
      return scores[0]! + aggregation.weight * sum(scores.slice(1, Math.max(1, aggregation.depth)));
    case 'sum-top':
      return sum(scores.slice(0, Math.max(1, aggregation.depth)));
    case 'comb-mnz':
      return sum(scores) * scores.length;
  }
}

/**
 * Reorders chunks so that documents come in the order of `aggregateDocumentScores`:
 * every chunk of a document is lifted by what the aggregation adds to the document's
 * best chunk (its score becomes score − best + document score). The best chunk of each
 * document then carries the document's score, a chunk never passes a better chunk of
 * its own document, and the first appearance of each document follows the document
 * ranking. Scores are in first-stage units.
 */
export function rerankByDocumentScore<T extends RankingCandidate>(
  candidates: readonly T[],
  aggregation: DocumentAggregation,
): T[] {
  const lift = new Map(
    aggregateDocumentScores(candidates, aggregation).map((document) => [
      document.documentId,
      document.score - document.bestChunkScore,
    ]),
  );
  return byScoreDescending(
    candidates.map((candidate) => ({ ...candidate, score: candidate.score + (lift.get(candidate.documentId) ?? 0) })),
  );
}
