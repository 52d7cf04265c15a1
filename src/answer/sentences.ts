import { splitSentences } from '../text/index.ts';

/** What a unit of text is: prose, one item of a list or numbered steps, a table row, or code kept whole. */
export type TextUnitKind = 'sentence' | 'list-item' | 'table-row' | 'code';

export interface TextUnit {
  text: string;
  kind: TextUnitKind;
  /**
   * Units of one paragraph, one list or one code block share a block number; blank
   * lines and switches between prose and list start a new one. A citation marker at the
   * end of a paragraph or step list covers the block.
   */
  block: number;
}

const listItemStart = /^\s*(?:\d{1,3}[.)、]|[-*•+]|[（(]\d{1,3}[)）])\s+|^\s*\d{1,3}[、．]/u;
const fence = /^\s*(?:```|~~~)/;
const shellLine = /^\s*(?:\$|>>>|PS>) \S/;
const tableRow = /^\s*\|.*\|\s*$/;
const tableSeparator = /^\s*\|(?:\s*:?-{2,}:?\s*\|)+\s*$/;

/**
 * The units of an answer or passage, line by line: prose lines split into sentences by
 * the splitter the chunker uses (src/text), list items and steps, table rows, and code
 * blocks kept whole, each trimmed.
 */
export function splitTextUnits(text: string): TextUnit[] {
  const units: TextUnit[] = [];
  let block = 0;
  let previousKind: TextUnitKind | 'blank' = 'blank';
  let codeLines: string[] | undefined;

  const startUnit = (kind: TextUnitKind): void => {
    if (previousKind !== 'blank' && previousKind !== kind) block += 1;
    previousKind = kind;
  };

  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    if (codeLines) {
      codeLines.push(line);
      if (fence.test(line)) {
        units.push({ text: codeLines.join('\n'), kind: 'code', block });
        codeLines = undefined;
      }
      continue;
    }
    if (line.trim() === '') {
      if (previousKind !== 'blank') block += 1;
      previousKind = 'blank';
    } else if (fence.test(line)) {
      startUnit('code');
      codeLines = [line];
    } else if (shellLine.test(line)) {
      startUnit('code');
      units.push({ text: line.trim(), kind: 'code', block });
    } else if (tableRow.test(line)) {
      startUnit('table-row');
      if (!tableSeparator.test(line)) units.push({ text: line.trim(), kind: 'table-row', block });
    } else if (listItemStart.test(line)) {
      startUnit('list-item');
      units.push({ text: line.trim(), kind: 'list-item', block });
    } else {
      startUnit('sentence');
      for (const sentence of splitSentences(line)) units.push({ text: sentence, kind: 'sentence', block });
    }
  }
  // An unclosed fence (a truncated chunk) is still code.
  if (codeLines) units.push({ text: codeLines.join('\n'), kind: 'code', block });
  return units;
}
