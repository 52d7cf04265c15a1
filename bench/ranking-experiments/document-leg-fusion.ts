import { byScoreDescending, type RankingCandidate } from '../../src/retrieval/ranking/index.ts';

/** A document found by a document-level search (whole document or title), best first. */
export interface DocumentMatch {
  documentId: string;
  score: number;
}

/**
 * How a document-level ranking joins the chunk ranking:
 * - rrf: a chunk scores 1/(k + its rank) + weight/(k + its document's rank in the document leg);
 * - normalised: a chunk scores its score / the best chunk score + weight × its document's score / the best document score.
 */
export type DocumentLegFusion = { method: 'rrf'; k: number; weight: number } | { method: 'normalised'; weight: number };

/**
 * Fuses a document-level leg into the chunk ranking: every chunk of a document the
 * leg found gains the same amount, so documents rank by the fusion of their best
 * chunk and their document-level score. Chunks of documents the leg did not find
 * gain nothing; documents only the leg found are not added (they have no chunk).
 */
export function fuseDocumentLeg<T extends RankingCandidate>(
  candidates: readonly T[],
  documents: readonly DocumentMatch[],
  fusion: DocumentLegFusion,
): T[] {
  const ranked = byScoreDescending(candidates);
  const topChunk = ranked[0]?.score ?? 0;
  const rankedDocuments = byScoreDescending(documents);
  const topDocument = rankedDocuments[0]?.score ?? 0;
  const documentGain = new Map<string, number>();
  rankedDocuments.forEach((document, index) => {
    if (documentGain.has(document.documentId)) return;
    const gain =
      fusion.method === 'rrf'
        ? fusion.weight / (fusion.k + index + 1)
        : topDocument > 0
          ? (fusion.weight * document.score) / topDocument
          : 0;
    documentGain.set(document.documentId, gain);
  });
  return byScoreDescending(
    ranked.map((candidate, index) => {
      const own = fusion.method === 'rrf' ? 1 / (fusion.k + index + 1) : topChunk > 0 ? candidate.score / topChunk : 0;
      return { ...candidate, score: own + (documentGain.get(candidate.documentId) ?? 0) };
    }),
  );
}
