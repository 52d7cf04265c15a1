/** One leg's ranking: chunk ids best first. */
export interface RankedLeg {
  chunkIds: readonly string[];
  /** Leg weight in the fusion; 1 unless a caller has measured better. */
  weight?: number;
}

/**
 * Reciprocal rank fusion (Cormack et al., 2009): Σ weight / (k + rank). Ranks, not
 * scores, are fused, because BM25 scores and cosine similarities live on scales that
 * no fixed normalisation makes comparable across queries and KBs. k = 60 is the
 * published default; with no offline embedding model to tune against here we keep it
 * (docs/retrieval.md).
 */
export function reciprocalRankFusion(legs: readonly RankedLeg[], k = 60): Map<string, number> {
  const fused = new Map<string, number>();
  for (const leg of legs) {
    const weight = leg.weight ?? 1;
    leg.chunkIds.forEach((chunkId, index) => {
      fused.set(chunkId, (fused.get(chunkId) ?? 0) + weight / (k + index + 1));
    });
  }
  return fused;
}

/**
 * Keeps at most `maxPerDocument` chunks of one document among the first picks, so the
 * top k is not five chunks of one page; the chunks held back fill any places left.
 */
export function diversifyByDocument<T extends { documentId: string }>(ranked: readonly T[], limit: number, maxPerDocument: number): T[] {
  const picked: T[] = [];
  const heldBack: T[] = [];
  const perDocument = new Map<string, number>();
  for (const item of ranked) {
    if (picked.length >= limit) break;
    const count = perDocument.get(item.documentId) ?? 0;
    if (count < maxPerDocument) {
      picked.push(item);
      perDocument.set(item.documentId, count + 1);
    } else {
      heldBack.push(item);
    }
  }
  for (const item of heldBack) {
    if (picked.length >= limit) break;
    picked.push(item);
  }
  return picked;
}
