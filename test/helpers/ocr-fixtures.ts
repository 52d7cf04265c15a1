import { existsSync } from 'node:fs';
import { createCanvas, GlobalFonts } from '@napi-rs/canvas';
import { PDFDocument, StandardFonts } from 'pdf-lib';

/**
 * Pictures of text for the OCR tests, drawn here so no binary fixture is checked in:
 * a screenshot or a scanned page is text on a plain background, which is what these are.
 */
export interface TextImageOptions {
  width?: number;
  height?: number;
  /** CSS font; DejaVu Sans ships with every Debian and with the CI image. */
  font?: string;
  lineHeight?: number;
  /** Quarter turns clockwise applied to the finished picture (a page scanned sideways). */
  quarterTurns?: 0 | 1 | 2 | 3;
  background?: string;
}

export function textImage(lines: readonly string[], options: TextImageOptions = {}): Uint8Array {
  const { width = 1400, height = 120 + lines.length * (options.lineHeight ?? 56), font = '30px "DejaVu Sans"', lineHeight = 56, quarterTurns = 0, background = '#ffffff' } = options;
  const page = createCanvas(width, height);
  const context = page.getContext('2d');
  context.fillStyle = background;
  context.fillRect(0, 0, width, height);
  context.fillStyle = '#111111';
  context.font = font;
  lines.forEach((line, index) => context.fillText(line, 60, 80 + index * lineHeight));
  if (quarterTurns === 0) return page.toBuffer('image/png');
  const sideways = quarterTurns % 2 === 1;
  const turned = createCanvas(sideways ? height : width, sideways ? width : height);
  const turnedContext = turned.getContext('2d');
  turnedContext.translate(turned.width / 2, turned.height / 2);
  turnedContext.rotate((quarterTurns * Math.PI) / 2);
  turnedContext.drawImage(page, -width / 2, -height / 2);
  return turned.toBuffer('image/png');
}

/** A PDF whose pages are the given pictures (a scan) or lines of real text (a text layer). */
export async function pdfOfPages(pages: readonly ({ image: Uint8Array } | { text: readonly string[] })[]): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (const content of pages) {
    const page = pdf.addPage([612, 792]);
    if ('image' in content) {
      const image = await pdf.embedPng(content.image);
      page.drawImage(image, { x: 0, y: 0, width: 612, height: 792 });
    } else {
      content.text.forEach((line, index) => page.drawText(line, { x: 72, y: 700 - index * 18, size: 11, font }));
    }
  }
  return pdf.save();
}

/** A letter page at 150 dpi with `lines` of body text: what a scanner gives for a printed policy. */
export function scannedPage(lines: readonly string[]): Uint8Array {
  return textImage(lines, { width: 1275, height: 1650, font: '28px "DejaVu Serif"', lineHeight: 48 });
}

const cjkFontFile = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';

/** Whether Chinese can be drawn: scripts/setup-chromium.sh installs Noto CJK (CI does). */
export function cjkFontAvailable(): boolean {
  if (GlobalFonts.families.some(({ family }) => /CJK/.test(family))) return true;
  return existsSync(cjkFontFile) && GlobalFonts.registerFromPath(cjkFontFile, 'Noto Sans CJK SC') !== null;
}
