import { describe, expect, it } from 'vitest';
import { UseLiteTokenizer } from '../../src/embedders/use-lite-tokenizer.ts';
import type { UseLiteVocabulary } from '../../src/embedders/use-lite-tokenizer.ts';

/**
 * The cases and stub vocabulary of tensorflow/tfjs-models'
 * universal-sentence-encoder/src/tokenizer_test.ts (Apache-2.0, Copyright 2019 Google LLC),
 * which the port must reproduce.
 */
const stubVocabulary: UseLiteVocabulary = [
  ['�', 0],
  ['<s>', 0],
  ['</s>', 0],
  ['extra_token_id_1', 0],
  ['extra_token_id_2', 0],
  ['extra_token_id_3', 0],
  ['▁', -2],
  ['▁a', -1],
  ['▁ç', -2],
  ['a', -3],
  ['.', -1],
  ['▁I', -1],
  ['▁like', -1],
  ['▁it', -1],
  ['I', -2],
  ['like', -2],
  ['it', -2],
  ['l', -3],
  ['i', -3],
  ['k', -3],
  ['e', -3],
  ['i', -3],
  ['t', -3],
];

describe('the USE lite SentencePiece tokenizer', () => {
  const tokenizer = new UseLiteTokenizer(stubVocabulary);

  it('finds the best-scoring segmentation', () => {
    expect(tokenizer.encode('Ilikeit.')).toEqual([11, 15, 16, 10]);
  });

  it('marks word boundaries', () => {
    expect(tokenizer.encode('I like it.')).toEqual([11, 12, 13, 10]);
  });

  it('normalises to NFKC first', () => {
    expect(tokenizer.encode('ça')).toEqual(tokenizer.encode('c\u0327a'));
  });

  it('turns a run of unknown symbols into one unknown token, astral ones included', () => {
    expect(tokenizer.encode('a😹😹')).toEqual([7, 0]);
    expect(tokenizer.encode('😹')).toEqual([6, 0]);
  });

  it('gives no tokens for an empty text', () => {
    expect(tokenizer.encode('')).toEqual([]);
  });
});
