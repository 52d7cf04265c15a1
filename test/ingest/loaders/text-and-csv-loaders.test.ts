import { describe, expect, it } from 'vitest';
import { createFileLoaders, maxCsvLines } from '../../../ingest/loaders/index.ts';
import { helpDoc, rejectionOf } from './loader-fixtures.ts';

const loaders = createFileLoaders();
const file = (source: string, text: string) => loaders.load({ source, bytes: new TextEncoder().encode(text) });

describe('the plain-text loader', () => {
  it('makes one paragraph per run of lines between blank lines, with no title', async () => {
    const document = await loaders.load(await helpDoc('troubleshooting.txt'));
    expect(document).toMatchObject({ title: null, contentType: 'text/plain', metadata: {} });
    expect(document.blocks).toHaveLength(5);
    expect(document.blocks[0]).toEqual({ kind: 'paragraph', text: 'Troubleshooting connection problems' });
    expect(document.blocks[2]).toEqual({
      kind: 'paragraph',
      text: 'Error 401 invalid_token means the user token has expired or was signed with the wrong secret. Issue a new token from your backend; tokens live for one hour.',
    });
  });

  it('reads Windows line endings and UTF-16 with a byte-order mark', async () => {
    const utf16le = [...'Hi\r\n\r\nthere'].flatMap((character) => [character.charCodeAt(0), 0]);
    const document = await loaders.load({ source: 'notes.txt', bytes: new Uint8Array([0xff, 0xfe, ...utf16le]) });
    expect(document.blocks).toEqual([
      { kind: 'paragraph', text: 'Hi' },
      { kind: 'paragraph', text: 'there' },
    ]);
  });
});

describe('the CSV loader', () => {
  it('makes one table with the first row as header, keeping quoted commas', async () => {
    const document = await loaders.load(await helpDoc('plans.csv'));
    expect(document).toMatchObject({ title: null, contentType: 'text/csv', metadata: { rows: 4 } });
    expect(document.blocks).toEqual([
      {
        kind: 'table',
        header: ['Plan', 'Monthly price (USD)', 'Monthly active users', 'Message history', 'Support'],
        rows: [
          ['Free', '0', '100', '30 days', 'Community forum'],
          ['Team', '49', '5,000', '1 year', 'Email (next business day)'],
          ['Business', '299', '50,000', 'Unlimited', 'Email and chat, 4-hour response'],
          ['Enterprise', 'Contact sales', 'Unlimited', 'Unlimited', 'Dedicated manager, 1-hour response'],
        ],
      },
    ]);
  });

  it('detects a semicolon delimiter, as European spreadsheet exports use', async () => {
    const document = await file('regions.csv', 'Region;Data centre\nEU;Frankfurt\nAP;Singapore\n');
    expect(document.blocks).toEqual([
      {
        kind: 'table',
        header: ['Region', 'Data centre'],
        rows: [
          ['EU', 'Frankfurt'],
          ['AP', 'Singapore'],
        ],
      },
    ]);
  });

  it('refuses a CSV over its line budget before parsing it: a million-row parse in the parse thread aborted the whole process', async () => {
    const rows = Array.from({ length: maxCsvLines }, (_, row) => `${row},user${row}`);
    const error = await rejectionOf(file('users.csv', `id,name\n${rows.join('\n')}\n`));
    expect(error.code).toBe('document_too_complex');
    expect(error.details).toMatchObject({ source: 'users.csv', limit: 'maxCsvLines', maximum: maxCsvLines });
    // At the budget it is still read.
    const document = await file('users.csv', `id,name\n${rows.slice(1).join('\n')}`);
    expect(document.metadata).toEqual({ rows: maxCsvLines - 1 });
  });

  it('refuses an unclosed quote, which would swallow the rest of the file', async () => {
    const error = await rejectionOf(file('broken.csv', 'Plan,Price\nTeam,"49\nBusiness,299\n'));
    expect(error.code).toBe('invalid_request');
    expect(error.message).toMatch(/^Could not parse broken\.csv as CSV: /);
    expect(error.details).toEqual({ source: 'broken.csv', reason: 'unparseable' });
  });
});
