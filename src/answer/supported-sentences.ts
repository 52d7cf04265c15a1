import type { Passage } from '../core/index.ts';
import { lexicalTerms } from '../retrieval/index.ts';
import { couldBeginMarker, leadingMarkersLength, markerNumbers, stripMarkers } from './citation-markers.ts';
import { claimText, supportScore, supportThreshold } from './support.ts';
import { sentenceSlices } from '../text/index.ts';

/**
 * A generated answer reaches the client sentence by sentence, and only its supported
 * sentences do. Each sentence (a list item, table row or heading is one line) is held
 * until it is complete, then checked:
 * - one with no content terms ("Here's how:") passes;
 * - one with markers to retrieved passages passes when those passages together support
 *   it (supportScore ≥ supportThreshold, the check citations get);
 * - one without such markers passes when some retrieved passage supports it alone;
 * - code blocks pass (they are quoted, not claimed).
 * Everything else is dropped before it is streamed, and counted.
 */
export function createSupportGate(passages: readonly Passage[]) {
  let pending = '';
  let kept = '';
  let dropped = 0;
  // The current line: how it started (to tell a list item from prose) and whether any of it was kept.
  let lineSoFar = '';
  let lineKept = false;
  let lineUnits = 0;

  const decide = (unit: string): string => {
    lineUnits += 1;
    if (!isSupportedUnit(unit, passages)) {
      dropped += 1;
      return '';
    }
    lineKept = true;
    kept += unit;
    return unit;
  };

  const endLine = (newline: string): string => {
    // A line whose every sentence was dropped goes with its line break; a blank line stays.
    const keep = lineKept || lineUnits === 0;
    lineSoFar = '';
    lineKept = false;
    lineUnits = 0;
    if (keep) kept += newline;
    return keep ? newline : '';
  };

  const process = (final: boolean): string => {
    let released = '';
    for (;;) {
      const newline = pending.indexOf('\n');
      const line = newline < 0 ? pending : pending.slice(0, newline);
      const head = lineSoFar + line;
      if (fence.test(head)) {
        // A code block is one unit, released when its closing fence arrives.
        const close = closingFence(pending);
        if (close < 0 && !final) return released;
        const block = close < 0 ? pending : pending.slice(0, close);
        pending = pending.slice(block.length);
        released += decide(block.replace(/\n$/, ''));
        if (block.endsWith('\n')) released += endLine('\n');
        if (pending.length === 0) return released;
        continue;
      }
      const complete = newline >= 0 || final;
      if (!complete && !kindIsKnown(head)) return released;
      const wholeLine = isWholeLineUnit(head);
      if (wholeLine && !complete) return released;
      const units = wholeLine ? [line] : completeSentences(line, complete);
      const taken = units.join('').length;
      for (const unit of units) released += decide(unit);
      lineSoFar += line.slice(0, taken);
      pending = pending.slice(taken);
      if (!complete || newline < 0) return released;
      pending = pending.slice(1);
      released += endLine('\n');
    }
  };

  return {
    /** The supported part of the text decided so far. */
    push(text: string): string {
      pending += text;
      return process(false);
    },
    /** Decides the rest at the end of the stream. */
    flush(): string {
      return process(true);
    },
    /** Everything released: the answer text. */
    get keptText(): string {
      return kept;
    },
    /** Sentences dropped as unsupported. */
    get dropped(): number {
      return dropped;
    },
  };
}

const fence = /^\s*(?:```|~~~)/;
const listOrHeading = /^\s*(?:\d{1,3}[.)、]|[-*•+]|[（(]\d{1,3}[)）])\s+|^\s*\d{1,3}[、．]|^\s*#{1,6}\s|^\s*\|/u;
const shellLine = /^\s*(?:\$|>>>|PS>) \S/;

/** Whether enough of a line has arrived to tell a list item, heading, table row or code from prose. */
function kindIsKnown(line: string): boolean {
  return /\S\s/u.test(line.trimStart()) || line.trimStart().length >= 8;
}

function isWholeLineUnit(line: string): boolean {
  return listOrHeading.test(line) || shellLine.test(line);
}

/** Where the code block opening `text` ends (after its closing fence line), or -1 while it is open. */
function closingFence(text: string): number {
  const lines = text.split('\n');
  let offset = lines[0]!.length + 1;
  for (const line of lines.slice(1, -1)) {
    offset += line.length + 1;
    if (fence.test(line)) return offset;
  }
  return -1;
}

/**
 * The sentences of a line that are complete: all when the line is, else all but the
 * last, and a sentence only once what follows it is more than markers (its markers
 * come after its full stop: "Refunds take a week. [1] Next…").
 */
function completeSentences(line: string, lineComplete: boolean): string[] {
  const slices: string[] = [];
  for (const slice of sentenceSlices(line)) {
    const markers = leadingMarkersLength(slice);
    if (slices.length > 0 && markers > 0) {
      slices[slices.length - 1] += slice.slice(0, markers);
      if (markers < slice.length) slices.push(slice.slice(markers));
    } else {
      slices.push(slice);
    }
  }
  if (lineComplete) return slices;
  const last = slices.at(-1) ?? '';
  // The last slice is still being written; the one before waits while the last may be its marker.
  const lastIsStarted = stripMarkers(last).trim().length > 0 && !couldBeginMarker(last.trim());
  return slices.slice(0, lastIsStarted ? -1 : -2);
}

function isSupportedUnit(unit: string, passages: readonly Passage[]): boolean {
  if (fence.test(unit) || shellLine.test(unit)) return true;
  if (lexicalTerms(claimText(unit)).length === 0) return true;
  const cited = markerNumbers(unit)
    .map((number) => passages[number - 1])
    .filter((passage): passage is Passage => passage !== undefined);
  if (cited.length > 0) return supportScore(unit, cited.map((passage) => passage.text).join('\n\n')) >= supportThreshold;
  return passages.some((passage) => supportScore(unit, passage.text) >= supportThreshold);
}
