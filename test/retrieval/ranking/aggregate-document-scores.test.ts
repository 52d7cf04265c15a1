import { describe, expect, it } from 'vitest';
import { aggregateDocumentScores, rerankByDocumentScore } from '../../../src/retrieval/ranking/index.ts';

const chunk = (chunkId: string, documentId: string, score: number) => ({ chunkId, documentId, score });

describe('aggregateDocumentScores', () => {
  const candidates = [chunk('a1', 'A', 10), chunk('b1', 'B', 9), chunk('b2', 'B', 8), chunk('a2', 'A', 1)];

  it('max ranks documents by their best chunk', () => {
    expect(aggregateDocumentScores(candidates, { method: 'max' }).map((document) => document.documentId)).toEqual(['A', 'B']);
  });

  it('max + next: a document with two strong chunks outranks one with a single slightly stronger chunk', () => {
    const ranked = aggregateDocumentScores(candidates, { method: 'max-plus-next', weight: 0.3, depth: 3 });
    expect(ranked).toEqual([
      { documentId: 'B', score: 9 + 0.3 * 8, bestChunkScore: 9 },
      { documentId: 'A', score: 10 + 0.3 * 1, bestChunkScore: 10 },
    ]);
  });

  it('max + next: one clearly better chunk still beats several weak ones', () => {
    const ranked = aggregateDocumentScores(
      [chunk('a1', 'A', 20), chunk('b1', 'B', 9), chunk('b2', 'B', 8), chunk('b3', 'B', 8), chunk('b4', 'B', 8)],
      { method: 'max-plus-next', weight: 0.3, depth: 3 },
    );
    expect(ranked.map((document) => document.documentId)).toEqual(['A', 'B']);
    expect(ranked[1]!.score).toBeCloseTo(9 + 0.3 * 16);
  });

  it('sum-top and comb-mnz add up chunks; candidates need not come sorted', () => {
    const shuffled = [...candidates].reverse();
    expect(aggregateDocumentScores(shuffled, { method: 'sum-top', depth: 2 })).toEqual([
      { documentId: 'B', score: 17, bestChunkScore: 9 },
      { documentId: 'A', score: 11, bestChunkScore: 10 },
    ]);
    expect(aggregateDocumentScores(shuffled, { method: 'comb-mnz' }).map((document) => document.score)).toEqual([34, 22]);
  });

  it('breaks equal document scores by the order of their best chunks', () => {
    const ranked = aggregateDocumentScores([chunk('x', 'X', 5), chunk('y', 'Y', 5)], { method: 'max' });
    expect(ranked.map((document) => document.documentId)).toEqual(['X', 'Y']);
  });
});

describe('rerankByDocumentScore', () => {
  const candidates = [chunk('a1', 'A', 10), chunk('b1', 'B', 9), chunk('c1', 'C', 8.5), chunk('b2', 'B', 8), chunk('a2', 'A', 1)];

  it('lifts every chunk of a document by what its other chunks add', () => {
    const reranked = rerankByDocumentScore(candidates, { method: 'max-plus-next', weight: 0.3, depth: 3 });
    expect(reranked.map((candidate) => candidate.chunkId)).toEqual(['b1', 'b2', 'a1', 'c1', 'a2']);
    expect(reranked[0]!.score).toBeCloseTo(9 + 0.3 * 8);
    expect(reranked[1]!.score).toBeCloseTo(8 + 0.3 * 8);
    expect(reranked[2]!.score).toBeCloseTo(10 + 0.3 * 1);
  });

  it('never puts a chunk above a better chunk of its own document', () => {
    const reranked = rerankByDocumentScore(candidates, { method: 'sum-top', depth: 3 });
    for (const documentId of ['A', 'B']) {
      const own = reranked.filter((candidate) => candidate.documentId === documentId).map((candidate) => candidate.chunkId);
      expect(own).toEqual(candidates.filter((candidate) => candidate.documentId === documentId).map((candidate) => candidate.chunkId));
    }
  });

  it('keeps the order, and the extra fields, under max', () => {
    const withText = candidates.map((candidate) => ({ ...candidate, text: candidate.chunkId }));
    expect(rerankByDocumentScore(withText, { method: 'max' })).toEqual(withText);
  });
});
