import type { ChunkingSettings } from '../../src/core/index.ts';
import { sentenceSlices } from '../../src/text/index.ts';
import { countTokens } from './count-tokens.ts';
import { normalizeCode, normalizeText } from './normalize-text.ts';
import { splitByTokens } from './split-by-tokens.ts';
import type { ContentBlock } from './split-sections.ts';

/** The smallest piece a block may be cut into: a sentence, a list line, a code line, a table row. */
export interface Atom {
  /** As rendered; a sentence keeps the whitespace after it. */
  text: string;
  tokens: number;
  /** A whole sentence or list item, which an overlap may repeat; never a code line or table row. */
  whole: boolean;
}

/** A block ready for packing: its atoms, and what every part of it repeats. */
export interface BlockUnit {
  kind: ContentBlock['kind'];
  page: number | undefined;
  atoms: Atom[];
  /** Lines before every part: the opening code fence with its language, the table header and separator. */
  head: string;
  /** Lines after every part: the closing code fence. */
  tail: string;
  /** Tokens of `head` and `tail`, paid by every part. */
  frameTokens: number;
}

/** Turns a block into atoms; null for a block with nothing in it. */
export function blockUnit(block: ContentBlock, settings: ChunkingSettings): BlockUnit | null {
  switch (block.kind) {
    case 'paragraph':
      return paragraphUnit(normalizeText(block.text), block.page, settings);
    case 'list':
      return listUnit(block.items, block.ordered, block.page, settings);
    case 'code':
      return codeUnit(normalizeCode(block.text), block.language, block.page);
    case 'table':
      return tableUnit(block.header, block.rows, block.page);
  }
}

/** Tokens of the whole block rendered as one part. */
export function unitTokens(unit: BlockUnit): number {
  return unit.atoms.reduce((sum, atom) => sum + atom.tokens, unit.frameTokens);
}

/** Renders atoms [from, to) of a unit as Markdown, with the unit's head and tail. */
export function renderUnitPart(unit: BlockUnit, from: number, to: number): string {
  const atoms = unit.atoms.slice(from, to).map((atom) => atom.text);
  switch (unit.kind) {
    case 'paragraph':
      return atoms.join('').trim();
    case 'code':
      return `${unit.head}\n${atoms.join('\n').replace(/\n+$/, '')}\n${unit.tail}`;
    case 'list':
      // A part that starts inside an item starts with its indentation, meaningless on its own.
      return atoms.join('\n').trimStart();
    case 'table':
      return [unit.head, ...atoms].filter((line) => line.length > 0).join('\n');
  }
}

function paragraphUnit(text: string, page: number | undefined, settings: ChunkingSettings): BlockUnit | null {
  if (text.length === 0) return null;
  const atoms = sentenceSlices(text).flatMap((sentence) => {
    const tokens = countTokens(sentence);
    if (tokens <= settings.maxTokens) return [{ text: sentence, tokens, whole: true }];
    return splitByTokens(sentence, settings.targetTokens).map((words) => atom(words, false));
  });
  return { kind: 'paragraph', page, atoms, head: '', tail: '', frameTokens: 0 };
}

function listUnit(
  items: readonly string[],
  ordered: boolean,
  page: number | undefined,
  settings: ChunkingSettings,
): BlockUnit | null {
  const texts = items.map(normalizeText).filter((item) => item.length > 0);
  if (texts.length === 0) return null;
  const atoms = texts.flatMap((item, index) => listItemAtoms(item, ordered ? `${index + 1}. ` : '- ', settings));
  return { kind: 'list', page, atoms, head: '', tail: '', frameTokens: 0 };
}

/** One line per item; an item over maxTokens becomes several lines, the later ones indented under the marker. */
function listItemAtoms(item: string, marker: string, settings: ChunkingSettings): Atom[] {
  const line = `${marker}${item}`;
  const tokens = countTokens(line);
  if (tokens <= settings.maxTokens) return [{ text: line, tokens, whole: true }];
  const budget = Math.max(1, settings.targetTokens - countTokens(marker));
  const pieces = sentenceSlices(item).flatMap((sentence) => splitByTokens(sentence, budget));
  const indent = ' '.repeat(marker.length);
  return groupByTokens(pieces, budget).map((group, index) =>
    atom(`${index === 0 ? marker : indent}${group.trim()}`, false),
  );
}

function codeUnit(code: string, language: string | undefined, page: number | undefined): BlockUnit | null {
  if (code.length === 0) return null;
  const fence = '`'.repeat(Math.max(3, longestBacktickRun(code) + 1));
  const head = `${fence}${language?.trim().split(/\s/)[0] ?? ''}`;
  // Blank lines ride with the line above them, so no part starts with a blank line.
  const atoms = code.split(/\n(?=[^\n])/).map((line) => atom(line, false));
  return { kind: 'code', page, atoms, head, tail: fence, frameTokens: countTokens(`${head}\n${fence}`) };
}

function tableUnit(header: readonly string[] | null, rows: readonly string[][], page: number | undefined): BlockUnit | null {
  const headerCells = header?.map(tableCell) ?? null;
  const bodyRows = rows.map((row) => row.map(tableCell)).filter((row) => row.some((cell) => cell.length > 0));
  const width = bodyRows.reduce((widest, row) => Math.max(widest, row.length), headerCells?.length ?? 0);
  if (width === 0 || (bodyRows.length === 0 && !headerCells?.some((cell) => cell.length > 0))) return null;
  // Without a header row the rows are rendered alone: inventing one would mislabel the columns.
  const separator = tableRow(Array.from({ length: width }, () => '---'), width);
  const head = headerCells === null ? '' : `${tableRow(headerCells, width)}\n${separator}`;
  const atoms = bodyRows.map((row) => atom(tableRow(row, width), false));
  return { kind: 'table', page, atoms, head, tail: '', frameTokens: countTokens(head) };
}

function tableCell(cell: string): string {
  return normalizeText(cell).replace(/\|/g, '\\|');
}

function tableRow(cells: readonly string[], width: number): string {
  const padded = Array.from({ length: width }, (_, index) => cells[index] ?? '');
  return `| ${padded.join(' | ')} |`;
}

function longestBacktickRun(code: string): number {
  let longest = 0;
  for (const [run] of code.matchAll(/`+/g)) longest = Math.max(longest, run.length);
  return longest;
}

function groupByTokens(pieces: readonly string[], budget: number): string[] {
  const groups: string[] = [];
  let current = '';
  for (const piece of pieces) {
    if (current.length > 0 && countTokens(current + piece) > budget) {
      groups.push(current);
      current = '';
    }
    current += piece;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

function atom(text: string, whole: boolean): Atom {
  return { text, tokens: countTokens(text), whole };
}
