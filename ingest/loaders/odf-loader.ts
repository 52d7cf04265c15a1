import type { Block, Loader, LoaderInput, ParsedDocument } from '../../src/core/index.ts';
import { collapseWhitespace } from './collapse-whitespace.ts';
import { contentTypes } from './content-types.ts';
import { readOfficeArchive, type OfficeArchive, type OfficeArchiveLimits } from './office-archive.ts';
import { createCellBudget, setCell, sheetBlocks, type CellBudget, type SheetCells } from './sheet-table.ts';
import { slideBlocks } from './slide-blocks.ts';
import { parsedOrUnparseable, unparseable } from './unparseable.ts';
import { attribute, childAt, childNamed, localName, textContent, type XmlElement } from './xml-tree.ts';

const formatNames: Record<string, string> = {
  [contentTypes.odt]: 'ODT',
  [contentTypes.ods]: 'ODS',
  [contentTypes.odp]: 'ODP',
};

/**
 * OpenDocument text, spreadsheets and presentations (LibreOffice, Google Docs exports)
 * read from content.xml. Text (.odt): headings with their outline level, paragraphs,
 * lists (nested items indented) and tables; a table of contents is left out. Spreadsheets
 * (.ods): each sheet a section with one table, as XLSX (`sheetBlocks`); a cell's text is
 * what the sheet displays, which OpenDocument stores. Presentations (.odp): each slide a
 * section with its title, text, tables and speaker notes, as PPTX (`slideBlocks`).
 * Title: meta.xml's `dc:title`, else the first heading or slide title.
 */
export function createOdfLoader(limits: OfficeArchiveLimits): Loader {
  return {
    contentTypes: [contentTypes.odt, contentTypes.ods, contentTypes.odp],
    async load({ source, bytes, contentType }: LoaderInput): Promise<ParsedDocument> {
      const format = formatNames[contentType ?? ''] ?? 'OpenDocument';
      const archive = readOfficeArchive(source, format, bytes, limits);
      return parsedOrUnparseable(source, format, () => readDocument(source, format, archive));
    },
  };
}

function readDocument(source: string, format: string, archive: OfficeArchive): ParsedDocument {
  const content = archive.xml('content.xml');
  const body = content && childNamed(content, 'body');
  if (body === undefined) throw unparseable(source, format, 'content.xml is missing or has no body');
  const declaredTitle = metaTitle(archive);
  const text = childNamed(body, 'text');
  if (text) {
    const blocks = textBlocks(text);
    const firstHeading = blocks.find((block) => block.kind === 'heading');
    const title = declaredTitle ?? (firstHeading?.kind === 'heading' ? firstHeading.text : null);
    return { title, contentType: contentTypes.odt, blocks, metadata: {} };
  }
  const spreadsheet = childNamed(body, 'spreadsheet');
  if (spreadsheet) {
    const budget = createCellBudget(source);
    const blocks: Block[] = [];
    const sheets: string[] = [];
    for (const table of elements(spreadsheet).filter((child) => localName(child.name) === 'table')) {
      const name = attribute(table, 'name') ?? `Sheet ${sheets.length + 1}`;
      const sheet = sheetBlocks(name, tableCells(table, budget), budget);
      if (sheet.length > 0) sheets.push(name);
      blocks.push(...sheet);
    }
    return { title: declaredTitle, contentType: contentTypes.ods, blocks, metadata: { sheets } };
  }
  const presentation = childNamed(body, 'presentation');
  if (presentation) {
    const blocks: Block[] = [];
    let firstTitle: string | null = null;
    let number = 0;
    for (const page of elements(presentation).filter((child) => localName(child.name) === 'page')) {
      number++;
      const { title, body: slideBody } = pageContent(page);
      firstTitle ??= title;
      const notes = childNamed(page, 'notes');
      blocks.push(...slideBlocks({ number, title, body: slideBody, notes: notes ? notesText(notes) : [] }));
    }
    return { title: declaredTitle ?? firstTitle, contentType: contentTypes.odp, blocks, metadata: { slides: number } };
  }
  throw unparseable(source, format, 'content.xml holds neither text, a spreadsheet nor a presentation');
}

