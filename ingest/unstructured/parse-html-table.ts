import type { Element, Nodes } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { select, selectAll } from 'hast-util-select';

export interface ParsedTable {
  header: string[] | null;
  rows: string[][];
}

/**
 * Reads Unstructured's `metadata.text_as_html` (`<table><thead><tr><th>…` from layout
 * models, or bare `<table><tr><td>…` rows from office formats) into a header and rows.
 * The header is the `<thead>` row, or a first row made only of `<th>` cells; without
 * either the table has no header. Null when there is no table with cells.
 */
export function parseHtmlTable(html: string): ParsedTable | null {
  const table = select('table', fromHtml(html, { fragment: true }));
  if (table === undefined) return null;
  const rows = selectAll('tr', table)
    .map((row) => ({ row, cells: selectAll('td, th', row) }))
    .filter(({ cells }) => cells.length > 0);
  if (rows.length === 0) return null;
  const headRow = select('thead tr', table);
  const [first] = rows;
  const headerIndex =
    headRow !== undefined
      ? rows.findIndex(({ row }) => row === headRow)
      : first !== undefined && first.cells.every((cell) => cell.tagName === 'th')
        ? 0
        : -1;
  const texts = rows.map(({ cells }) => cells.map(cellText));
  if (headerIndex === -1) return { header: null, rows: texts };
  return { header: texts[headerIndex] ?? null, rows: texts.filter((_, index) => index !== headerIndex) };
}

function cellText(cell: Element): string {
  return textOf(cell).replace(/\s+/g, ' ').trim();
}

function textOf(node: Nodes): string {
  if (node.type === 'text') return node.value;
  if (node.type === 'element' && node.tagName === 'br') return ' ';
  if ('children' in node) return node.children.map((child) => textOf(child)).join('');
  return '';
}
