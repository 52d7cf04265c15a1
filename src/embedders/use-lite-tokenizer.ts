/**
 * @license
 * Copyright 2019 Google LLC. All Rights Reserved.
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 * http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 *
 * Ported to Oriole from tensorflow/tfjs-models, universal-sentence-encoder/src/tokenizer
 * (index.ts and trie.ts), as also vendored by @energetic-ai/embeddings. Changes: one
 * file, strict types, and the backward pass steps back by the matched piece's length
 * in code points (the original used UTF-16 length, wrong for pieces outside the BMP).
 */

/**
 * The Universal Sentence Encoder lite's SentencePiece tokenizer: a port of
 * SentencePiece's `EncodeAsIds` for its unigram model. Viterbi search over every
 * segmentation of the text into vocabulary pieces, maximising the summed scores.
 */

/** [piece, score] pairs in id order: USE lite's vocab.json. */
export type UseLiteVocabulary = ReadonlyArray<readonly [string, number]>;

/** U+2581 'LOWER ONE EIGHTH BLOCK': SentencePiece's word-boundary marker. */
const separator = '\u2581';
/** Ids below this are reserved (unknown, control and user-defined symbols) and never matched. */
const reservedSymbolsCount = 6;
const unknownId = 0;

interface Piece {
  /** Length in code points. */
  length: number;
  score: number;
  id: number;
}

interface TrieNode {
  children: Map<string, TrieNode>;
  piece: Piece | undefined;
}

export class UseLiteTokenizer {
  private readonly root: TrieNode = { children: new Map(), piece: undefined };

  constructor(vocabulary: UseLiteVocabulary) {
    for (let id = reservedSymbolsCount; id < vocabulary.length; id += 1) {
      const [text, score] = vocabulary[id]!;
      this.insert(text, score, id);
    }
  }

  encode(input: string): number[] {
    const symbols = Array.from(processInput(input));
    const count = symbols.length;
    // best[end]: the best score of a segmentation of symbols[0, end); 0 means "none yet", as in the original.
    const best = new Array<number>(count + 1).fill(0);
    const bestId = new Array<number>(count + 1).fill(unknownId);
    const bestStart = new Array<number>(count + 1).fill(0);
    const endingAt: Array<Array<{ start: number; piece: Piece }>> = Array.from({ length: count + 1 }, () => []);

    // The lattice: every vocabulary piece that starts at each position.
    for (let start = 0; start < count; start += 1) {
      for (const piece of this.prefixesOf(symbols, start)) endingAt[start + piece.length]!.push({ start, piece });
    }

    for (let end = 0; end <= count; end += 1) {
      // Filled in ascending start order, as the original iterates its integer object keys.
      for (const { start, piece } of endingAt[end]!) {
        const score = piece.score + best[start]!;
        if (best[end] === 0 || score >= best[end]!) {
          best[end] = score;
          bestId[end] = piece.id;
          bestStart[end] = start;
        }
      }
    }

    const reversed: number[] = [];
    for (let end = count; end > 0; end = bestStart[end]!) reversed.push(bestId[end]!);

    // Consecutive unknown symbols become one unknown token.
    const merged: number[] = [];
    let previousWasUnknown = false;
    for (const id of reversed) {
      if (!(previousWasUnknown && id === unknownId)) merged.push(id);
      previousWasUnknown = id === unknownId;
    }
    return merged.reverse();
  }

  private insert(text: string, score: number, id: number): void {
    const symbols = Array.from(text);
    let node = this.root;
    for (const symbol of symbols) {
      let child = node.children.get(symbol);
      if (!child) {
        child = { children: new Map(), piece: undefined };
        node.children.set(symbol, child);
      }
      node = child;
    }
    node.piece = { length: symbols.length, score, id };
  }

  /** Every piece that matches symbols from `start`; an unknown one-symbol piece when none does. */
  private prefixesOf(symbols: readonly string[], start: number): Piece[] {
    const pieces: Piece[] = [];
    let node = this.root.children.get(symbols[start]!);
    for (let index = start; node; index += 1) {
      if (node.piece) pieces.push(node.piece);
      node = index + 1 < symbols.length ? node.children.get(symbols[index + 1]!) : undefined;
    }
    if (pieces.length === 0) pieces.push({ length: 1, score: 0, id: unknownId });
    return pieces;
  }
}

function processInput(text: string): string {
  const normalized = text.normalize('NFKC');
  return normalized.length > 0 ? separator + normalized.replace(/ /g, separator) : normalized;
}
