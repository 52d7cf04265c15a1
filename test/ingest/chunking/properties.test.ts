import { describe, expect, it } from 'vitest';
import type { Block, ChunkingSettings } from '../../../src/core/index.ts';
import { chunkDocument, countTokens } from '../../../ingest/chunking/index.ts';
import { splitSentences } from '../../../src/text/index.ts';
import { seededRandom } from '../../../src/core/seeded-random.ts';
import { expectInOrder } from './chunk-assertions.ts';
import { chineseRefunds, documentOf, englishRefunds } from './help-center.ts';

const texts = [...englishRefunds, ...chineseRefunds];

function randomDocument(random: () => number): Block[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const count = (most: number): number => 1 + Math.floor(random() * most);
  return Array.from({ length: count(30) }, (_, index): Block => {
    const roll = random();
    if (roll < 0.2) return { kind: 'heading', level: count(4), text: `Section ${index}` };
    if (roll < 0.6) return { kind: 'paragraph', text: Array.from({ length: count(4) }, () => pick(texts)).join(' '), page: count(9) };
    if (roll < 0.75) return { kind: 'list', ordered: random() < 0.5, items: Array.from({ length: count(12) }, () => pick(texts)) };
    if (roll < 0.88) {
      const lines = Array.from({ length: count(60) }, (_, line) => `    step_${index}_${line}(refund, currency="EUR")`);
      return { kind: 'code', language: 'python', text: lines.join('\n') };
    }
    const rows = Array.from({ length: count(50) }, (_, row) => [`R${index}-${row}`, pick(['paid', 'refunded', '已退款'])]);
    return { kind: 'table', header: ['Invoice', 'Status'], rows };
  });
}

const settingsCases: [string, Partial<ChunkingSettings>][] = [
  ['defaults', {}],
  ['small chunks', { targetTokens: 80, maxTokens: 120, overlapTokens: 15, minTokens: 20 }],
  ['no overlap or merging', { overlapTokens: 0, minTokens: 0 }],
  ['target equal to max', { targetTokens: 150, maxTokens: 150 }],
];

describe.each(settingsCases)('chunkDocument on generated documents (%s)', (_name, settings) => {
  const seeds = Array.from({ length: 25 }, (_, index) => index + 1);

  it.each(seeds)('seed %i: keeps every sentence, row and code line in order, within maxTokens, deterministically', (seed) => {
    const blocks = randomDocument(seededRandom(seed));
    const chunks = chunkDocument(documentOf(blocks), settings);
    const maxTokens = settings.maxTokens ?? 320;

    chunks.forEach((chunk, index) => {
      expect(chunk.ordinal).toBe(index);
      expect(chunk.tokenCount).toBe(countTokens(chunk.text));
      expect(chunk.text.trim()).toBe(chunk.text);
      // Generated lines and rows are short, so nothing here is indivisible and over the bound.
      expect(chunk.tokenCount).toBeLessThanOrEqual(maxTokens);
    });

    const pieces = blocks.flatMap((block): string[] => {
      switch (block.kind) {
        case 'paragraph':
          return splitSentences(block.text);
        case 'list':
          return block.items.flatMap(splitSentences);
        case 'code':
          return block.text.split('\n');
        case 'table':
          return block.rows.map((row) => `| ${row.join(' | ')} |`);
        default:
          return [];
      }
    });
    expectInOrder(chunks, pieces);
    expect(chunkDocument(documentOf(blocks), settings)).toEqual(chunks);
  });
});
