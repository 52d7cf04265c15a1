import type { List, Nodes, PhrasingContent, Root, RootContent, Table } from 'mdast';
import type { Block } from '../../src/core/index.ts';
import { collapseWhitespace } from './collapse-whitespace.ts';

export interface MdastToBlocksOptions {
  /** Turns a block of raw HTML (HTML inside Markdown) into blocks; without it such HTML is dropped. */
  htmlToBlocks?: (html: string) => Block[];
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
 * their text.
 */
export function mdastToBlocks(tree: Root, options: MdastToBlocksOptions = {}): Block[] {
  const blocks: Block[] = [];
  // Loose inline content between blocks (HTML allows it) gathers into one paragraph.
  let loose: PhrasingContent[] = [];

  const pushParagraph = (text: string) => {
    if (text !== '') blocks.push({ kind: 'paragraph', text });
  };
  const flushLoose = () => {
    pushParagraph(plainText(loose));
    loose = [];
  };

  const visit = (nodes: readonly RootContent[]) => {
    for (const node of nodes) {
      if (phrasingTypes.has(node.type)) {
        loose.push(node as PhrasingContent);
        continue;
      }
      flushLoose();
      switch (node.type) {
        case 'heading': {
          const text = plainText(node.children);
          const anchor = node.data?.id;
          if (text !== '') blocks.push({ kind: 'heading', level: node.depth, text, ...(anchor ? { anchor } : {}) });
          break;
        }
        case 'paragraph':
          pushParagraph(plainText(node.children));
          break;
        case 'list': {
          const items: string[] = [];
          collectListItems(node, 0, items);
          if (items.length > 0) blocks.push({ kind: 'list', ordered: node.ordered === true, items });
          break;
        }
        case 'code':
          if (node.value.trim() !== '') {
            blocks.push({ kind: 'code', text: node.value, ...(node.lang ? { language: node.lang } : {}) });
          }
          break;
        case 'table': {
          const table = tableBlock(node);
          if (table) blocks.push(table);
          break;
        }
        case 'html':
          if (options.htmlToBlocks) blocks.push(...options.htmlToBlocks(node.value));
          break;
        case 'blockquote':
        case 'footnoteDefinition':
        case 'listItem':
          visit(node.children);
          break;
        default:
          // Front matter, definitions and thematic breaks carry no passage text.
          break;
      }
    }
    flushLoose();
  };

  visit(tree.children);
  return blocks;
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
