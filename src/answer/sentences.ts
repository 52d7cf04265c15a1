import type { AnswerLanguage } from '../core/index.ts';

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
 * Words that end with a period but almost never end a sentence (lower-cased, without
 * the final period); Node's ICU segmenter ignores its own abbreviation list.
 */
const abbreviations = new Set([
  'e.g', 'i.e', 'eg', 'ie', 'cf', 'vs', 'approx', 'incl', 'esp', 'fig', 'mr', 'mrs', 'ms', 'dr', 'st',
]);
const chineseSemicolonBreak = /(?<=；)/u;

/** The sentences of `text`: prose sentences, list items and steps, and code blocks, trimmed. */
export function splitSentences(text: string, language?: AnswerLanguage): string[] {
  return splitTextUnits(text, language).map((unit) => unit.text);
}

/** Like splitSentences, with each unit's kind and block (see TextUnit). */
export function splitTextUnits(text: string, language: AnswerLanguage = 'en'): TextUnit[] {
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
      for (const sentence of proseSentences(line, language)) units.push({ text: sentence, kind: 'sentence', block });
    }
  }
  // An unclosed fence (a truncated chunk) is still code.
  if (codeLines) units.push({ text: codeLines.join('\n'), kind: 'code', block });
  return units;
}

function proseSentences(line: string, language: AnswerLanguage): string[] {
  const segmenter = new Intl.Segmenter(language, { granularity: 'sentence' });
  const pieces: string[] = [];
  for (const { segment } of segmenter.segment(line)) pieces.push(...segment.split(chineseSemicolonBreak));
  return joinFalseBreaks(pieces)
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence.length > 0);
}

/** Mends breaks the segmenter makes after an abbreviation ("e.g. the Growth plan"). */
function joinFalseBreaks(pieces: string[]): string[] {
  const sentences: string[] = [];
  let pending = '';
  for (const piece of pieces) {
    pending += piece;
    if (!endsWithAbbreviation(pending)) {
      sentences.push(pending);
      pending = '';
    }
  }
  if (pending) sentences.push(pending);
  return sentences;
}

function endsWithAbbreviation(text: string): boolean {
  const trimmed = text.trimEnd();
  if (!trimmed.endsWith('.')) return false;
  const lastWord = (trimmed.split(/\s/).at(-1) ?? '').replace(/^[("'“‘[]+/u, '').slice(0, -1);
  return abbreviations.has(lastWord.toLowerCase());
}
