import { describe, expect, it } from 'vitest';
import { rerankCandidates, rerankingDefaults } from '../../../src/retrieval/ranking/index.ts';
import { lexicalTerms } from '../../../src/retrieval/lexical/index.ts';

const terms = lexicalTerms('rotate the signing key');

describe('rerankCandidates', () => {
  it('puts a page with several matching chunks, a matching heading and the phrase above a single slightly better chunk', () => {
    const ranked = rerankCandidates(
      [
        { chunkId: 'x1', documentId: 'X', score: 10, title: 'Release notes', text: 'A key may be rotated. Signing is optional.' },
        { chunkId: 'y1', documentId: 'Y', score: 9.5, title: 'Keys', headingPath: ['Rotating the signing key'], text: 'To rotate the signing key, run the command.' },
        { chunkId: 'y2', documentId: 'Y', score: 6, title: 'Keys', headingPath: ['Rotating the signing key'], text: 'After the rotation, restart.' },
      ],
      terms,
    );
    expect(ranked.map((candidate) => candidate.chunkId)).toEqual(['y1', 'y2', 'x1']);
  });

  it('keeps a much better chunk first', () => {
    const ranked = rerankCandidates(
      [
        { chunkId: 'x1', documentId: 'X', score: 30, title: 'Release notes', text: 'rotate signing key' },
        { chunkId: 'y1', documentId: 'Y', score: 9, title: 'Keys', text: 'rotate the signing key' },
        { chunkId: 'y2', documentId: 'Y', score: 8, title: 'Keys', text: 'signing key' },
      ],
      terms,
    );
    expect(ranked[0]!.chunkId).toBe('x1');
  });

  it('changes nothing with every part turned off', () => {
    const candidates = [
      { chunkId: 'a', documentId: 'A', score: 2, text: 'signing key' },
      { chunkId: 'b', documentId: 'B', score: 1, title: 'Signing key', text: 'rotate the signing key' },
    ];
    expect(
      rerankCandidates(candidates, terms, { ...rerankingDefaults, proximity: null, headingWeight: 0, aggregation: { method: 'max' } }),
    ).toEqual(candidates);
  });

  it('returns nothing for no candidates', () => {
    expect(rerankCandidates([], terms)).toEqual([]);
  });
});
