import type { List, Nodes, PhrasingContent, Root, RootContent, Table } from 'mdast';
import type { Block } from '../../src/core/index.ts';
import { collapseWhitespace } from './collapse-whitespace.ts';

/** A picture met on the way, at its place among the blocks. */
export interface BlockImage {
  /** As written: a URL, a data: URI, or what a converter put there (the DOCX loader's `oriole-image:N`). */
  url: string;
  alt: string;
  /**
   * Blocks before the picture. It counts as after the block that holds it (its alt text
   * is in that block's text), so its OCR text would follow that text.
   */
  position: number;
}

export interface BlocksAndImages {
  blocks: Block[];
  /** Every picture, in document order; which ones are worth reading is the loader's call. */
  images: BlockImage[];
}

export interface MdastToBlocksOptions {
  /** Turns a block of raw HTML (HTML inside Markdown) into blocks; without it such HTML is dropped. */
  htmlToBlocks?: (html: string) => BlocksAndImages;
}

const phrasingTypes = new Set<string>([
  'text',
  'emphasis',
  'strong',
  'delete',
  'inlineCode',
  'break',
  'link',
  'linkReference',
  'image',
  'imageReference',
  'footnoteReference',
]);

const inlineParents = new Set<string>([
  'paragraph',
  'heading',
  'tableCell',
  'emphasis',
  'strong',
  'delete',
  'link',
  'linkReference',
]);

/**
 * The one mapping from a Markdown syntax tree to blocks, shared by every format that
 * can be expressed as Markdown (Markdown itself, HTML, DOCX through HTML). Headings
 * keep their level, lists their items as plain text (nested items indented), tables
 * their header and rows; blockquotes become paragraphs, images their alt text, links
 * their text. The pictures are listed too, with where they stand.
 */
export function mdastToBlocks(tree: Root, options: MdastToBlocksOptions = {}): BlocksAndImages {
  const blocks: Block[] = [];
  const images: BlockImage[] = [];
  const definitions = definitionUrls(tree);
  // Loose inline content between blocks (HTML allows it) gathers into one paragraph.
  let loose: PhrasingContent[] = [];

  const noteImagesIn = (nodes: readonly Nodes[]) => {
    for (const image of imagesIn(nodes, definitions)) images.push({ ...image, position: blocks.length });
  };
  const flushLoose = () => {
    const text = plainText(loose);
    if (text !== '') blocks.push({ kind: 'paragraph', text });
    noteImagesIn(loose);
    loose = [];
  };
  const pushHtml = (html: string) => {
    if (!options.htmlToBlocks) return;
    const fragment = options.htmlToBlocks(html);
    images.push(...fragment.images.map((image) => ({ ...image, position: image.position + blocks.length })));
    blocks.push(...fragment.blocks);
  };

  const visit = (nodes: readonly RootContent[]) => {
    for (const node of nodes) {
      if (phrasingTypes.has(node.type)) {
        loose.push(node as PhrasingContent);
        continue;
      }
      flushLoose();
      switch (node.type) {
        case 'html':
          pushHtml(node.value);
          break;
        case 'blockquote':
        case 'footnoteDefinition':
        case 'listItem':
          visit(node.children);
          break;
        default: {
          const block = blockOf(node);
          if (block) blocks.push(block);
          noteImagesIn([node]);
        }
      }
    }
    flushLoose();
  };

  visit(tree.children);
  return { blocks, images };
}

/** The block one node of the flow becomes, or null when it carries no passage text. */
function blockOf(node: RootContent): Block | null {
  switch (node.type) {
    case 'heading': {
      const text = plainText(node.children);
      const anchor = node.data?.id;
      return text === '' ? null : { kind: 'heading', level: node.depth, text, ...(anchor ? { anchor } : {}) };
    }
    case 'paragraph': {
      const text = plainText(node.children);
      return text === '' ? null : { kind: 'paragraph', text };
    }
    case 'list': {
      const items: string[] = [];
      collectListItems(node, 0, items);
      return items.length === 0 ? null : { kind: 'list', ordered: node.ordered === true, items };
    }
    case 'code':
      return node.value.trim() === '' ? null : { kind: 'code', text: node.value, ...(node.lang ? { language: node.lang } : {}) };
    case 'table':
      return tableBlock(node);
    default:
      // Front matter, definitions and thematic breaks carry no passage text.
      return null;
  }
}

/** `![alt][logo]` pictures name their URL in a `[logo]: …` definition; the first one of a label wins. */
function definitionUrls(tree: Root): Map<string, string> {
  const urls = new Map<string, string>();
  const visit = (nodes: readonly Nodes[]) => {
    for (const node of nodes) {
      if (node.type === 'definition') {
        if (!urls.has(node.identifier)) urls.set(node.identifier, node.url);
      } else if ('children' in node) {
        visit(node.children);
      }
    }
  };
  visit(tree.children);
  return urls;
}

function* imagesIn(nodes: readonly Nodes[], definitions: ReadonlyMap<string, string>): Generator<{ url: string; alt: string }> {
  for (const node of nodes) {
    if (node.type === 'image') {
      yield { url: node.url, alt: collapseWhitespace(node.alt ?? '') };
    } else if (node.type === 'imageReference') {
      const url = definitions.get(node.identifier);
      if (url !== undefined) yield { url, alt: collapseWhitespace(node.alt ?? '') };
    } else if ('children' in node) {
      yield* imagesIn(node.children, definitions);
    }
  }
}

function collectListItems(list: List, depth: number, items: string[]): void {
  const indentation = '  '.repeat(depth);
  for (const item of list.children) {
    const parts: string[] = [];
    const nested: List[] = [];
    for (const child of item.children) {
      if (child.type === 'list') nested.push(child);
      else if (child.type === 'code') parts.push(child.value);
      else parts.push(plainText([child]));
    }
    const text = parts.filter((part) => part !== '').join('\n');
    const checkbox = item.checked === true ? '[x] ' : item.checked === false ? '[ ] ' : '';
    if (text !== '') items.push(`${indentation}${checkbox}${text}`);
    for (const list of nested) collectListItems(list, depth + 1, items);
  }
}

function tableBlock(table: Table): Block | null {
  const rows = table.children
    .map((row) => row.children.map((cell) => plainText(cell.children)))
    .filter((cells, index) => index === 0 || cells.some((cell) => cell !== ''));
  const [first, ...rest] = rows;
  if (first === undefined) return null;
  // An HTML table without <th> or <thead> arrives with an empty header row.
  const header = first.some((cell) => cell !== '') ? first : null;
  if (header === null && rest.length === 0) return null;
  return { kind: 'table', header, rows: rest };
}

function plainText(nodes: readonly Nodes[]): string {
  return collapseWhitespace(nodes.map(inlineText).join(''));
}

function inlineText(node: Nodes): string {
  switch (node.type) {
    case 'text':
    case 'inlineCode':
      return node.value;
    case 'image':
    case 'imageReference':
      return node.alt ?? '';
    case 'break':
      return '\n';
    case 'html':
      // Inline HTML arrives tag by tag; the text between the tags is ordinary text.
      return '';
    default:
      if (!('children' in node)) return '';
      // Inline parents join their parts as written; block parents (a quote in a list item) get a space.
      return node.children.map(inlineText).join(inlineParents.has(node.type) ? '' : ' ');
  }
}
