import type { Block } from '../../src/core/index.ts';
import { normalizeText } from './normalize-text.ts';

export type ContentBlock = Exclude<Block, { kind: 'heading' }>;

/** The blocks under one heading, up to the next heading of any level. */
export interface Section {
  /** The open headings, outermost first: ['Billing', 'Refunds']. Empty before the first heading. */
  headingPath: string[];
  /** Each open heading's anchor on the published page (null when it has none), parallel to `headingPath`. */
  headingAnchors: (string | null)[];
  blocks: ContentBlock[];
}

interface OpenHeading {
  level: number;
  text: string;
  anchor: string | null;
}

/**
 * Cuts a document at its headings. Headings form a stack: a heading closes every open
 * heading of its level or deeper, so an h2 after an h3 replaces both. A heading with no
 * text is ignored. Sections with no blocks are kept; the caller drops them.
 */
export function splitSections(blocks: readonly Block[]): Section[] {
  const open: OpenHeading[] = [];
  const sections: Section[] = [{ headingPath: [], headingAnchors: [], blocks: [] }];
  for (const block of blocks) {
    if (block.kind !== 'heading') {
      sections.at(-1)!.blocks.push(block);
      continue;
    }
    const text = normalizeText(block.text);
    if (text.length === 0) continue;
    while (open.length > 0 && open.at(-1)!.level >= block.level) open.pop();
    open.push({ level: block.level, text, anchor: block.anchor ?? null });
    sections.push({
      headingPath: open.map((heading) => heading.text),
      headingAnchors: open.map((heading) => heading.anchor),
      blocks: [],
    });
  }
  return sections;
}
