import { describe, expect, it } from 'vitest';
import { contentTypes, createFileLoaders, detectContentType } from '../../../ingest/loaders/index.ts';
import { brokenFile, headings, helpDoc, rejectionOf } from './loader-fixtures.ts';

const loaders = createFileLoaders();
const text = (value: string) => new TextEncoder().encode(value);
// The 8-byte PNG signature and the start of an IHDR chunk.
const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);

describe('content-type detection', () => {
  it.each([
    ['getting-started.md', contentTypes.markdown],
    ['zh/reset-password.md', contentTypes.markdown],
    ['billing/refunds.html', contentTypes.html],
    ['troubleshooting.txt', contentTypes.plainText],
    ['plans.csv', contentTypes.csv],
    ['account/reset-password.pdf', contentTypes.pdf],
    ['sdk/setup.docx', contentTypes.docx],
  ])('names %s %s', async (source, expected) => {
    expect(detectContentType(await helpDoc(source))).toBe(expected);
  });

  it('trusts a PDF’s magic bytes over a .txt name, and parses it as a PDF', async () => {
    const { bytes } = await helpDoc('account/reset-password.pdf');
    const input = { source: 'exports/reset-password.txt', bytes };
    expect(detectContentType(input)).toBe(contentTypes.pdf);
    const document = await loaders.load(input);
    expect(document.title).toBe('How to reset your password');
    expect(document.blocks[0]?.page).toBe(1);
  });

  it('sniffs an HTML page saved as .md and reads it as HTML, navigation left out', async () => {
    const { bytes } = await helpDoc('billing/refunds.html');
    const input = { source: 'billing/refunds.md', bytes };
    expect(detectContentType(input)).toBe(contentTypes.html);
    const document = await loaders.load(input);
    expect(document.title).toBe('Refunds and cancellations');
    expect(headings(document.blocks)[0]).toEqual([1, 'Refunds and cancellations']);
  });

  it('recognises a Word file by its content whatever its name', async () => {
    const { bytes } = await helpDoc('sdk/setup.docx');
    expect(detectContentType({ source: 'sdk/setup', bytes })).toBe(contentTypes.docx);
    expect(detectContentType({ source: 'sdk/setup.pdf', bytes })).toBe(contentTypes.docx);
  });

  it('does not take a zip without word/document.xml for a Word file', async () => {
    const input = await brokenFile('archive.docx');
    expect(detectContentType(input)).toBe('application/zip');
    const error = await rejectionOf(loaders.load(input));
    expect(error.code).toBe('unsupported_media_type');
    expect(error.message).toBe('archive.docx is application/zip, which Oriole cannot parse');
  });

  it('uses the extension, then the declared type, for text', () => {
    const notes = text('# Release notes\n\nThreads arrived.');
    expect(detectContentType({ source: 'notes.markdown', bytes: notes })).toBe(contentTypes.markdown);
    expect(detectContentType({ source: 'https://help.wrenchat.example/notes.md?ref=nav', bytes: notes })).toBe(
      contentTypes.markdown,
    );
    expect(detectContentType({ source: 'notes', bytes: notes, declared: 'text/markdown; charset=utf-8' })).toBe(
      contentTypes.markdown,
    );
    expect(detectContentType({ source: 'notes', bytes: notes, declared: 'text/x-markdown' })).toBe(contentTypes.markdown);
    expect(detectContentType({ source: 'notes.txt', bytes: notes, declared: 'text/markdown' })).toBe(contentTypes.plainText);
    expect(detectContentType({ source: 'notes', bytes: notes, declared: 'application/octet-stream' })).toBe(
      contentTypes.plainText,
    );
    expect(detectContentType({ source: 'LICENSE', bytes: notes })).toBe(contentTypes.plainText);
  });

  it('refuses binary garbage with a text name: NUL bytes or invalid UTF-8', async () => {
    expect(detectContentType({ source: 'notes.txt', bytes: new Uint8Array([0x48, 0x69, 0x00, 0x01, 0x02]) })).toBeNull();
    expect(detectContentType({ source: 'notes.md', bytes: new Uint8Array([0x48, 0xc3, 0x28, 0xa0, 0xa1]) })).toBeNull();
    const error = await rejectionOf(loaders.load({ source: 'notes.txt', bytes: new Uint8Array([0, 159, 146, 150]) }));
    expect(error.code).toBe('unsupported_media_type');
    expect(error.message).toContain('notes.txt');
    expect(error.details).toMatchObject({ source: 'notes.txt', contentType: null });
  });

  it('names an image, and the loaders without OCR refuse it as unsupported_media_type, saying how to turn OCR on', async () => {
    expect(detectContentType({ source: 'screenshots/console.png', bytes: png })).toBe('image/png');
    expect(detectContentType({ source: 'screenshot.txt', bytes: png })).toBe('image/png');
    const error = await rejectionOf(loaders.load({ source: 'screenshots/console.png', bytes: png }));
    expect(error.code).toBe('unsupported_media_type');
    expect(error.message).toBe(
      'screenshots/console.png is image/png, which Oriole cannot parse: an image, which Oriole reads only with OCR on; set ORIOLE_OCR=scanned (the default) or all',
    );
    expect(error.details).toMatchObject({ source: 'screenshots/console.png', contentType: 'image/png' });
  });

  it('leaves a file named .pdf without PDF content to the PDF parser to refuse', async () => {
    const input = { source: 'manual.pdf', bytes: text('This is not a PDF at all.') };
    expect(detectContentType(input)).toBe(contentTypes.pdf);
    const error = await rejectionOf(loaders.load(input));
    expect(error.code).toBe('invalid_request');
    expect(error.message).toMatch(/^Could not parse manual\.pdf as PDF: /);
  });
});
