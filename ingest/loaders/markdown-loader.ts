import type { Root } from 'mdast';
import { directiveFromMarkdown } from 'mdast-util-directive';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { frontmatterFromMarkdown } from 'mdast-util-frontmatter';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { mdxFromMarkdown } from 'mdast-util-mdx';
import { directive } from 'micromark-extension-directive';
import { frontmatter } from 'micromark-extension-frontmatter';
import { gfm } from 'micromark-extension-gfm';
import { mdxjs } from 'micromark-extension-mdxjs';
import { parse as parseYaml } from 'yaml';
import type { Loader, LoaderInput, ParsedDocument } from '../../src/core/index.ts';
import { contentTypes } from './content-types.ts';
import { decodeText } from './decode-text.ts';
import { prepareDocSiteMarkdown } from './doc-site-prepass.ts';
import { normalizeDocSiteTree } from './doc-site-tree.ts';
import { htmlFragmentToBlocks } from './html-to-document.ts';
import { mdastToBlocks } from './mdast-to-blocks.ts';
import { unparseable } from './unparseable.ts';

/**
 * Markdown with GitHub extensions (tables, task lists, strikethrough) and YAML front
 * matter. The front matter becomes `metadata`; its `title` (else the first h1) the
 * title and its `url` or `canonical` the url. HTML inside the Markdown keeps its text.
 * Documentation-site dialects are parsed, not leaked: container directives (`::: tip`),
 * `{#custom-id}` heading anchors, and `.mdx` pages through the MDX parser.
 */
export const markdownLoader: Loader = {
  contentTypes: [contentTypes.markdown],
  async load({ source, bytes }: LoaderInput): Promise<ParsedDocument> {
    const text = decodeText(bytes);
    if (text === null) throw unparseable(source, 'Markdown', 'not UTF-8 text');
    const tree = parseDocSiteMarkdown(text, isMdx(source));
    const yamlNode = tree.children.find((node) => node.type === 'yaml');
    const metadata = yamlNode ? frontMatter(yamlNode.value, source) : {};
    const blocks = mdastToBlocks(tree, { htmlToBlocks: htmlFragmentToBlocks });
    const firstHeading = blocks.find((block) => block.kind === 'heading' && block.level === 1);
    return {
      title: nonEmptyString(metadata.title) ?? (firstHeading?.kind === 'heading' ? firstHeading.text : null),
      contentType: contentTypes.markdown,
      blocks,
      metadata,
      url: nonEmptyString(metadata.url) ?? nonEmptyString(metadata.canonical) ?? null,
    };
  },
};

// Only the block (flow) directive constructs: the inline one would read the `:30` of `10:30` as a directive.
const containerDirectives = { flow: directive().flow };

/**
 * MDX is strict: a page its parser rejects (a stray `<` or `{`) is read as plain Markdown
 * instead, without its import/export lines; its JSX tags then arrive as HTML, which keeps
 * only their text. Either way the page is never refused for being MDX.
 */
function parseDocSiteMarkdown(text: string, mdx: boolean): Root {
  if (mdx) {
    try {
      return parseMarkdown(text, { mdx: true });
    } catch {
      return parseMarkdown(text, { mdx: false, dropEsm: true });
    }
  }
  return parseMarkdown(text, { mdx: false });
}

function parseMarkdown(text: string, options: { mdx: boolean; dropEsm?: boolean }): Root {
  const prepared = prepareDocSiteMarkdown(text, { dropEsm: options.dropEsm ?? false, dropHtmlComments: options.mdx });
  const tree = fromMarkdown(prepared.text, {
    extensions: [gfm(), frontmatter(['yaml']), containerDirectives, ...(options.mdx ? [mdxjs()] : [])],
    mdastExtensions: [gfmFromMarkdown(), frontmatterFromMarkdown(['yaml']), directiveFromMarkdown(), ...(options.mdx ? [mdxFromMarkdown()] : [])],
  });
  return normalizeDocSiteTree(tree, prepared.text, prepared.anchorsByLine);
}

function isMdx(source: string): boolean {
  return /\.mdx$/i.test(source.replace(/[?#].*$/, ''));
}

function frontMatter(yaml: string, source: string): Record<string, unknown> {
  try {
    const value: unknown = parseYaml(yaml);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
    // Stored as JSON: dates become ISO strings, anything JSON cannot hold is dropped.
    return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
  } catch (error) {
    // Invalid YAML, or a self-referencing alias JSON cannot hold.
    throw unparseable(source, 'Markdown', `front matter: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function nonEmptyString(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}
