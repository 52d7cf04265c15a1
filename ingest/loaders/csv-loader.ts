import Papa from 'papaparse';
import type { Loader, LoaderInput, ParsedDocument } from '../../src/core/index.ts';
import { contentTypes } from './content-types.ts';
import { decodeText } from './decode-text.ts';
import { unparseable } from './unparseable.ts';

/**
 * CSV (the delimiter is detected, so semicolon exports from spreadsheets work too) as
 * one table block whose header is the first row; `metadata.rows` counts the data rows.
 */
export const csvLoader: Loader = {
  contentTypes: [contentTypes.csv],
  async load({ source, bytes }: LoaderInput): Promise<ParsedDocument> {
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
