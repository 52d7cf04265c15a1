import { createCanvas } from '@napi-rs/canvas';
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

describe('a ruled table scanned at 300 dpi', { timeout: 180_000 }, () => {
  it('is read cell by cell: a large picture read sparsely is read again at half size', async () => {
    const pool = createOcrPool({ concurrency: 1, pageTimeoutMs: 120_000 });
    try {
      const result = await pool.recognize({ kind: 'image', bytes: ruledTable() }, 'price-list-scan.png');
      const text = readText(result.text);
      for (const cell of ['Plan', 'Yearly', 'Starter', '$9.00', 'Business', '$1,990.00']) expect(text).toContain(cell);
    } finally {
      await pool.close();
    }
  });
});

/** A US-letter page at 300 dpi with a 4 × 4 price table drawn in 4-pixel rules, as a scanner gives it. */
function ruledTable(): Uint8Array {
  const rows = [
    ['Plan', 'Seats', 'Monthly', 'Yearly'],
    ['Starter', '1', '$9.00', '$90.00'],
    ['Team', '10', '$49.00', '$490.00'],
    ['Business', '50', '$199.00', '$1,990.00'],
  ];
  const page = createCanvas(2550, 3300);
  const context = page.getContext('2d');
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, page.width, page.height);
  context.fillStyle = '#111111';
  context.strokeStyle = '#111111';
  context.lineWidth = 4;
  const columns = [660, 360, 450, 480];
  const [left, top, rowHeight] = [300, 500, 100];
  const width = columns.reduce((sum, column) => sum + column, 0);
  for (let row = 0; row <= rows.length; row++) {
    context.beginPath();
    context.moveTo(left, top + row * rowHeight);
    context.lineTo(left + width, top + row * rowHeight);
    context.stroke();
  }
  let x = left;
  for (const column of [0, ...columns]) {
    x += column;
    context.beginPath();
    context.moveTo(x, top);
    context.lineTo(x, top + rows.length * rowHeight);
    context.stroke();
  }
  context.font = '46px "DejaVu Sans"';
  rows.forEach((cells, row) => {
    let cellLeft = left;
    cells.forEach((cell, column) => {
      context.fillText(cell, cellLeft + 36, top + row * rowHeight + 66);
      cellLeft += columns[column]!;
    });
  });
  return page.toBuffer('image/png');
}
