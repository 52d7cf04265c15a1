import { describe, expect, it } from 'vitest';
import { feedbackTerms, searchWithFeedback, type CandidateSearch } from '../../../bench/ranking-experiments/index.ts';

const tokenize = (text: string) => text.split(/\s+/).filter(Boolean);

describe('feedbackTerms', () => {
  const candidates = [
    { chunkId: '1', documentId: 'A', score: 4, text: 'hub keycloak realm keycloak' },
    { chunkId: '2', documentId: 'B', score: 2, text: 'hub keycloak client' },
    { chunkId: '3', documentId: 'C', score: 1, text: 'hub sidebar' },
    { chunkId: '4', documentId: 'D', score: 1, text: 'hub theme' },
  ];

  it('takes the terms of the top chunks, weighted by score, without the query terms or terms in every candidate', () => {
    const terms = feedbackTerms(candidates, ['realm'], { feedbackChunks: 2, expansionTerms: 2 }, tokenize);
    expect(terms.map((entry) => entry.term)).toEqual(['keycloak', 'client']);
  });
});

describe('searchWithFeedback', () => {
  it('searches again with the expanded query and interpolates the normalised scores', async () => {
    const searched: string[][] = [];
    const search: CandidateSearch = async (terms) => {
      searched.push(terms);
      return [
        { chunkId: '9', documentId: 'Z', score: 10 },
        { chunkId: '1', documentId: 'A', score: 5 },
      ];
    };
    const candidates = [
      { chunkId: '1', documentId: 'A', score: 4, text: 'realm keycloak' },
      { chunkId: '2', documentId: 'B', score: 2, text: 'realm theme' },
    ];
    const result = await searchWithFeedback(
      candidates,
      ['realm'],
      search,
      { feedbackChunks: 2, expansionTerms: 1, expandedWeight: 0.5, limit: 10 },
      tokenize,
    );
    expect(searched).toEqual([['realm', 'keycloak']]);
    expect(result.map((candidate) => [candidate.chunkId, candidate.score])).toEqual([
      ['1', 0.75],
      ['9', 0.5],
      ['2', 0.25],
    ]);
  });
});
