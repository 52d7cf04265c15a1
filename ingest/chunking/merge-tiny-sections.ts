import type { ChunkingSettings } from '../../src/core/index.ts';
import { countTokens } from './count-tokens.ts';
import type { SectionChunk } from './section-chunk.ts';
import { describeSectionChunk } from './section-chunk.ts';

/**
 * A section whose whole text is under minTokens ("See Billing for details.") is a poor
 * retrieval unit alone. It joins the first chunk of the following section, else the
 * last chunk of the previous one (at the end of the document, or when the following
 * section is elsewhere in the outline), when the neighbour is under the tiny section's
 * parent heading and the result fits in maxTokens. A merge that is still tiny keeps
 * merging forward. Takes and returns the chunks grouped by section.
 */
export function mergeTinySections(sections: readonly SectionChunk[][], settings: ChunkingSettings): SectionChunk[][] {
  const pending = sections.map((chunks) => [...chunks]);
  const merged: SectionChunk[][] = [];
  for (const [index, section] of pending.entries()) {
    const tiny = isTiny(section, settings) ? section[0]! : null;
    const following = pending[index + 1];
    const intoFollowing = tiny && following && mergeIfAllowed(tiny, following[0]!, 'before', settings);
    if (following && intoFollowing) {
      following[0] = intoFollowing;
      continue;
    }
    const previous = merged.at(-1);
    const intoPrevious = tiny && previous && mergeIfAllowed(tiny, previous.at(-1)!, 'after', settings);
    if (previous && intoPrevious) previous[previous.length - 1] = intoPrevious;
    else merged.push(section);
  }
  return merged;
}

function isTiny(section: readonly SectionChunk[], settings: ChunkingSettings): boolean {
  return section.length === 1 && countTokens(describeSectionChunk(section[0]!).text) < settings.minTokens;
}

/** The tiny chunk put before or after its neighbour, or null when they are too far apart in the outline or too big together. */
function mergeIfAllowed(
  tiny: SectionChunk,
  neighbour: SectionChunk,
  placement: 'before' | 'after',
  settings: ChunkingSettings,
): SectionChunk | null {
  const parent = describeSectionChunk(tiny).headingPath.slice(0, -1);
  if (!startsWith(describeSectionChunk(neighbour).headingPath, parent)) return null;
  const [first, second] = placement === 'before' ? [tiny, neighbour] : [neighbour, tiny];
  const merged: SectionChunk = {
    members: [...first.members, ...second.members],
    pages: [...new Set([...first.pages, ...second.pages])].sort((a, b) => a - b),
  };
  return countTokens(describeSectionChunk(merged).text) <= settings.maxTokens ? merged : null;
}

function startsWith(path: readonly string[], prefix: readonly string[]): boolean {
  return prefix.every((heading, index) => path[index] === heading);
}
