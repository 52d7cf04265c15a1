import { describe, expect, it } from 'vitest';
import type { Block, Chunk } from '../../../src/core/index.ts';
import { chunkDocument, countTokens, defaultChunkingSettings } from '../../../ingest/chunking/index.ts';
import { splitSentences } from '../../../src/text/index.ts';
import { chineseRefunds, documentOf, englishRefunds, heading, paragraphs } from './help-center.ts';

const { overlapTokens } = defaultChunkingSettings;

const sentencesOf = (chunks: Chunk[]): string[] => chunks.flatMap((chunk) => splitSentences(chunk.text));

/** The sentences the next chunk repeats from the end of the previous one. */
function sharedSentences(previous: Chunk, next: Chunk): string[] {
  const before = splitSentences(previous.text);
  const after = splitSentences(next.text);
  for (let length = Math.min(before.length, after.length); length > 0; length -= 1) {
    const tail = before.slice(-length);
    if (tail.every((sentence, index) => after[index] === sentence)) return tail;
  }
  return [];
}

describe('overlap within a section', () => {
  it.each([
    ['English', englishRefunds],
    ['Chinese', chineseRefunds],
  ])('starts each next %s chunk with the last whole sentences of the previous one', (_language, texts) => {
    const chunks = chunkDocument(documentOf([heading(1, 'Refunds'), ...paragraphs(texts)]));
    expect(chunks.length).toBeGreaterThan(2);
    for (let index = 1; index < chunks.length; index += 1) {
      const shared = sharedSentences(chunks[index - 1]!, chunks[index]!);
      expect(shared.length).toBeGreaterThan(0);
      const tokens = countTokens(shared.join(' '));
      expect(tokens).toBeLessThanOrEqual(overlapTokens * 1.5);
      expect(chunks[index]!.text.startsWith(shared[0]!)).toBe(true);
    }
  });

  it('repeats nothing when overlapTokens is 0', () => {
    const chunks = chunkDocument(documentOf(paragraphs([...englishRefunds, ...chineseRefunds])), { overlapTokens: 0 });
    const sentences = sentencesOf(chunks);
    expect(chunks.length).toBeGreaterThan(3);
    expect(new Set(sentences).size).toBe(sentences.length);
    expect(sentences).toEqual(splitSentences([...englishRefunds, ...chineseRefunds].join('\n\n')));
  });

  it('continues a split paragraph as one paragraph after the repeated sentences', () => {
    const chunks = chunkDocument(documentOf(paragraphs([englishRefunds.join(' ')])));
    for (const chunk of chunks) expect(chunk.text).not.toContain('\n');
  });

  it('repeats the last items of a split list as list lines', () => {
    const items = Array.from({ length: 30 }, (_, index) => `Check invoice ${index + 1} for a refund line.`);
    const chunks = chunkDocument(documentOf([{ kind: 'list', ordered: true, items }]));
    expect(chunks.length).toBeGreaterThan(1);
    for (let index = 1; index < chunks.length; index += 1) {
      const lastLine = chunks[index - 1]!.text.split('\n').at(-1)!;
      expect(lastLine).toMatch(/^\d+\. Check invoice/);
      expect(chunks[index]!.text.split('\n')).toContain(lastLine);
    }
  });
});

describe('no overlap', () => {
  it('across sections', () => {
    const chunks = chunkDocument(
      documentOf([heading(2, 'Refunds'), ...paragraphs(englishRefunds), heading(2, '退款'), ...paragraphs(chineseRefunds)]),
    );
    const firstChinese = chunks.findIndex((chunk) => chunk.headingPath[0] === '退款');
    expect(firstChinese).toBeGreaterThan(0);
    expect(chunks[firstChinese]!.text.startsWith(chineseRefunds[0]!.slice(0, 20))).toBe(true);
    const englishSentences = new Set(splitSentences(englishRefunds.join(' ')));
    expect(sentencesOf(chunks.slice(firstChinese)).some((sentence) => englishSentences.has(sentence))).toBe(false);
  });

  it('inside a split table or code block: rows and lines appear once', () => {
    const table: Block = {
      kind: 'table',
      header: ['Invoice', 'Status'],
      rows: Array.from({ length: 80 }, (_, index) => [`INV-${1000 + index}`, index % 2 === 0 ? 'refunded' : 'paid']),
    };
    const code: Block = {
      kind: 'code',
      language: 'sh',
      text: Array.from({ length: 60 }, (_, index) => `oriole ingest docs/billing/refund-${index}.md --kb support`).join('\n'),
    };
    const chunks = chunkDocument(documentOf([table, code]));
    const lines = chunks.flatMap((chunk) => chunk.text.split('\n')).filter((line) => /^(\| INV-|oriole ingest)/.test(line));
    expect(chunks.length).toBeGreaterThan(4);
    expect(lines).toHaveLength(140);
    expect(new Set(lines).size).toBe(140);
  });

  it('when the next chunk starts with a split table, only sentences are repeated before it', () => {
    const table: Block = {
      kind: 'table',
      header: ['Plan', 'Refund window'],
      rows: Array.from({ length: 60 }, (_, index) => [`Team ${index}`, `${index} days`]),
    };
    const chunks = chunkDocument(documentOf([...paragraphs(englishRefunds.slice(0, 2)), table]));
    const firstTable = chunks.findIndex((chunk) => chunk.text.includes('| Plan |'));
    expect(firstTable).toBeGreaterThan(0);
    const [beforeTable] = chunks[firstTable]!.text.split('\n\n| Plan |');
    expect(chunks[firstTable - 1]!.text.endsWith(beforeTable!)).toBe(true);
    expect(chunks[firstTable - 1]!.text).not.toContain('| Plan |');
  });
});
