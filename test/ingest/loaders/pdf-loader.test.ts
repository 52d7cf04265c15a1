import { PDFDocument, rgb } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { createFileLoaders } from '../../../ingest/loaders/index.ts';
import { brokenFile, helpDoc, rejectionOf } from './loader-fixtures.ts';

const loaders = createFileLoaders();

describe('the PDF loader', () => {
  it('reads one paragraph block per paragraph, with its page, and the Info title', async () => {
    const document = await loaders.load(await helpDoc('account/reset-password.pdf'));
    expect(document.contentType).toBe('application/pdf');
    expect(document.title).toBe('How to reset your password');
    expect(document.metadata).toEqual({ pages: 2 });
    expect(document.blocks.every((block) => block.kind === 'paragraph')).toBe(true);
    expect(document.blocks.map((block) => block.page)).toEqual([1, 1, 1, 1, 2, 2, 2, 2]);
    expect(document.blocks[0]).toEqual({ kind: 'paragraph', text: 'Resetting your password', page: 1 });
    // Two drawn lines, one paragraph: joined with a space.
    expect(document.blocks[2]).toEqual({
      kind: 'paragraph',
      text: 'Choose "Forgot password?" on the sign-in page and enter your email address. We send a reset link that is valid for 30 minutes and can be used only once.',
      page: 1,
    });
    expect(document.blocks[4]).toEqual({ kind: 'paragraph', text: 'If the reset email does not arrive', page: 2 });
    expect(document.blocks[7]).toEqual({
      kind: 'paragraph',
      text: 'Still stuck? Contact support@wrenchat.example with your workspace name.',
      page: 2,
    });
  });

  it('parses a scanned PDF without a text layer to no blocks, leaving its pages to OCR, and says how many pages it has', async () => {
    const pdf = await PDFDocument.create();
    pdf.addPage([595, 842]).drawRectangle({ x: 50, y: 50, width: 400, height: 600, color: rgb(0.8, 0.8, 0.8) });
    const document = await loaders.load({ source: 'scans/receipt.pdf', bytes: await pdf.save() });
    expect(document).toMatchObject({ title: null, blocks: [], metadata: { pages: 1 }, ocrTargets: [{ kind: 'pdf_page', page: 1 }] });
  });

  it('reports a truncated PDF as invalid_request naming the file and the reason', async () => {
    const error = await rejectionOf(loaders.load(await brokenFile('corrupt.pdf')));
    expect(error.code).toBe('invalid_request');
    expect(error.message).toMatch(/^Could not parse corrupt\.pdf as PDF: \S/);
    expect(error.details).toEqual({ source: 'corrupt.pdf', reason: 'unparseable' });
  });

  it('leaves the caller’s bytes intact', async () => {
    const input = await helpDoc('account/reset-password.pdf');
    const before = input.bytes.byteLength;
    await loaders.load(input);
    expect(input.bytes.byteLength).toBe(before);
    expect(new TextDecoder().decode(input.bytes.subarray(0, 5))).toBe('%PDF-');
  });
});
