import { describe, expect, it } from 'vitest';
import { termsCoveredByEquivalents } from '../../src/answer/equivalent-terms.ts';
import { correctedSpelling } from '../../src/answer/key-terms.ts';
import { lexicalTerms } from '../../src/retrieval/index.ts';

describe('correctedSpelling', () => {
  const vocabulary = new Set(lexicalTerms('Install the plugin in a disconnected environment with a custom registry.'));

  it.each([
    ['disconect', 'disconnect'],
    ['plugn', 'plugin'],
    ['custm', 'custom'],
  ])('reads %j as the passage term %j', (misspelt, intended) => {
    expect(correctedSpelling(lexicalTerms(misspelt)[0]!, vocabulary)).toBe(lexicalTerms(intended)[0]);
  });

  it('leaves words that are no misspelling of a passage term, and short ones, alone', () => {
    expect(correctedSpelling('bitcoin', vocabulary)).toBeUndefined();
    expect(correctedSpelling('regulatori', vocabulary)).toBeUndefined();
    expect(correctedSpelling('plug', new Set(['plum']))).toBeUndefined();
  });
});

describe('termsCoveredByEquivalents', () => {
  const covered = (question: string, passage: string) =>
    [...termsCoveredByEquivalents(lexicalTerms(question), new Set(lexicalTerms(passage)))].sort();

  it('counts an abbreviation, a spelling or another word for the same thing as found', () => {
    expect(covered('JWT auth middleware', 'The middleware provides authentication.')).toEqual(['auth']);
    expect(covered('How do I customise colours?', 'Customize the color of buttons.')).toEqual(['colour', 'customis']);
    expect(covered('What is a JSON web token?', 'Send the JWT in the header.')).toEqual(['json', 'token', 'web']);
    expect(covered('ref 和 reactive 有什么区别', 'ref 与 reactive 的不同')).toEqual(['区别']);
    expect(covered('Which router should I use?', 'Each route has a handler.')).toEqual(['router']);
  });

  it('does not chain groups or read short words as another', () => {
    // "auth" stands for authentication and for authorization, which are not thereby one thing.
    expect(covered('authentication', 'authorization')).toEqual([]);
    expect(covered('user', 'use')).toEqual([]);
    expect(covered('Bitcoin payments', 'Card payments')).toEqual([]);
  });
});
