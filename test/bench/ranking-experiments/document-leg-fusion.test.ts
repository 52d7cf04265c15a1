import { describe, expect, it } from 'vitest';
import { fuseDocumentLeg } from '../../../bench/ranking-experiments/index.ts';

const chunk = (chunkId: string, documentId: string, score: number) => ({ chunkId, documentId, score });

describe('fuseDocumentLeg', () => {
  const candidates = [chunk('a1', 'A', 10), chunk('b1', 'B', 9.9), chunk('a2', 'A', 5)];

  it('rrf: a document the document leg ranks first overtakes a chunk just ahead of it', () => {
    const fused = fuseDocumentLeg(candidates, [{ documentId: 'B', score: 3 }, { documentId: 'A', score: 1 }], { method: 'rrf', k: 60, weight: 2 });
    expect(fused.map((candidate) => candidate.chunkId)).toEqual(['b1', 'a1', 'a2']);
    expect(fused[0]!.score).toBeCloseTo(1 / 62 + 2 / 61);
  });

  it('rrf: with equal weights, swapped ranks in the two legs tie and the chunk order decides', () => {
    const fused = fuseDocumentLeg(candidates, [{ documentId: 'B', score: 3 }, { documentId: 'A', score: 1 }], { method: 'rrf', k: 60, weight: 1 });
    expect(fused.map((candidate) => candidate.chunkId)).toEqual(['a1', 'b1', 'a2']);
    expect(fused[0]!.score).toBeCloseTo(1 / 62 + 1 / 61);
  });

  it('normalised: adds weight × the document score over the best document score', () => {
    const fused = fuseDocumentLeg(candidates, [{ documentId: 'A', score: 4 }, { documentId: 'B', score: 2 }], {
      method: 'normalised',
      weight: 0.5,
    });
    expect(fused.map((candidate) => [candidate.chunkId, candidate.score])).toEqual([
      ['a1', 1.5],
      ['b1', 0.99 + 0.25],
      ['a2', 1],
    ]);
  });

  it('adds nothing to documents the leg did not find and never adds documents', () => {
    const fused = fuseDocumentLeg(candidates, [{ documentId: 'Z', score: 9 }], { method: 'rrf', k: 60, weight: 1 });
    expect(fused.map((candidate) => candidate.chunkId)).toEqual(['a1', 'b1', 'a2']);
  });
});
