import { describe, expect, it } from 'vitest';
import { boostHeadingMatches } from '../../../src/retrieval/ranking/index.ts';
import { lexicalTerms } from '../../../src/retrieval/lexical/index.ts';

describe('boostHeadingMatches', () => {
  it('multiplies the score by 1 + weight × the share of query terms in the title or headings', () => {
    const terms = lexicalTerms('configure the catalog plugin');
    const boosted = boostHeadingMatches(
      [
        { chunkId: '1', documentId: 'A', score: 10, title: 'Release notes', headingPath: ['Known issues'] },
        { chunkId: '2', documentId: 'B', score: 9, title: 'Plugins', headingPath: ['Configuring the catalog'] },
      ],
      terms,
      0.5,
    );
    expect(boosted.map((candidate) => candidate.chunkId)).toEqual(['2', '1']);
    expect(boosted[0]!.score).toBeCloseTo(9 * 1.5);
    expect(boosted[1]!.score).toBe(10);
  });

  it('leaves candidates without a breadcrumb as they are', () => {
    const candidates = [{ chunkId: '1', documentId: 'A', score: 3 }];
    expect(boostHeadingMatches(candidates, ['catalog'], 0.5)).toEqual(candidates);
  });
});
