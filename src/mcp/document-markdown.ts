/**
 * A stored document as Markdown, rebuilt from its chunks: Oriole keeps the text it
 * indexed, not the uploaded file, so this is the document as search and answers see it.
 * Pure: the chunks come in, in reading order.
 */

/** What a chunk contributes: the headings it sits under and its text. */
export interface MarkdownChunk {
  headingPath: readonly string[];
  text: string;
}

export interface DocumentMarkdown {
  markdown: string;
  /** Whether the text was cut at `maxCharacters`. */
  truncated: boolean;
}

/**
 * The least overlap taken for the repeated lead of a chunk: the chunker repeats whole
 * sentences of the previous chunk (docs/chunking.md, overlapTokens), never a few words.
 */
const minimumOverlapCharacters = 20;
/** More than the chunker ever repeats (1.5 × overlapTokens of the largest settings); bounds the search. */
const maximumOverlapCharacters = 4_000;

/**
 * `title` as the top heading (unless the first section already carries it), each
 * section's headings where they change, and each chunk's text once: the sentences a chunk
 * repeats from the previous one of the same section are dropped. Cut at a paragraph
 * boundary before `maxCharacters` when longer.
 */
export function documentMarkdown(title: string, chunks: readonly MarkdownChunk[], maxCharacters: number): DocumentMarkdown {
  const titled = chunks[0]?.headingPath[0] !== title;
  const blocks: string[] = titled ? [`# ${title}`] : [];
  let previous: MarkdownChunk | undefined;
  for (const chunk of chunks) {
    const shared = previous ? sharedPrefixLength(previous.headingPath, chunk.headingPath) : 0;
    for (let level = shared; level < chunk.headingPath.length; level++) {
      blocks.push(`${'#'.repeat(Math.min(level + 1 + (titled ? 1 : 0), 6))} ${chunk.headingPath[level]}`);
    }
    const sameSection = previous !== undefined && shared === chunk.headingPath.length && shared === previous.headingPath.length;
    const text = sameSection ? withoutRepeatedLead(previous!.text, chunk.text) : chunk.text;
    if (text.trim().length > 0) blocks.push(text.trim());
    previous = chunk;
  }
  return bounded(blocks.join('\n\n'), maxCharacters);
}

/**
 * `next` without the text it starts with that `previous` ends with (the chunker's
 * overlap), cut where a word ends; `next` whole when they share no such lead.
 */
export function withoutRepeatedLead(previous: string, next: string): string {
  if (next.length < minimumOverlapCharacters) return next;
  const opening = next.slice(0, minimumOverlapCharacters);
  // Where the lead could start in `previous`: wherever `next`'s opening occurs near its end; the earliest is the longest.
  let start = previous.indexOf(opening, Math.max(0, previous.length - maximumOverlapCharacters));
  while (start !== -1) {
    const length = previous.length - start;
    const endsWord = length === next.length || /\s/.test(next[length] ?? '');
    if (endsWord && next.startsWith(previous.slice(start))) return next.slice(length).trimStart();
    start = previous.indexOf(opening, start + 1);
  }
  return next;
}

function sharedPrefixLength(left: readonly string[], right: readonly string[]): number {
  let shared = 0;
  while (shared < left.length && shared < right.length && left[shared] === right[shared]) shared++;
  return shared;
}

function bounded(markdown: string, maxCharacters: number): DocumentMarkdown {
  if (markdown.length <= maxCharacters) return { markdown, truncated: false };
  const cut = markdown.slice(0, maxCharacters);
  const paragraphEnd = cut.lastIndexOf('\n\n');
  // A paragraph boundary in the last half keeps whole paragraphs; else cut where a word ends.
  const end = paragraphEnd > maxCharacters / 2 ? paragraphEnd : Math.max(cut.lastIndexOf(' '), 1);
  return { markdown: cut.slice(0, end).trimEnd(), truncated: true };
}
