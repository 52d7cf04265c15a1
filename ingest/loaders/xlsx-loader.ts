import type { Block, Loader, LoaderInput, ParsedDocument } from '../../src/core/index.ts';
import { builtInNumberFormat, formatCellNumber, general } from './cell-format.ts';
import { contentTypes } from './content-types.ts';
import { readOfficeArchive, type OfficeArchive, type OfficeArchiveLimits } from './office-archive.ts';
import { coreTitle, mainPartName, relatedPart } from './ooxml-package.ts';
import { createCellBudget, setCell, sheetBlocks, type CellBudget, type SheetCells } from './sheet-table.ts';
import { parsedOrUnparseable, unparseable } from './unparseable.ts';
import { attribute, childAt, childNamed, childrenNamed, textContent, type XmlElement } from './xml-tree.ts';

/** The grid's bounds (ECMA-376: XFD1048576); a reference past them is damage, not data. */
const maxRows = 1_048_576;
const maxColumns = 16_384;

/**
 * Excel workbooks (.xlsx, .xlsm) read from their XML parts: each visible worksheet a
 * section titled by its name, its cells one table (see `sheetBlocks`), numbers and dates
 * as their number format displays them (`formatCellNumber`), formulas as their last
 * computed value. Hidden sheets, charts and images are left out. Title: the core
 * properties' title; `metadata.sheets` names the sheets read.
 */
export function createXlsxLoader(limits: OfficeArchiveLimits): Loader {
  return {
    contentTypes: [contentTypes.xlsx],
    async load({ source, bytes }: LoaderInput): Promise<ParsedDocument> {
      const archive = readOfficeArchive(source, 'XLSX', bytes, limits);
      return parsedOrUnparseable(source, 'XLSX', () => readWorkbook(source, archive));
    },
  };
}

function readWorkbook(source: string, archive: OfficeArchive): ParsedDocument {
  const workbookPart = mainPartName(archive, 'xl/workbook.xml');
  const workbook = archive.xml(workbookPart);
  if (workbook === undefined) throw unparseable(source, 'XLSX', `${workbookPart} is missing or empty`);
  const properties = childNamed(workbook, 'workbookPr');
  const date1904 = properties !== undefined && ['1', 'true'].includes(attribute(properties, 'date1904') ?? '');
  const sharedStringsPart = relatedPart(archive, workbookPart, 'sharedStrings');
  const stylesPart = relatedPart(archive, workbookPart, 'styles');
  const context: SheetContext = {
    sharedStrings: sharedStringsPart ? sharedStrings(archive.xml(sharedStringsPart)) : [],
    formats: stylesPart ? cellFormats(archive.xml(stylesPart)) : [],
    date1904,
    budget: createCellBudget(source),
  };
  const targets = archive.relationships(workbookPart);
  const blocks: Block[] = [];
  const sheets: string[] = [];
  for (const sheet of childrenNamed(childNamed(workbook, 'sheets') ?? workbook, 'sheet')) {
    const name = attribute(sheet, 'name') ?? `Sheet ${sheets.length + 1}`;
    const state = attribute(sheet, 'state');
    const target = targets.get(attribute(sheet, 'id', { namespaced: true }) ?? '');
    if (state === 'hidden' || state === 'veryHidden' || target === undefined || !target.type.endsWith('/worksheet')) continue;
    const worksheet = archive.xml(target.target);
    if (worksheet === undefined) continue;
    const sheetBlocksRead = sheetBlocks(name, worksheetCells(worksheet, context), context.budget);
    if (sheetBlocksRead.length > 0) sheets.push(name);
    blocks.push(...sheetBlocksRead);
  }
  return { title: coreTitle(archive), contentType: contentTypes.xlsx, blocks, metadata: { sheets } };
}

interface SheetContext {
  sharedStrings: string[];
  /** Number format code of each cell style (`c@s` indexes it). */
  formats: string[];
  date1904: boolean;
  budget: CellBudget;
}

