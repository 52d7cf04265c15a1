import { OrioleError, type Block } from '../../src/core/index.ts';

/**
 * Cells a spreadsheet (XLSX, ODS) may yield, counted over the tables it becomes (rows ×
 * columns kept). More would not fit the chunks a document may have anyway, and a few
 * cells far apart (A1 and XFD1048576) must not become a table of billions of blanks.
 */
export const maxSpreadsheetCells = 500_000;

/** Title rows above a table's header; more one-cell rows than this are data. */
const maxCaptionRows = 3;

/** A sheet's non-empty cells, as displayed: row index → column index → text. */
export type SheetCells = Map<number, Map<number, string>>;

/**
 * Counts a workbook's cells against `maxSpreadsheetCells`; throws `document_too_complex`
 * past it. Readers take one for each non-empty cell as they read it (so a sheet of
 * millions stops early), `sheetBlocks` the blanks its tables fill in.
 */
export interface CellBudget {
  take(cells: number): void;
}

export function createCellBudget(source: string, maximum = maxSpreadsheetCells): CellBudget {
  let used = 0;
  return {
    take(cells) {
      used += cells;
      if (used <= maximum) return;
      throw new OrioleError('document_too_complex', `${source} has more than the ${maximum} spreadsheet cells a document may have`, {
        details: { source, limit: 'maxSpreadsheetCells', value: used, maximum },
      });
    },
  };
}

/** Puts a non-empty cell's text in place; blank text is not a cell. */
export function setCell(cells: SheetCells, row: number, column: number, text: string): boolean {
  const trimmed = text.trim();
  if (trimmed === '') return false;
  let cellsOfRow = cells.get(row);
  if (cellsOfRow === undefined) cells.set(row, (cellsOfRow = new Map()));
  cellsOfRow.set(column, trimmed);
  return true;
}

/**
 * A sheet as a section: a heading with its name, then its rows as one table whose first
 * row is the header (the chunker repeats it above every part of the table). Empty rows
 * and columns are dropped. One-cell rows above a wider table (a title such as "Price
 * list 2026" over the header) are paragraphs before it, not its header. A sheet with no
 * cells is left out.
 */
export function sheetBlocks(name: string, cells: SheetCells, budget: CellBudget): Block[] {
  const rows = [...cells.keys()].sort((a, b) => a - b).map((index) => cells.get(index)!);
  if (rows.length === 0) return [];
  const blocks: Block[] = [{ kind: 'heading', level: 1, text: name }];
  let lastWide = rows.length - 1;
  while (lastWide >= 0 && rows[lastWide]!.size < 2) lastWide--;
  let first = 0;
  while (first < lastWide && first < maxCaptionRows && rows[first]!.size === 1) {
    blocks.push({ kind: 'paragraph', text: [...rows[first]!.values()][0]! });
    first++;
  }
  const tableRows = rows.slice(first);
  const columns = [...new Set(tableRows.flatMap((row) => [...row.keys()]))].sort((a, b) => a - b);
  const filled = tableRows.reduce((sum, row) => sum + row.size, 0);
  budget.take(tableRows.length * columns.length - filled);
  const [header, ...body] = tableRows.map((row) => columns.map((column) => row.get(column) ?? ''));
  blocks.push({ kind: 'table', header: header!, rows: body });
  return blocks;
}
