import Papa from 'papaparse';
import { OrioleError, type Loader, type LoaderInput, type ParsedDocument } from '../../src/core/index.ts';
import { contentTypes } from './content-types.ts';
import { decodeText } from './decode-text.ts';
import { unparseable } from './unparseable.ts';

/**
 * Lines a CSV may have. Checked on the bytes before parsing: parsing a million-row file
 * allocates arrays in one go, and a single allocation over the parse thread's heap budget
 * aborts the whole process instead of ending the thread (V8 handles only gradual growth).
 */
export const maxCsvLines = 100_000;

/**
 * CSV (the delimiter is detected, so semicolon exports from spreadsheets work too) as
 * one table block whose header is the first row; `metadata.rows` counts the data rows.
 */
export const csvLoader: Loader = {
  contentTypes: [contentTypes.csv],
  async load({ source, bytes }: LoaderInput): Promise<ParsedDocument> {
    const lines = countLines(bytes);
    if (lines > maxCsvLines) throw tooManyLines(source, lines);
    const text = decodeText(bytes);
    if (text === null) throw unparseable(source, 'CSV', 'not UTF-8 text');
    const parsed = Papa.parse<string[]>(text, { skipEmptyLines: 'greedy' });
    // Ragged rows are kept as they are; an unclosed quote swallows the rest of the file, so it is fatal.
    const quoteError = parsed.errors.find((error) => error.type === 'Quotes');
    if (quoteError) {
      const where = quoteError.row === undefined ? '' : ` (row ${quoteError.row + 1})`;
      throw unparseable(source, 'CSV', `${quoteError.message}${where}`);
    }
    const rows = parsed.data.map((row) => row.map((cell) => cell.trim()));
    const [header, ...body] = rows;
    return {
      title: null,
      contentType: contentTypes.csv,
      blocks: header === undefined ? [] : [{ kind: 'table', header, rows: body }],
      metadata: { rows: body.length },
    };
  },
};

function countLines(bytes: Uint8Array): number {
  let lines = 1;
  for (let index = bytes.indexOf(10); index !== -1; index = bytes.indexOf(10, index + 1)) lines++;
  return lines;
}

function tooManyLines(source: string, lines: number): OrioleError {
  return new OrioleError('document_too_complex', `${source} has ${lines} lines, more than the ${maxCsvLines} a CSV may have`, {
    details: { source, limit: 'maxCsvLines', value: lines, maximum: maxCsvLines },
  });
}