function worksheetCells(worksheet: XmlElement, context: SheetContext): SheetCells {
  const cells: SheetCells = new Map();
  const sheetData = childNamed(worksheet, 'sheetData');
  let rowIndex = -1;
  for (const row of sheetData ? childrenNamed(sheetData, 'row') : []) {
    rowIndex = indexFrom(attribute(row, 'r'), rowIndex + 1, maxRows);
    let columnIndex = -1;
    for (const cell of childrenNamed(row, 'c')) {
      columnIndex = columnFrom(attribute(cell, 'r'), columnIndex + 1);
      if (columnIndex >= maxColumns || rowIndex >= maxRows) continue;
      if (setCell(cells, rowIndex, columnIndex, cellText(cell, context))) context.budget.take(1);
    }
  }
  return cells;
}

/** A 1-based row number as a 0-based index; the next row when it is missing or out of range. */
function indexFrom(written: string | undefined, next: number, limit: number): number {
  const number = Number(written);
  return Number.isSafeInteger(number) && number >= 1 && number <= limit ? number - 1 : next;
}

/** The column of a cell reference (`BC12` → 54); the next column when there is none. */
function columnFrom(reference: string | undefined, next: number): number {
  const letters = /^\$?([A-Z]+)\$?\d*$/i.exec(reference ?? '')?.[1];
  if (letters === undefined) return next;
  if (letters.length > 3) return maxColumns;
  let column = 0;
  for (const letter of letters.toUpperCase()) column = column * 26 + (letter.charCodeAt(0) - 64);
  return column - 1;
}

function cellText(cell: XmlElement, context: SheetContext): string {
  const valueElement = childNamed(cell, 'v');
  const value = valueElement ? textContent(valueElement) : '';
  switch (attribute(cell, 't')) {
    case 's':
      return context.sharedStrings[Number(value)] ?? '';
    case 'inlineStr':
      return richText(childNamed(cell, 'is'));
    case 'str':
    case 'e':
      return value;
    case 'b':
      return value === '' ? '' : value === '1' || value === 'true' ? 'TRUE' : 'FALSE';
    case 'd':
      // An ISO 8601 date written as such; midnight is a date without a time.
      return value.replace(/T00:00(:00(\.0+)?)?Z?$/, '');
    default: {
      if (value.trim() === '') return '';
      const number = Number(value);
      if (!Number.isFinite(number)) return value;
      const format = context.formats[Number(attribute(cell, 's') ?? 0)];
      return format === undefined ? general(number) : formatCellNumber(number, format, context.date1904);
    }
  }
}

/** A shared or inline string: its text, or its runs' text; phonetic guides (`rPh`) are left out. */
function richText(item: XmlElement | undefined): string {
  if (item === undefined) return '';
  return item.children
    .map((child) => {
      if (typeof child === 'string') return '';
      const name = child.name.slice(child.name.indexOf(':') + 1);
      if (name === 't') return textContent(child);
      if (name === 'r') return childrenNamed(child, 't').map(textContent).join('');
      return '';
    })
    .join('');
}

function sharedStrings(table: XmlElement | undefined): string[] {
  return table ? childrenNamed(table, 'si').map(richText) : [];
}

/** Each cell style's number format code: built-in ids (`builtInNumberFormat`) or the workbook's own `numFmt`s. */
function cellFormats(styles: XmlElement | undefined): string[] {
  if (styles === undefined) return [];
  const custom = new Map<number, string>();
  for (const format of childrenNamed(childNamed(styles, 'numFmts') ?? styles, 'numFmt')) {
    custom.set(Number(attribute(format, 'numFmtId')), attribute(format, 'formatCode') ?? 'General');
  }
  const cellXfs = childAt(styles, 'cellXfs');
  return (cellXfs ? childrenNamed(cellXfs, 'xf') : []).map((xf) => {
    const id = Number(attribute(xf, 'numFmtId') ?? 0);
    return custom.get(id) ?? builtInNumberFormat(id) ?? 'General';
  });
}
