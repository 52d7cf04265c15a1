import { afterAll, describe, expect, it } from 'vitest';
import { createOcrPool, recognizedParagraphs } from '../../../ingest/ocr/index.ts';
import { isOrioleError } from '../../../src/core/index.ts';
import { cjkFontAvailable, pdfOfPages, scannedPage, textImage } from '../../helpers/ocr-fixtures.ts';

/** Real Tesseract (tesseract.js, the npm-packaged English and Chinese models) in real worker threads. */
const readText = (text: string) => recognizedParagraphs(text).join(' ');

describe('the OCR pool', { timeout: 180_000 }, () => {
  const pool = createOcrPool({ concurrency: 2, pageTimeoutMs: 120_000 });
  afterAll(() => pool.close());

  it('reads a screenshot', async () => {
    const screenshot = textImage(['Settings > Notifications > Quiet hours', 'Turn on quiet hours to mute push alerts between 22:00 and 07:00.']);
    const result = await pool.recognize({ kind: 'image', bytes: screenshot }, 'screenshot.png');
    expect(readText(result.text)).toContain('Turn on quiet hours to mute push alerts between 22:00 and 07:00.');
    expect(result.confidence).toBeGreaterThan(60);
    expect(result.quarterTurns).toBe(0);
  });

  it('renders and reads a PDF page that has no text layer', async () => {
    const pdf = await pdfOfPages([
      { text: ['A page with a text layer.'] },
      { image: scannedPage(['Signed refund policy', 'Refunds for annual plans are prorated to the day.']) },
    ]);
    const result = await pool.recognize({ kind: 'pdf_page', pdf, page: 2 }, 'page 2 of policy.pdf');
    expect(readText(result.text)).toContain('Refunds for annual plans are prorated to the day.');
  });

  it('reads a page scanned sideways (the layout analysis finds vertical lines; other quarter turns are tried when it does not)', async () => {
    const sideways = textImage(['The liability cap equals twelve months of fees.', 'Either party may end the agreement with 60 days notice.'], { quarterTurns: 1 });
    const result = await pool.recognize({ kind: 'image', bytes: sideways }, 'sideways.png');
    expect(readText(result.text)).toContain('The liability cap equals twelve months of fees.');
  });

  it('turns a picture the first reading cannot make sense of, and keeps the best reading', async () => {
    const upsideDown = textImage(['The liability cap equals twelve months of fees.', 'Either party may end the agreement with 60 days notice.'], { quarterTurns: 2 });
    const result = await pool.recognize({ kind: 'image', bytes: upsideDown }, 'upside-down.png');
    expect(readText(result.text)).toContain('The liability cap equals twelve months of fees.');
    expect(result.quarterTurns).not.toBe(0);
  });

  it.skipIf(!cjkFontAvailable())('reads Simplified Chinese (needs a CJK font to draw it: scripts/setup-chromium.sh installs one)', async () => {
    const chinese = textImage(['退款将在申请后十四天内发放。', '如需发票，请联系客服。'], { font: '40px "Noto Sans CJK SC"', lineHeight: 70 });
    const result = await pool.recognize({ kind: 'image', bytes: chinese }, 'zh.png');
    const text = readText(result.text);
    expect(text).toContain('退款将在申请后十四天内发放');
    expect(text).toContain('请联系客服');
  });

  it('fails a picture that is not one with invalid_request, and reads the next', async () => {
    const broken = textImage(['Broken']).slice(0, 200);
    const failure = await pool.recognize({ kind: 'image', bytes: broken }, 'broken.png').catch((error: unknown) => error);
    expect(isOrioleError(failure) && failure.code).toBe('invalid_request');
    const result = await pool.recognize({ kind: 'image', bytes: textImage(['Still reading pictures after a broken one.']) }, 'next.png');
    expect(readText(result.text)).toContain('Still reading pictures after a broken one.');
  });
});

describe('a page over its time limit', { timeout: 180_000 }, () => {
  it('fails alone with document_too_complex naming the page and the setting', async () => {
    // One millisecond: no page is read that fast, so the limit always strikes.
    const pool = createOcrPool({ concurrency: 1, pageTimeoutMs: 1 });
    try {
      const failure = await pool.recognize({ kind: 'image', bytes: textImage(['Too slow']) }, 'page 4 of scan.pdf').catch((error: unknown) => error);
      expect(isOrioleError(failure) && failure.code).toBe('document_too_complex');
      expect((failure as Error).message).toBe('Reading page 4 of scan.pdf took longer than 1 ms (ORIOLE_OCR_PAGE_TIMEOUT_MS)');
    } finally {
      await pool.close();
    }
  });
});

describe('a picture whose header claims too many pixels', { timeout: 180_000 }, () => {
  it('is refused before anything decodes it', async () => {
    const pool = createOcrPool({ concurrency: 1, pageTimeoutMs: 120_000 });
    try {
      // A PNG header claiming 60000 × 60000 pixels, followed by nothing: 3.6 gigapixels in 33 bytes.
      const header = Buffer.from(textImage(['x']).subarray(0, 33));
      header.writeUInt32BE(60_000, 16);
      header.writeUInt32BE(60_000, 20);
      const failure = await pool.recognize({ kind: 'image', bytes: new Uint8Array(header) }, 'bomb.png').catch((error: unknown) => error);
      expect(isOrioleError(failure) && failure.code).toBe('document_too_complex');
      expect((failure as Error).message).toBe('the image is 60000×60000 pixels, more than the 40 megapixels OCR reads');
    } finally {
      await pool.close();
    }
  });
});
