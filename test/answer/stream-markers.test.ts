import { describe, expect, it } from 'vitest';
import type { Passage } from '../../src/core/index.ts';
import { createMarkerRewriter, resolveCitations } from '../../src/answer/index.ts';

const passage = (chunkId: string, documentId: string, text: string): Passage => ({
  chunkId,
  documentId,
  source: `${documentId}.md`,
  title: documentId,
  url: null,
  heading: null,
  headingPath: [],
  pages: [],
  ordinal: Number(chunkId),
  text,
  score: 1,
});

const passages = [
  passage('1', 'refunds', 'Monthly plans are refunded within 14 days.'),
  passage('2', 'invoices', 'Invoices are emailed on the first of the month.'),
  passage('3', 'refunds', 'Annual plans are refunded pro rata within 30 days.'),
];

/** Streams `pieces` through a rewriter and returns what the client would see. */
function streamed(pieces: string[]): { text: string; citations: number[] } {
  const rewriter = createMarkerRewriter(passages);
  let text = '';
  const citations: number[] = [];
  for (const delta of [...pieces.map((piece) => rewriter.push(piece)), rewriter.flush()]) {
    text += delta.text;
    citations.push(...delta.newCitations.map((citation) => citation.index));
  }
  return { text, citations };
}

describe('markers in a streamed answer', () => {
  it('passes a fenced code block through untouched, whatever backticks it holds, however it is split', () => {
    const answer = 'Run this [1]:\n\n```sh\necho "don`t"\nx=${arr[7]}\n```\n\nDone [3].';
    for (const size of [1, 2, 3, 5, answer.length]) {
      const pieces = Array.from({ length: Math.ceil(answer.length / size) }, (_, index) => answer.slice(index * size, (index + 1) * size));
      expect(streamed(pieces).text, `in pieces of ${size}`).toBe('Run this [1]:\n\n```sh\necho "don`t"\nx=${arr[7]}\n```\n\nDone [1].');
    }
  });

  it('never shows a marker to a passage that was not retrieved, even split across chunks', () => {
    const { text } = streamed(['Monthly plans are refunded within 14 days [', '1', '][', '7', '].']);
    expect(text).toBe('Monthly plans are refunded within 14 days [1].');
  });

  it('numbers citations by first appearance, one per document, as the final answer does', () => {
    const raw = 'Invoices arrive monthly [2]. Monthly plans: 14 days [1]; annual plans: 30 days [3].';
    const { text, citations } = streamed(raw.match(/.{1,5}/gs)!);
    expect(text).toBe('Invoices arrive monthly [1]. Monthly plans: 14 days [2]; annual plans: 30 days [2].');
    expect(citations).toEqual([1, 2]);
    expect(resolveCitations(raw, passages).text).toBe(text);
  });

  it('leaves brackets that are not markers, and code, alone', () => {
    expect(streamed(['Use `items[1]` or [see below', '] and [a].']).text).toBe('Use `items[1]` or [see below] and [a].');
  });

  it('drops a marker cut off by the end of the stream, and releases other held-back text', () => {
    expect(streamed(['Refunds take 14 days [1']).text).toBe('Refunds take 14 days ');
    expect(streamed(['Options [']).text).toBe('Options [');
  });
});
