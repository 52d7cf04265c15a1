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
import { dataUriOcrTargets, type EmbeddedImageOptions } from './embedded-image.ts';
import { htmlFragmentToBlocks } from './html-to-document.ts';
import { mdastToBlocks, type BlocksAndImages } from './mdast-to-blocks.ts';
import { unparseable } from './unparseable.ts';

/**
 * Markdown with GitHub extensions (tables, task lists, strikethrough) and YAML (`---`)
 * or TOML (`+++`, Hugo) front matter. The front matter becomes `metadata`; its `title`
 * (else the first h1, else its `sidebar_label`) the title, its `description` a first
 * paragraph under the title (so it is searched, unless the page already opens with it),
 * and its `url` or `canonical` the url. HTML inside the Markdown keeps its text.
 * Documentation-site dialects are parsed, not leaked: container directives (`::: tip`),
 * `{#custom-id}` heading anchors, GitBook tags, Hugo shortcodes, MkDocs admonitions, and
 * `.mdx` pages, or `.md` pages written as MDX (Docusaurus), through the MDX parser.
 * With `embeddedImages`, its data: URI pictures are left for OCR.
 */
export function createMarkdownLoader({ embeddedImages = false }: EmbeddedImageOptions = {}): Loader {
  return {
    contentTypes: [contentTypes.markdown],
    async load({ source, bytes }: LoaderInput): Promise<ParsedDocument> {
      const text = decodeText(bytes);
      if (text === null) throw unparseable(source, 'Markdown', 'not UTF-8 text');
      const tree = parseDocSiteMarkdown(text, isMdx(source) || writtenAsMdx(text));
      const metadata = frontMatterOf(tree, source);
      const parsed = mdastToBlocks(tree, { htmlToBlocks: htmlFragmentToBlocks });
      const firstHeading = parsed.blocks.find((block) => block.kind === 'heading' && block.level === 1);
      const { blocks, images } = withDescription(parsed, nonEmptyString(metadata.description));
      const ocrTargets = embeddedImages ? dataUriOcrTargets(images) : [];
      return {
        title: nonEmptyString(metadata.title) ?? (firstHeading?.kind === 'heading' ? firstHeading.text : null) ?? nonEmptyString(metadata.sidebar_label),
        contentType: contentTypes.markdown,
        blocks,
        metadata,
        url: nonEmptyString(metadata.url) ?? nonEmptyString(metadata.canonical) ?? null,
        ...(ocrTargets.length > 0 ? { ocrTargets } : {}),
      };
    },
  };
}

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
    extensions: [gfm(), frontmatter(frontMatterKinds), containerDirectives, ...(options.mdx ? [mdxjs()] : [])],
    mdastExtensions: [gfmFromMarkdown(), frontmatterFromMarkdown(frontMatterKinds), directiveFromMarkdown(), ...(options.mdx ? [mdxFromMarkdown()] : [])],
  });
  return normalizeDocSiteTree(tree, prepared.text, prepared.anchorsByLine);
}

function isMdx(source: string): boolean {
  return /\.mdx$/i.test(source.replace(/[?#].*$/, ''));
}

// `import Tabs from '@theme/Tabs';`, `export const meta = …`, `<Tabs>` or `<CtaBox />` at the start of a line.
const mdxLine = /^(?:import\s[^\n]*?\sfrom\s+['"]|import\s+['"]|export\s+(?:const|let|var|function|default|\{|\*)|<[A-Z][\w.]*(?:[\s/>]|$))/;
const codeFence = /^\s*(`{3,}|~{3,})/;

/**
 * Docusaurus reads every `.md` page as MDX, and its pages use that: `import … from` lines
 * and JSX components in a `.md` file. Such a page goes through the MDX parser (with the
 * same plain-Markdown fallback) so its imports are dropped and its components rendered.
 */
function writtenAsMdx(text: string): boolean {
  let fence: string | null = null;
  for (const line of text.split('\n')) {
    const opening = codeFence.exec(line)?.[1];
    if (fence !== null) {
      if (opening?.startsWith(fence) && line.trim() === opening) fence = null;
    } else if (opening !== undefined) {
      fence = opening;
    } else if (mdxLine.test(line)) {
      return true;
    }
  }
  return false;
}

const frontMatterKinds: ('yaml' | 'toml')[] = ['yaml', 'toml'];

function frontMatterOf(tree: Root, source: string): Record<string, unknown> {
  for (const node of tree.children) {
    if (node.type === 'yaml') return yamlFrontMatter(node.value, source);
    // mdast-util-frontmatter's toml node is not in mdast's own node types.
    const toml = node as { type: string; value?: unknown };
    if (toml.type === 'toml' && typeof toml.value === 'string') return tomlFrontMatter(toml.value);
  }
  return {};
}

/**
 * A page's description as its first paragraph, under the h1 when it has one: front
 * matter is not passage text, and a description is often the best summary of the page.
 * Left out when the page already opens with the same words. Pictures after the place
 * it goes move down one block with the rest.
 */
function withDescription(parsed: BlocksAndImages, description: string | null): BlocksAndImages {
  const { blocks, images } = parsed;
  if (description === null) return parsed;
  const firstParagraph = blocks.find((block) => block.kind === 'paragraph');
  if (firstParagraph?.kind === 'paragraph' && comparable(firstParagraph.text).startsWith(comparable(description))) return parsed;
  const at = blocks[0]?.kind === 'heading' && blocks[0].level === 1 ? 1 : 0;
  return {
    blocks: [...blocks.slice(0, at), { kind: 'paragraph', text: description }, ...blocks.slice(at)],
    images: images.map((image) => (image.position >= at ? { ...image, position: image.position + 1 } : image)),
  };
}

function comparable(text: string): string {
  return text.toLowerCase().replace(/[\s\p{P}]+/gu, ' ').trim();
}

/**
 * Hugo's TOML front matter, its top-level `key = value` lines only (strings, numbers,
 * booleans): the keys a document needs (title, description, url) are of that kind, and
 * a full TOML parser is not worth a dependency.
 */
function tomlFrontMatter(toml: string): Record<string, unknown> {
  const metadata: Record<string, unknown> = {};
  for (const line of toml.split('\n')) {
    if (/^\s*\[/.test(line)) break;
    const match = /^\s*([A-Za-z0-9_-]+)\s*=\s*(.+?)\s*$/.exec(line);
    if (!match) continue;
    const value = tomlValue(match[2]!);
    if (value !== undefined) metadata[match[1]!] = value;
  }
  return metadata;
}

function tomlValue(raw: string): string | number | boolean | undefined {
  const basic = /^"((?:[^"\\]|\\.)*)"(?:\s*#.*)?$/.exec(raw);
  if (basic) {
    try {
      return JSON.parse(`"${basic[1]!}"`) as string;
    } catch {
      return basic[1];
    }
  }
  const literal = /^'([^']*)'(?:\s*#.*)?$/.exec(raw);
  if (literal) return literal[1];
  if (raw === 'true' || raw === 'false') return raw === 'true';
  const number = Number(raw.replace(/_/g, ''));
  return Number.isFinite(number) ? number : undefined;
}

function yamlFrontMatter(yaml: string, source: string): Record<string, unknown> {
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
