import { describe, expect, it } from 'vitest';
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
