import { templateTagsToContainers } from './doc-site-templates.ts';

/**
 * Line-level rewrites that documentation-site Markdown needs before a CommonMark parser
 * can read it; fenced code is never touched.
 *
 * - GitBook Liquid tags and Hugo shortcodes (`{% hint %}`, `{{< note >}}`) become container
 *   directives or their text (see doc-site-templates.ts).
 * - MkDocs (Python-Markdown) admonitions, `!!! note "Title"` or collapsible `??? tip`, hold
 *   the lines indented four spaces below them; they are rewritten to container directives
 *   (`:::note[Title]` … `:::`), dedented, nested ones with longer fences for the outer.
 * - VitePress writes containers as `::: tip Title`, Docusaurus as `:::tip Title`; the directive
 *   syntax the parser knows is `:::tip[Title]`, so both forms are rewritten to it.
 * - `## Heading {#custom-id}` (VitePress, Docusaurus, MkDocs attr_list; Rspress escapes it as
 *   `\{#custom-id}`) names the heading's
 *   anchor. It is cut from the line and returned by line number: MDX would otherwise read
 *   `{#…}` as a JavaScript expression and reject the page.
 * - In the MDX fallback (a page the MDX parser rejected, read as plain Markdown), `import`
 *   and `export` lines are dropped, as MDX itself would.
 * - For the MDX parser, a line holding only an HTML comment (`<!-- truncate -->`, common in
 *   Docusaurus pages) is dropped: MDX rejects HTML comments, and the page would fall back.
 */
export interface DocSitePrepass {
  text: string;
  /** The custom anchor of each heading that declared one, by its 1-based line number in `text`. */
  anchorsByLine: Map<number, string>;
}

const fenceOpening = /^\s*(`{3,}|~{3,})/;
// `::: tip`, `::: warning 警告`, `:::: details Click me` (an outer container uses more colons), and
// Docusaurus's `:::tip Title` (no space after the colons, a title after the name).
const spacedContainer = /^( {0,3})(:{3,})(?:[ \t]+([\w-]+)[ \t]*(.*?)|([\w-]+)[ \t]+([^[{\s].*?))[ \t]*$/;
// Rspress (MDX) escapes the brace so MDX does not read an expression: `## Title \{#id}`.
const headingAnchor = /^( {0,3}#{1,6}[ \t].*?)[ \t]+\\?\{#([^\s{}]+)\}[ \t]*$/;
const esmLine = /^(import|export)[ \t{*]/;

const htmlCommentLine = /^\s*<!--.*-->\s*$/;

export function prepareDocSiteMarkdown(text: string, options: { dropEsm?: boolean; dropHtmlComments?: boolean } = {}): DocSitePrepass {
  const lines = mkdocsAdmonitionsToContainers(templateTagsToContainers(text.split('\n'))).lines;
  const anchorsByLine = new Map<number, string>();
  let fence: string | null = null;
  const rewritten = lines.map((line, index) => {
    const opening = fenceOpening.exec(line)?.[1];
    if (fence !== null) {
      // A fence closes with a run of its own character at least as long, and nothing else.
      if (opening?.startsWith(fence) && line.trim() === opening) fence = null;
      return line;
    }
    if (opening !== undefined) {
      fence = opening;
      return line;
    }
    const anchored = headingAnchor.exec(line);
    if (anchored) {
      anchorsByLine.set(index + 1, anchored[2] ?? '');
      return anchored[1] ?? '';
    }
    if (options.dropEsm === true && esmLine.test(line)) return '';
    if (options.dropHtmlComments === true && htmlCommentLine.test(line)) return '';
    const container = spacedContainer.exec(line);
    if (container) {
      const [, indent = '', colons = '', spacedName, spacedTitle, joinedName, joinedTitle] = container;
      const name = spacedName ?? joinedName ?? '';
      const title = spacedTitle ?? joinedTitle ?? '';
      return `${indent}${colons}${name}${title === '' ? '' : `[${escapeLabel(title)}]`}`;
    }
    return line;
  });
  return { text: rewritten.join('\n'), anchorsByLine };
}

// `!!! note "Title"`, `??? tip`, `???+ warning inline end "Title"`.
const admonitionHeader = /^( {0,3})(?:!!!|\?\?\?\+?)[ \t]+([\w-]+)(?:[ \t]+(?:inline|end))*(?:[ \t]+"(.*)")?[ \t]*$/;

/** Rewrites MkDocs admonitions; `depth` is how deeply they nest, so an outer fence can outnumber inner ones. */
function mkdocsAdmonitionsToContainers(lines: readonly string[]): { lines: string[]; depth: number } {
  const output: string[] = [];
  let depth = 0;
  let fence: string | null = null;
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] ?? '';
    const opening = fenceOpening.exec(line)?.[1];
    if (fence !== null || opening !== undefined) {
      if (fence === null) fence = opening ?? null;
      else if (opening?.startsWith(fence) && line.trim() === opening) fence = null;
      output.push(line);
      continue;
    }
    const header = admonitionHeader.exec(line);
    if (!header) {
      output.push(line);
      continue;
    }
    const [, indent = '', name = '', title = ''] = header;
    const bodyIndent = indent.length + 4;
    let end = index + 1;
    while (end < lines.length && (lines[end]?.trim() === '' || indentWidth(lines[end] ?? '') >= bodyIndent)) end += 1;
    // Trailing blank lines belong after the container, not in it.
    while (end > index + 1 && lines[end - 1]?.trim() === '') end -= 1;
    const body = mkdocsAdmonitionsToContainers(lines.slice(index + 1, end).map((bodyLine) => dedent(bodyLine, bodyIndent)));
    const colons = ':'.repeat(3 + body.depth);
    output.push(`${indent}${colons}${name}${title.trim() === '' ? '' : `[${escapeLabel(title.trim())}]`}`, ...body.lines, `${indent}${colons}`);
    depth = Math.max(depth, body.depth + 1);
    index = end - 1;
  }
  return { lines: output, depth };
}

/** Leading whitespace with tabs as four columns (Python-Markdown's tab width); the rest of a line is left as it is. */
function expandedIndent(line: string): { indent: string; rest: string } {
  const leading = /^[ \t]*/.exec(line)?.[0] ?? '';
  return { indent: leading.replace(/\t/g, '    '), rest: line.slice(leading.length) };
}

function indentWidth(line: string): number {
  return expandedIndent(line).indent.length;
}

function dedent(line: string, width: number): string {
  const { indent, rest } = expandedIndent(line);
  return indent.slice(Math.min(width, indent.length)) + rest;
}

function escapeLabel(title: string): string {
  return title.replace(/[[\]\\]/g, (character) => `\\${character}`);
}
