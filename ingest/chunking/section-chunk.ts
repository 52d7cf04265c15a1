/**
 * A chunk before ordinals are given: the text of one or more sections. Most have one
 * member; a tiny section merged into a neighbour adds its own.
 */
export interface SectionChunk {
  members: { headingPath: string[]; headingAnchors: (string | null)[]; body: string }[];
  pages: number[];
}

/**
 * The chunk's heading path is the deepest one its members share; a member under
 * deeper headings gets those headings as lines of text above its body, so a merged
 * section's heading is not lost.
 */
export function describeSectionChunk(chunk: SectionChunk): { headingPath: string[]; text: string; anchor: string | null } {
  const headingPath = commonPrefix(chunk.members.map((member) => member.headingPath));
  const text = chunk.members
    .map((member) => [...member.headingPath.slice(headingPath.length), member.body].join('\n'))
    .join('\n\n');
  // The shared deepest heading's anchor, as the first member (in document order) names it.
  const anchor = headingPath.length > 0 ? (chunk.members[0]?.headingAnchors[headingPath.length - 1] ?? null) : null;
  return { headingPath, text, anchor };
}

function commonPrefix(paths: readonly string[][]): string[] {
  const [first = [], ...rest] = paths;
  let length = first.length;
  for (const path of rest) {
    let shared = 0;
    while (shared < length && shared < path.length && path[shared] === first[shared]) shared += 1;
    length = shared;
  }
  return first.slice(0, length);
}
