import type { Passage } from '../core/index.ts';
import { citationMarkers, couldBeginMarker, isMarker, maxMarkerLength, numbersIn } from './citation-markers.ts';

/** What one chunk of streamed model text becomes once its markers are checked. */
export interface RewrittenDelta {
  /** Text safe to show: markers renumbered as the final answer numbers them, invalid ones gone. */
  text: string;
  /** Citation indexes used for the first time in this delta, with their passage positions (0-based). */
  newCitations: Array<{ index: number; passageIndex: number }>;
}

/**
 * Rewrites a model's streamed text so what reaches the client never shows a marker to
 * a passage that was not retrieved, and numbers citations the way `resolveCitations`
 * does for the final answer: by first appearance, one number per document. Text that
 * might be the start of a marker ("[1") is held back until it is decided. Code spans
 * and fenced blocks are passed through untouched, as `resolveCitations` leaves them: a
 * fence runs to the next "```", whatever backticks its code holds.
 */
export function createMarkerRewriter(passages: readonly Passage[]) {
  const citationOfDocument = new Map<string, number>();
  let pending = '';
  let inCode = false;
  // Inside a fenced block (```…```) only the closing fence counts: a lone backtick there ("don`t") opens no span.
  let inFence = false;
  // A backslash escapes the bracket after it ("\[1\]" is quoted text, not a marker), across deltas too.
  let afterBackslash = false;

  const renumber = (marker: string, newCitations: RewrittenDelta['newCitations']): string => {
    const indexes: number[] = [];
    for (const number of numbersIn(marker)) {
      const passageIndex = number - 1;
      const passage = passages[passageIndex];
      if (!passage) continue;
      let index = citationOfDocument.get(passage.documentId);
      if (index === undefined) {
        index = citationOfDocument.size + 1;
        citationOfDocument.set(passage.documentId, index);
        newCitations.push({ index, passageIndex });
      }
      if (!indexes.includes(index)) indexes.push(index);
    }
    return citationMarkers(indexes);
  };

  const process = (text: string, final: boolean): RewrittenDelta => {
    const newCitations: RewrittenDelta['newCitations'] = [];
    let output = '';
    let buffer = pending + text;
    pending = '';
    while (buffer.length > 0) {
      const character = buffer[0]!;
      const escaped = afterBackslash;
      afterBackslash = character === '\\' && !escaped;
      if (character === '`') {
        // A run of backticks that may still grow into a fence waits for the next delta.
        if (!final && /^`{1,2}$/.test(buffer)) {
          pending = buffer;
          break;
        }
        if (buffer.startsWith('```')) {
          const fence = /^`+/.exec(buffer)![0];
          inFence = !inFence;
          inCode = false;
          output += fence;
          buffer = buffer.slice(fence.length);
          continue;
        }
        if (!inFence) inCode = !inCode;
        output += character;
        buffer = buffer.slice(1);
        continue;
      }
      if (inFence) {
        output += character;
        buffer = buffer.slice(1);
        continue;
      }
      if (inCode || escaped || (character !== '[' && character !== '【')) {
        output += character;
        buffer = buffer.slice(1);
        continue;
      }
      const close = buffer.search(/[\]】]/u);
      if (close >= 0 && close < maxMarkerLength) {
        const candidate = buffer.slice(0, close + 1);
        if (isMarker(candidate)) {
          output += renumber(candidate, newCitations);
          buffer = buffer.slice(close + 1);
          continue;
        }
      } else if (buffer.length < maxMarkerLength && couldBeginMarker(buffer)) {
        if (final && /\d/.test(buffer)) break; // a marker cut off by the end of the stream
        if (!final) {
          pending = buffer; // maybe a marker: wait for the rest
          break;
        }
      }
      output += character;
      buffer = buffer.slice(1);
    }
    return { text: output, newCitations };
  };

  return {
    push: (text: string): RewrittenDelta => process(text, false),
    /** Releases held-back text at the end of the stream. */
    flush: (): RewrittenDelta => process('', true),
  };
}
