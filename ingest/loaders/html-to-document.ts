import type { Element, Nodes as HastNodes, Root as HastRoot } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { matches, select, selectAll } from 'hast-util-select';
import { defaultHandlers, toMdast } from 'hast-util-to-mdast';
import type { Handle } from 'hast-util-to-mdast';
import type { Heading, Root as MdastRoot } from 'mdast';
import type { Block } from '../../src/core/index.ts';
import { collapseWhitespace } from './collapse-whitespace.ts';
import { cleanDocSiteContent, docSiteContentContainers } from './doc-site-html.ts';
import { mdastToBlocks, type BlockImage, type BlocksAndImages } from './mdast-to-blocks.ts';

export interface HtmlDocument {
  title: string | null;
  url: string | null;
  metadata: Record<string, unknown>;
  blocks: Block[];
  /** Every `<img>` of the main content: its src, alt text and place among the blocks. */
  images: BlockImage[];
}

/** Never content, wherever it appears. */
const alwaysNoise = 'script, style, noscript, template, nav, form, [role=navigation], [aria-hidden=true]';
/** Page chrome, dropped only when the page marks no main content and the whole body is read. */
const chromeNoise = 'header, footer, aside';
// Some CMSs (ASP.NET WebForms) wrap the whole page in one <form>; such a form is content.
const contentInsideForm = 'h1, h2, h3, main, article, [role=main]';

/**
 * A whole HTML page as blocks: its main content (a documentation or help-center
 * generator's content container, else the one <article>, else <main> or [role=main],
 * else <body> without header, footer and aside), never navigation, scripts, forms or
 * the generators' chrome (see doc-site-html.ts). Headings keep their ids as anchors.
 * Title from <title> (a trailing or leading site name dropped when the first <h1>
 * confirms it), else the first <h1>; url from <link rel=canonical>.
 */
export function htmlToDocument(html: string, baseUrl?: string): HtmlDocument {
  const tree = fromHtml(html);
  const content = mainContent(tree);
  cleanDocSiteContent(content);
  const { blocks, images } = mdastToBlocks(asMdastRoot(toMdast(content, { handlers: headingHandlers })));

  const firstHeading = blocks.find((block) => block.kind === 'heading' && block.level === 1);
  const headingText = firstHeading?.kind === 'heading' ? firstHeading.text : null;
  const pageTitle = collapseWhitespace(textOf(select('title', tree)));
  const title = pageTitle === '' ? headingText : withoutSiteName(pageTitle, headingText);

  const metadata: Record<string, unknown> = {};
  const description = stringProperty(select('meta[name=description]', tree), 'content');
  if (description) metadata.description = collapseWhitespace(description);
  const language = stringProperty(select('html', tree), 'lang');
  if (language) metadata.language = language;

  const canonical = stringProperty(select('link[rel~=canonical]', tree), 'href');
  return { title, url: canonical ? resolveUrl(canonical, baseUrl) : null, metadata, blocks, images };
}

/** A snippet of HTML (a block of HTML inside Markdown) as blocks, with its `<img>`s. */
export function htmlFragmentToBlocks(html: string): BlocksAndImages {
  const tree = fromHtml(html, { fragment: true });
  prune(tree, alwaysNoise);
  return mdastToBlocks(asMdastRoot(toMdast(tree)));
}

/** Headings as the default mapping reads them, with their `id` kept as the block's anchor. */
const withHeadingId: Handle = (state, node) => {
  const heading = defaultHandlers.h1(state, node) as Heading;
  const id = node.properties.id;
  if (typeof id === 'string' && id.trim() !== '') heading.data = { ...heading.data, id: id.trim() };
  return heading;
};
const headingHandlers = { h1: withHeadingId, h2: withHeadingId, h3: withHeadingId, h4: withHeadingId, h5: withHeadingId, h6: withHeadingId };

function mainContent(tree: HastRoot): HastRoot | Element {
  const known = select(docSiteContentContainers, tree);
  if (known) {
    prune(known, alwaysNoise);
    withPageHeading(known, tree);
    return known;
  }
  const articles = selectAll('article', tree);
  const container =
    (articles.length === 1 ? articles[0] : undefined) ?? select('main', tree) ?? select('[role=main]', tree);
  if (container) {
    prune(container, alwaysNoise);
    return container;
  }
  const body = select('body', tree) ?? tree;
  prune(body, `${alwaysNoise}, ${chromeNoise}`);
  return body;
}

/** A content container that leaves the page's h1 outside it (Zendesk, Intercom) gets it back at its top. */
function withPageHeading(container: Element, tree: HastRoot): void {
  if (select('h1', container)) return;
  const heading = select('h1', tree);
  if (heading) container.children.unshift(structuredClone(heading));
}

function prune(parent: HastRoot | Element, noise: string): void {
  for (let index = parent.children.length - 1; index >= 0; index--) {
    const child = parent.children[index];
    if (child?.type !== 'element') continue;
    const isNoise =
      matches(noise, child) && !(child.tagName === 'form' && select(contentInsideForm, child) !== undefined);
    if (isNoise) parent.children.splice(index, 1);
    else prune(child, noise);
  }
}

function asMdastRoot(node: ReturnType<typeof toMdast>): MdastRoot {
  return node.type === 'root' ? node : { type: 'root', children: [node as MdastRoot['children'][number]] };
}

function withoutSiteName(pageTitle: string, heading: string | null): string {
  if (heading === null || heading === pageTitle) return pageTitle;
  const separator = /^\s*[|·•–—:»-]+\s*\S/;
  if (pageTitle.startsWith(heading) && separator.test(pageTitle.slice(heading.length))) return heading;
  const reversed = /\S\s*[|·•–—:«-]+\s*$/;
  if (pageTitle.endsWith(heading) && reversed.test(pageTitle.slice(0, -heading.length))) return heading;
  return pageTitle;
}

function textOf(node: HastNodes | undefined): string {
  if (node === undefined) return '';
  if (node.type === 'text') return node.value;
  return 'children' in node ? node.children.map(textOf).join('') : '';
}

function stringProperty(element: Element | undefined, name: string): string | undefined {
  const value = element?.properties[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function resolveUrl(href: string, baseUrl: string | undefined): string {
  try {
    return new URL(href, baseUrl).href;
  } catch {
    // A relative canonical on a page without a base URL stays as the page wrote it.
    return href;
  }
}
