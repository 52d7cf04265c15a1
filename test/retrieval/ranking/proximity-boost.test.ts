import { describe, expect, it } from 'vitest';
import { adjacentTermPairs, boostProximity } from '../../../src/retrieval/ranking/index.ts';
import { lexicalTerms } from '../../../src/retrieval/lexical/index.ts';

describe('adjacentTermPairs', () => {
  it('pairs each query term with the next, once per distinct pair', () => {
    expect(adjacentTermPairs(['pull', 'request', 'pull', 'request'])).toEqual([
      ['pull', 'request'],
      ['request', 'pull'],
    ]);
    expect(adjacentTermPairs(['one'])).toEqual([]);
  });
});

describe('boostProximity', () => {
  const terms = lexicalTerms('pull request template');

  it('favours a chunk with the query terms as a phrase over one with them scattered', () => {
    const boosted = boostProximity(
      [
        { chunkId: 'scattered', documentId: 'A', score: 10, text: 'A template can pull data. Each request is logged.' },
        { chunkId: 'phrase', documentId: 'B', score: 9, text: 'Create a pull request template in the repository.' },
      ],
      terms,
      { weight: 0.3, window: 1 },
    );
    expect(boosted.map((candidate) => [candidate.chunkId, candidate.score])).toEqual([
      ['phrase', 9 * 1.3],
      ['scattered', 10],
    ]);
  });

  it('matches Chinese phrases through overlapping bigrams', () => {
    const chinese = lexicalTerms('中法学院');
    const [boosted] = boostProximity([{ chunkId: '1', documentId: 'A', score: 2, text: '中法学院开设金融学' }], chinese, {
      weight: 1,
      window: 1,
    });
    expect(boosted!.score).toBe(4);
  });

  it('does not join the last heading word and the first body word into a phrase', () => {
    const [boosted] = boostProximity(
      [{ chunkId: '1', documentId: 'A', score: 2, headingPath: ['Open a pull'], text: 'request body' }],
      lexicalTerms('pull request'),
      { weight: 1, window: 1 },
    );
    expect(boosted!.score).toBe(2);
  });
});
