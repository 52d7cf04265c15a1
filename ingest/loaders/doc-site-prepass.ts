/**
 * Line-level rewrites that documentation-site Markdown needs before a CommonMark parser
 * can read it. Each rewrite keeps the line count, so positions in the parsed tree still
 * name the author's lines; fenced code is never touched.
 *
 * - VitePress writes containers as `::: tip Title`; the directive syntax the parser knows
 *   is `:::tip[Title]`, so the space-separated form is rewritten to it.
 * - `## Heading {#custom-id}` (VitePress, Docusaurus, MkDocs attr_list) names the heading's
 *   anchor. It is cut from the line and returned by line number: MDX would otherwise read
 *   `{#…}` as a JavaScript expression and reject the page.
 * - In the MDX fallback (a page the MDX parser rejected, read as plain Markdown), `import`
 *   and `export` lines are dropped, as MDX itself would.
 */
export interface DocSitePrepass {
  text: string;
  /** The custom anchor of each heading that declared one, by 1-based line number. */
  anchorsByLine: Map<number, string>;
}

const fenceOpening = /^\s*(`{3,}|~{3,})/;
// `::: tip`, `::: warning 警告`, `:::: details Click me` (an outer container uses more colons).
const spacedContainer = /^( {0,3})(:{3,})[ \t]+([\w-]+)[ \t]*(.*?)[ \t]*$/;
const headingAnchor = /^( {0,3}#{1,6}[ \t].*?)[ \t]+\{#([^\s{}]+)\}[ \t]*$/;
const esmLine = /^(import|export)[ \t{*]/;

export function prepareDocSiteMarkdown(text: string, options: { dropEsm?: boolean } = {}): DocSitePrepass {
  const lines = text.split('\n');
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
    const container = spacedContainer.exec(line);
    if (container) {
      const [, indent = '', colons = '', name = '', title = ''] = container;
      return `${indent}${colons}${name}${title === '' ? '' : `[${escapeLabel(title)}]`}`;
    }
    return line;
  });
  return { text: rewritten.join('\n'), anchorsByLine };
}

function escapeLabel(title: string): string {
  return title.replace(/[[\]\\]/g, (character) => `\\${character}`);
}
