import { expect } from 'vitest';
import type { Chunk } from '../../../src/core/index.ts';

/** Each piece of text is found whole in the chunks, in order; a piece may repeat as overlap. */
export function expectInOrder(chunks: readonly Chunk[], pieces: readonly string[]): void {
  let chunkIndex = 0;
  let offset = 0;
  for (const piece of pieces) {
    let found = chunks[chunkIndex]?.text.indexOf(piece, offset) ?? -1;
    while (found === -1 && chunkIndex < chunks.length - 1) {
      chunkIndex += 1;
      found = chunks[chunkIndex]!.text.indexOf(piece);
    }
    expect(found, `"${piece}" in order`).toBeGreaterThanOrEqual(0);
    offset = found + piece.length;
  }
}
