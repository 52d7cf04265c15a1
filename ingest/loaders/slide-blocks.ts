import type { Block } from '../../src/core/index.ts';

/** One slide of a deck (PPTX, ODP) as its reader finds it. */
export interface Slide {
  /** 1-based position in the deck, as the presentation orders its slides. */
  number: number;
  title: string | null;
  body: Block[];
  /** Paragraphs of the speaker notes. */
  notes: string[];
}

/**
 * A slide as a section: a heading with its title (or "Slide N"), its body, then its
 * speaker notes under a "Notes" heading. Every block carries the slide number as its
 * `page`, so a chunk knows the slides it spans even after tiny slides merge, and a
 * citation names the slide as it names a PDF's page. A slide with neither text nor
 * notes is left out.
 */
export function slideBlocks({ number, title, body, notes }: Slide): Block[] {
  if (title === null && body.length === 0 && notes.length === 0) return [];
  const blocks: Block[] = [{ kind: 'heading', level: 1, text: title ?? `Slide ${number}` }, ...body];
  if (notes.length > 0) {
    blocks.push({ kind: 'heading', level: 2, text: 'Notes' });
    blocks.push(...notes.map((text): Block => ({ kind: 'paragraph', text })));
  }
  return blocks.map((block) => ({ ...block, page: number }));
}

/** Consecutive list items of one kind become one list block; other paragraphs stay paragraphs. */
export function groupParagraphs(paragraphs: readonly { text: string; list: 'ordered' | 'unordered' | null; level: number }[]): Block[] {
  const blocks: Block[] = [];
  for (const { text, list, level } of paragraphs) {
    if (list === null) {
      blocks.push({ kind: 'paragraph', text });
      continue;
    }
    const previous = blocks.at(-1);
    const item = `${'  '.repeat(Math.min(level, 8))}${text}`;
    if (previous?.kind === 'list' && previous.ordered === (list === 'ordered')) previous.items.push(item);
    else blocks.push({ kind: 'list', ordered: list === 'ordered', items: [item] });
  }
  return blocks;
}
