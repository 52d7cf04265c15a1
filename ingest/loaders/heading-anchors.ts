import type { Block } from '../../src/core/index.ts';

/**
 * How a documentation generator turns a heading into its anchor, so a citation can link
 * to the section it quotes.
 *
 * - `github`: GitHub's own rendering, Docusaurus, Starlight and most MDX sites (the
 *   github-slugger rules): lowercased, every character that is not a letter, digit, mark,
 *   `-` or `_` removed, each space a `-`.
 * - `vitepress`: VitePress (`@mdit-vue/shared` slugify): accents removed, runs of spaces
 *   and ASCII punctuation one `-`, no `-` at either end, `_` before a leading digit.
 *
 * Both keep letters of any script (中文 headings keep their characters) and make a
 * repeated slug unique with `-1`, `-2`, … in document order.
 */
export type HeadingAnchorRules = 'github' | 'vitepress';

export const headingAnchorRules: readonly HeadingAnchorRules[] = ['github', 'vitepress'];

/** The document metadata (front matter, or the metadata given at ingest) key that picks the rules. */
export const headingAnchorsKey = 'headingAnchors';

/** The rules a document's metadata asks for, GitHub's when it names none or an unknown one. */
export function headingAnchorRulesFor(metadata: Record<string, unknown>): HeadingAnchorRules {
  const requested = metadata[headingAnchorsKey];
  return headingAnchorRules.find((rules) => rules === requested) ?? 'github';
}

/**
 * The blocks with every heading anchored: a heading that declared its id keeps it, the
 * others get their slug by `rules`. Declared ids count as taken, so a later heading
 * with the same slug gets a suffix, as the generators do.
 */
export function assignHeadingAnchors(blocks: readonly Block[], rules: HeadingAnchorRules): Block[] {
  const taken = new Set<string>();
  for (const block of blocks) if (block.kind === 'heading' && block.anchor) taken.add(block.anchor);
  return blocks.map((block) => {
    if (block.kind !== 'heading' || block.anchor) return block;
    const slug = rules === 'vitepress' ? vitepressSlug(block.text) : githubSlug(block.text);
    if (slug === '') return block;
    const anchor = unique(slug, taken);
    taken.add(anchor);
    return { ...block, anchor };
  });
}

function unique(slug: string, taken: ReadonlySet<string>): string {
  if (!taken.has(slug)) return slug;
  let counter = 1;
  while (taken.has(`${slug}-${counter}`)) counter += 1;
  return `${slug}-${counter}`;
}

// Everything github-slugger removes: punctuation (but `-` and `_`), symbols, emoji, controls, other spaces.
const githubRemoved = /[^\p{L}\p{M}\p{N}\p{Pc} -]/gu;

export function githubSlug(text: string): string {
  return text.toLowerCase().replace(githubRemoved, '').replace(/ /g, '-');
}

// eslint-disable-next-line no-control-regex -- control characters are what it removes
const controlCharacters = /[\u0000-\u001f]/g;
const vitepressSeparators = /[\s~`!@#$%^&*()\-_+=[\]{}|\\;:"'“”‘’<>,.?/]+/g;
const combiningMarks = /[\u0300-\u036f]/g;

export function vitepressSlug(text: string): string {
  return text
    .normalize('NFKD')
    .replace(combiningMarks, '')
    .replace(controlCharacters, '')
    .replace(vitepressSeparators, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '')
    .replace(/^(\d)/, '_$1')
    .toLowerCase();
}
