import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFileLoaders, maxPdfPages } from '../../../ingest/loaders/index.ts';
import { createParsePool, type ParseBudgets } from '../../../ingest/parse-pool/index.ts';
import { flateBombPdf, hugeCsv, lyingDocx, pageTreePdf, repeatedText, wideCsv } from '../../helpers/poison-files.ts';
import { rejectionOf } from '../loaders/loader-fixtures.ts';

const megabyte = 1024 * 1024;
/** Small budgets, so poison fails fast; generous enough for the sample help center on a busy machine. */
const budgets: ParseBudgets = { timeoutMs: 5_000, maxHeapMb: 128, maxDecompressedBytes: 20 * megabyte };

async function helpCenterFiles(directory = path.resolve('test/fixtures/help-docs')): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  const files = await Promise.all(
    entries.map((entry) => (entry.isDirectory() ? helpCenterFiles(path.join(directory, entry.name)) : [path.join(directory, entry.name)])),
  );
  return files.flat().sort();
}

describe('the parse pool', () => {
  const pool = createParsePool({ budgets, size: 1 });
  const isolated = createFileLoaders({ isolate: (input) => pool.parse(input), maxDecompressedBytes: budgets.maxDecompressedBytes });
  const inThisThread = createFileLoaders({ maxDecompressedBytes: budgets.maxDecompressedBytes });
  afterAll(() => pool.close());

  it('parses every file of the sample help center exactly as the loaders do in this thread', async () => {
    const root = path.resolve('test/fixtures/help-docs');
    const files = await helpCenterFiles(root);
    expect(files.length).toBeGreaterThanOrEqual(7);
    for (const file of files) {
      const input = { source: path.relative(root, file), bytes: new Uint8Array(await readFile(file)) };
      expect(await isolated.load(input)).toEqual(await inThisThread.load(input));
    }
  }, 60_000);

  it('stops a parse past its time budget with document_too_complex, and parses the next document on a fresh worker', async () => {
    const error = await rejectionOf(isolated.load({ source: 'quotes.md', bytes: repeatedText('>', megabyte) }));
    expect(error.code).toBe('document_too_complex');
    expect(error.message).toBe(`quotes.md took longer than ${budgets.timeoutMs} ms to parse (ORIOLE_PARSE_TIMEOUT_MS), so it was stopped`);
    expect(error.details).toEqual({ source: 'quotes.md', limit: 'timeoutMs', maximum: budgets.timeoutMs });
    const next = await isolated.load({ source: 'next.md', bytes: new TextEncoder().encode('# Next\n\nStill parsing.') });
    expect(next.blocks).toEqual([
      { kind: 'heading', level: 1, text: 'Next' },
      { kind: 'paragraph', text: 'Still parsing.' },
    ]);
  }, 60_000);

  it('stops a parse past its heap budget with document_too_complex', async () => {
    const small = createParsePool({ budgets: { ...budgets, timeoutMs: 60_000, maxHeapMb: 64 }, size: 1 });
    try {
      // Under the CSV line budget (maxCsvLines), so the parse itself outgrows the heap.
      const error = await rejectionOf(small.parse({ source: 'rows.csv', bytes: wideCsv(90_000, 100), contentType: 'text/csv' }));
      expect(error.code).toBe('document_too_complex');
      expect(error.details).toEqual({ source: 'rows.csv', limit: 'maxHeapMb', maximum: 64 });
      expect((await small.parse({ source: 'ok.csv', bytes: hugeCsv(2), contentType: 'text/csv' })).metadata).toEqual({ rows: 2 });
    } finally {
      await small.close();
    }
  }, 90_000);

  it('refuses a DOCX whose zip directory understates what it inflates to, counting while inflating', async () => {
    const error = await rejectionOf(isolated.load({ source: 'lying.docx', bytes: await lyingDocx(200 * megabyte) }));
    expect(error.code).toBe('decompression_limit');
    expect(error.details).toMatchObject({ source: 'lying.docx' });
  }, 60_000);

  it('refuses a PDF whose FlateDecode stream inflates past the budget', async () => {
    const error = await rejectionOf(isolated.load({ source: 'bomb.pdf', bytes: await flateBombPdf(100 * megabyte) }));
    expect(error.code).toBe('decompression_limit');
    expect(error.details).toEqual({ source: 'bomb.pdf', limit: 'maxDecompressedBytes', maximum: budgets.maxDecompressedBytes });
  }, 60_000);

  it('refuses a PDF whose page tree holds a million pages before reading a page', async () => {
    const bytes = pageTreePdf(1_000);
    expect(bytes.byteLength).toBeLessThan(16 * 1024);
    const error = await rejectionOf(isolated.load({ source: 'pages.pdf', bytes }));
    expect(error.code).toBe('document_too_complex');
    expect(error.details).toEqual({ source: 'pages.pdf', limit: 'maxPdfPages', value: 1_000_000, maximum: maxPdfPages });
    // The same structure with nine pages is an ordinary PDF.
    expect((await isolated.load({ source: 'nine.pdf', bytes: pageTreePdf(3) })).metadata).toEqual({ pages: 9 });
  }, 60_000);
});