function metaTitle(archive: OfficeArchive): string | null {
  const title = childAt(archive.xml('meta.xml'), 'meta', 'title');
  const text = title ? collapseWhitespace(textContent(title)) : '';
  return text === '' ? null : text;
}

function elements(element: XmlElement): XmlElement[] {
  return element.children.filter((child): child is XmlElement => typeof child !== 'string');
}

/** Elements whose text is not the paragraph's: footnotes, comments, tracked deletions, anchored frames (read as blocks of their own). */
const notInline = new Set(['note', 'annotation', 'annotation-end', 'tracked-changes', 'deletion', 'frame']);

/** A paragraph's text as shown: `text:s` spaces, tabs and line breaks as spaces; footnotes and comments left out. */
function inlineText(element: XmlElement): string {
  return collapseWhitespace(rawInline(element));
}

function rawInline(element: XmlElement): string {
  return element.children
    .map((child) => {
      if (typeof child === 'string') return child;
      const name = localName(child.name);
      if (name === 's') return ' ';
      if (name === 'tab' || name === 'line-break') return ' ';
      if (notInline.has(name)) return '';
      return rawInline(child);
    })
    .join('');
}

/** Containers whose children are read as if they stood in their place. */
const transparent = new Set(['section', 'text-box', 'frame', 'g', 'index-body', 'change-start', 'change-end']);
/** Generated or invisible: a table of contents repeats the headings; declarations hold no text. */
const skipped = new Set(['table-of-content', 'illustration-index', 'sequence-decls', 'variable-decls', 'tracked-changes', 'forms', 'notes']);

function textBlocks(container: XmlElement): Block[] {
  const blocks: Block[] = [];
  for (const child of elements(container)) {
    const name = localName(child.name);
    if (skipped.has(name)) continue;
    if (name === 'h') {
      const text = inlineText(child);
      const level = Math.min(Math.max(Number(attribute(child, 'outline-level') ?? 1) || 1, 1), 6);
      if (text !== '') blocks.push({ kind: 'heading', level, text });
    } else if (name === 'p') {
      const text = inlineText(child);
      if (text !== '') blocks.push({ kind: 'paragraph', text });
      // A paragraph can anchor frames (text boxes, images with captions) whose text counts too.
      for (const frame of elements(child).filter((inner) => localName(inner.name) === 'frame')) blocks.push(...textBlocks(frame));
    } else if (name === 'list') {
      const items = listItems(child, 0);
      if (items.length > 0) blocks.push({ kind: 'list', ordered: false, items });
    } else if (name === 'table') {
      blocks.push(...tableBlock(child));
    } else if (transparent.has(name)) {
      blocks.push(...textBlocks(child));
    }
  }
  return blocks;
}

/** A list's items, nested lists indented two spaces a level. */
function listItems(list: XmlElement, depth: number): string[] {
  const items: string[] = [];
  for (const item of elements(list).filter((child) => ['list-item', 'list-header'].includes(localName(child.name)))) {
    for (const part of elements(item)) {
      const name = localName(part.name);
      if (name === 'list') items.push(...listItems(part, depth + 1));
      else if (name === 'p' || name === 'h') {
        const text = inlineText(part);
        if (text !== '') items.push(`${'  '.repeat(Math.min(depth, 8))}${text}`);
      }
    }
  }
  return items;
}

/** The rows of a table (inside header-row, row-group and rows wrappers too), with their repeat counts. */
function tableRows(table: XmlElement): { row: XmlElement; repeat: number }[] {
  return elements(table).flatMap((child) => {
    const name = localName(child.name);
    if (name === 'table-row') return [{ row: child, repeat: repeatCount(child, 'number-rows-repeated') }];
    if (name === 'table-header-rows' || name === 'table-row-group' || name === 'table-rows') return tableRows(child);
    return [];
  });
}

