import { Buffer } from 'node:buffer';
import type { InflateBudget } from './inflate-budget.ts';

/** How far back from `stream` a stream's dictionary may start. */
const maxDictionaryLength = 64 * 1024;

/**
 * Inflates every FlateDecode stream of a PDF through `budget` and throws the budget's
 * error when they inflate past it, before pdf.js sees the file. Streams are found by
 * their `stream … endstream` keywords, never by their declared /Length; a filter chain
 * of several FlateDecodes is inflated layer by layer, each layer counted. Streams that
 * zlib cannot read (damaged, or encrypted: the PDF's /Encrypt scrambles them) are left
 * to pdf.js, under the parse's time and heap budgets.
 */
export function inflatePdfStreams(bytes: Uint8Array, budget: InflateBudget): void {
  // latin1 maps each byte to one character, so string offsets are byte offsets.
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const keyword = /stream(\r\n|\r|\n)/g;
  let match: RegExpExecArray | null;
  while ((match = keyword.exec(text)) !== null) {
    if (text.startsWith('end', match.index - 3)) continue;
    const start = match.index + match[0].length;
    const end = text.indexOf('endstream', start);
    if (end < 0) return;
    keyword.lastIndex = end + 'endstream'.length;
    const dictionary = text.slice(Math.max(0, text.lastIndexOf('obj', match.index), match.index - maxDictionaryLength), match.index);
    const layers = leadingFlateFilters(dictionary);
    let data: Uint8Array = bytes.subarray(start, end);
    for (let layer = 0; layer < layers && data.byteLength > 0; layer++) {
      try {
        data = budget.inflate(data);
      } catch (error) {
        if ((error as { code?: string }).code?.startsWith('Z_')) break;
        throw error;
      }
    }
  }
}

/** How many FlateDecode filters a stream's /Filter starts with: `/FlateDecode` or `[/FlateDecode /FlateDecode …]`. */
function leadingFlateFilters(dictionary: string): number {
  const filter = /\/Filter\s*(\[[^\]]*\]|\/[^\s/<>[\]()]+)/.exec(dictionary)?.[1];
  if (filter === undefined) return 0;
  const names = filter.match(/\/[^\s/<>[\]()]+/g) ?? [];
  let count = 0;
  while (count < names.length && (names[count] === '/FlateDecode' || names[count] === '/Fl')) count++;
  return count;
}
