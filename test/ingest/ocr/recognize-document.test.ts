import { afterAll, describe, expect, it } from 'vitest';
import { createFileLoaders } from '../../../ingest/loaders/index.ts';
import { createOcrPool, maxOcrPagesPerDocument, recognizeDocument, type OcrReport, type TextRecognizer } from '../../../ingest/ocr/index.ts';
import { OrioleError, type OcrTarget, type ParsedDocument } from '../../../src/core/index.ts';
import { pdfOfPages, scannedPage, textImage } from '../../helpers/ocr-fixtures.ts';

describe('OCR in the file loaders (real Tesseract)', { timeout: 180_000 }, () => {
  const recognizer = createOcrPool({ concurrency: 1, pageTimeoutMs: 120_000 });
  const loaders = createFileLoaders({ recognize: (document, input) => recognizeDocument(document, input, { mode: 'scanned', recognizer }) });
  afterAll(() => recognizer.close());

  it('puts a scanned page among the text pages, in page order, under its page number', async () => {
    const pdf = await pdfOfPages([
      { text: ['Cover letter with a text layer.'] },
      { image: scannedPage(['Signed refund policy', 'Refunds for annual plans are prorated to the day.']) },
      { text: ['Appendix with a text layer.'] },
    ]);
    const document = await loaders.load({ source: 'policy.pdf', bytes: pdf });
    expect(document.ocrTargets).toBeUndefined();
    expect(document.blocks.map((block) => ('text' in block ? [block.page, block.text] : null))).toEqual([
      [1, 'Cover letter with a text layer.'],
      [2, 'Signed refund policy'],
      [2, 'Refunds for annual plans are prorated to the day.'],
      [3, 'Appendix with a text layer.'],
    ]);
    expect(document.metadata.ocr).toMatchObject({ recognized: 1, withText: 1, failed: [] } satisfies Partial<OcrReport>);
    expect((document.metadata.ocr as OcrReport).meanConfidence).toBeGreaterThan(60);
  });

  it('makes a PNG screenshot a document of its text', async () => {
    const png = textImage(['Settings > Notifications > Quiet hours', 'Turn on quiet hours to mute push alerts between 22:00 and 07:00.']);
    const document = await loaders.load({ source: 'screenshots/quiet-hours.png', bytes: png });
    expect(document.contentType).toBe('image/png');
    expect(document.blocks.map((block) => ('text' in block ? block.text : '')).join(' ')).toContain('mute push alerts between 22:00 and 07:00');
  });

  it('lists image types as supported only while OCR is on', () => {
    expect(loaders.supports('image/png')).toBe(true);
    expect(loaders.supports('image/webp')).toBe(true);
    expect(createFileLoaders({ isolate: () => Promise.reject(new Error('unused')) }).supports('image/png')).toBe(false);
  });
});

describe('recognizeDocument: what it does with the readings', () => {
  /** Our own recognizer interface, answering from a table: the merging rules without Tesseract. */
  const recognizerFrom = (read: (label: string) => string | Error): TextRecognizer & { labels: string[] } => {
    const labels: string[] = [];
    return {
      concurrency: 2,
      labels,
      async recognize(_job, label) {
        labels.push(label);
        const result = read(label);
        if (result instanceof Error) throw result;
        return { text: result, confidence: 90, quarterTurns: 0 };
      },
      close: async () => undefined,
    };
  };
  const pdfWithTargets = (targets: OcrTarget[]): ParsedDocument => ({
    title: null,
    contentType: 'application/pdf',
    blocks: [{ kind: 'paragraph', text: 'Page one text.', page: 1 }],
    metadata: { pages: targets.length + 1 },
    ocrTargets: targets,
  });
  const input = { source: 'scan.pdf', bytes: new Uint8Array([1]) };

  it('keeps the pages it read when one fails, and reports the failure with its page', async () => {
    const recognizer = recognizerFrom((label) => (label === 'page 3 of scan.pdf' ? new OrioleError('document_too_complex', 'Reading page 3 of scan.pdf took too long') : `Text of ${label}.`));
    const document = await recognizeDocument(pdfWithTargets([{ kind: 'pdf_page', page: 2 }, { kind: 'pdf_page', page: 3 }]), input, { mode: 'scanned', recognizer });
    expect(document.blocks.map((block) => ('text' in block ? block.text : ''))).toEqual(['Page one text.', 'Text of page 2 of scan.pdf.']);
    expect(document.metadata.ocr).toEqual({ recognized: 1, withText: 1, failed: [{ page: 3, code: 'document_too_complex', reason: 'Reading page 3 of scan.pdf took too long' }], meanConfidence: 90 });
  });

  it(`reads at most ${maxOcrPagesPerDocument} pages of one document and reports the rest`, async () => {
    const recognizer = recognizerFrom(() => 'Some text.');
    const pages = Array.from({ length: maxOcrPagesPerDocument + 2 }, (_, index): OcrTarget => ({ kind: 'pdf_page', page: index + 2 }));
    const document = await recognizeDocument(pdfWithTargets(pages), input, { mode: 'scanned', recognizer });
    const report = document.metadata.ocr as OcrReport;
    expect(recognizer.labels).toHaveLength(maxOcrPagesPerDocument);
    expect(report.failed.map(({ page }) => page)).toEqual([maxOcrPagesPerDocument + 2, maxOcrPagesPerDocument + 3]);
    expect(report.failed[0]?.reason).toBe(`not read: more than ${maxOcrPagesPerDocument} pages of this document need OCR`);
  });

  it('reads pictures inside a document only in mode all, after their alt text, where they stood, two at one place in their order', async () => {
    const recognizer = recognizerFrom((label) => `Text of ${label}.`);
    const article: ParsedDocument = {
      title: 'Notifications',
      contentType: 'text/html',
      blocks: [
        { kind: 'heading', level: 1, text: 'Notifications' },
        { kind: 'paragraph', text: 'Open the settings.' },
        { kind: 'paragraph', text: 'That is all.' },
      ],
      metadata: {},
      ocrTargets: [
        { kind: 'embedded', bytes: new Uint8Array([1]), position: 2, alt: 'The quiet hours screen' },
        { kind: 'embedded', bytes: new Uint8Array([2]), position: 2, alt: 'The schedule' },
      ],
    };
    const scanned = await recognizeDocument(article, input, { mode: 'scanned', recognizer });
    expect(scanned.blocks).toHaveLength(3);
    expect(scanned.metadata.ocr).toBeUndefined();
    expect(recognizer.labels).toEqual([]);
    const all = await recognizeDocument(article, input, { mode: 'all', recognizer });
    expect(all.blocks.map((block) => ('text' in block ? block.text : ''))).toEqual([
      'Notifications',
      'Open the settings.',
      'Image: The quiet hours screen',
      'Text of an image in scan.pdf.',
      'Image: The schedule',
      'Text of an image in scan.pdf.',
      'That is all.',
    ]);
  });
});