function rowCells(row: XmlElement): { text: string; repeat: number }[] {
  return elements(row)
    .filter((cell) => ['table-cell', 'covered-table-cell'].includes(localName(cell.name)))
    .map((cell) => ({
      text: elements(cell)
        .filter((part) => ['p', 'h', 'list'].includes(localName(part.name)))
        .map((part) => (localName(part.name) === 'list' ? listItems(part, 0).join(' ') : inlineText(part)))
        .filter((text) => text !== '')
        .join(' '),
      repeat: repeatCount(cell, 'number-columns-repeated'),
    }));
}

function repeatCount(element: XmlElement, name: string): number {
  const count = Number(attribute(element, name) ?? 1);
  return Number.isSafeInteger(count) && count >= 1 ? count : 1;
}

/**
 * A sheet's cells. OpenDocument writes runs of equal cells and rows once with a repeat
 * count (a sheet's trailing blank area is one row repeated a million times); blank runs
 * only move the position, and text is repeated only within the cell budget, which is
 * taken for the whole run first, so a repeat count of a billion fails at once.
 */
function tableCells(table: XmlElement, budget: CellBudget): SheetCells {
  const cells: SheetCells = new Map();
  let rowIndex = 0;
  for (const { row, repeat: rowRepeat } of tableRows(table)) {
    const cellsOfRow = rowCells(row);
    const filled = cellsOfRow.reduce((sum, cell) => sum + (cell.text === '' ? 0 : cell.repeat), 0);
    if (filled > 0) {
      budget.take(filled * rowRepeat);
      for (let copy = 0; copy < rowRepeat; copy++) {
        let columnIndex = 0;
        for (const { text, repeat } of cellsOfRow) {
          if (text !== '') for (let index = 0; index < repeat; index++) setCell(cells, rowIndex + copy, columnIndex + index, text);
          columnIndex += repeat;
        }
      }
    }
    rowIndex += rowRepeat;
  }
  return cells;
}

/** A table in a text or on a slide: its first row (or its header rows' first) is the header. */
function tableBlock(table: XmlElement): Block[] {
  const rows: string[][] = [];
  for (const { row, repeat } of tableRows(table)) {
    const cells = rowCells(row).flatMap(({ text, repeat: columns }) => Array.from({ length: Math.min(columns, 64) }, () => text));
    if (cells.every((cell) => cell === '')) continue;
    for (let copy = 0; copy < Math.min(repeat, 64); copy++) rows.push(cells);
  }
  const [header, ...body] = rows;
  return header === undefined ? [] : [{ kind: 'table', header, rows: body }];
}

/** Frame classes that are a slide's furniture. */
const pageFurniture = new Set(['page-number', 'footer', 'header', 'date-time', 'page']);

function pageContent(page: XmlElement): { title: string | null; body: Block[] } {
  let title: string | null = null;
  const body: Block[] = [];
  const visit = (container: XmlElement) => {
    for (const shape of elements(container)) {
      const name = localName(shape.name);
      if (name === 'g') {
        visit(shape);
        continue;
      }
      if (name === 'notes' || (name !== 'frame' && name !== 'custom-shape' && name !== 'rect')) continue;
      const role = attribute(shape, 'class', { namespaced: true }) ?? '';
      if (pageFurniture.has(role)) continue;
      const blocks = textBlocks(shape);
      if (role === 'title' && title === null) {
        const text = blocks.map(blockText).join(' ').trim();
        if (text !== '') {
          title = text;
          continue;
        }
      }
      body.push(...blocks);
    }
  };
  visit(page);
  return { title, body };
}

function blockText(block: Block): string {
  if (block.kind === 'list') return block.items.join(' ');
  if (block.kind === 'table') return [block.header ?? [], ...block.rows].flat().join(' ');
  return block.text;
}

/** The speaker notes: the text of the notes page's notes frame. */
function notesText(notes: XmlElement): string[] {
  return elements(notes)
    .filter((frame) => localName(frame.name) === 'frame' && attribute(frame, 'class', { namespaced: true }) === 'notes')
    .flatMap((frame) => textBlocks(frame).map(blockText))
    .filter((text) => text !== '');
}
