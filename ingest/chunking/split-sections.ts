import type { Block } from '../../src/core/index.ts';
import { normalizeText } from './normalize-text.ts';

export type ContentBlock = Exclude<Block, { kind: 'heading' }>;

/** The blocks under one heading, up to the next heading of any level. */
export interface Section {
  /** The open headings, outermost first: ['Billing', 'Refunds']. Empty before the first heading. */
  headingPath: string[];
  blocks: ContentBlock[];
}

interface OpenHeading {
  level: number;
  text: string;
}

/**
 * Cuts a document at its headings. Headings form a stack: a heading closes every open
 * heading of its level or deeper, so an h2 after an h3 replaces both. A heading with no
 * text is ignored. Sections with no blocks are kept; the caller drops them.
 */
export function splitSections(blocks: readonly Block[]): Section[] {
  const open: OpenHeading[] = [];
  const sections: Section[] = [{ headingPath: [], blocks: [] }];
  for (const block of blocks) {
    if (block.kind !== 'heading') {
      sections.at(-1)!.blocks.push(block);
      continue;
    }
    const text = normalizeText(block.text);
    if (text.length === 0) continue;
    while (open.length > 0 && open.at(-1)!.level >= block.level) open.pop();
    open.push({ level: block.level, text });
    sections.push({ headingPath: open.map((heading) => heading.text), blocks: [] });
  }
  return sections;
}
