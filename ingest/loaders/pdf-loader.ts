import type { Block, Loader, LoaderInput, OcrTarget, ParsedDocument } from '../../src/core/index.ts';
import { OrioleError } from '../../src/core/index.ts';
import { collapseWhitespace } from './collapse-whitespace.ts';
import { contentTypes } from './content-types.ts';
import { createInflateBudget } from './inflate-budget.ts';
import { inflatePdfStreams } from './pdf-streams.ts';
import { unparseable } from './unparseable.ts';

/**
 * More pages than any help document has. A page tree may claim any count in a few
 * bytes, and pdf.js walks it page by page, so a larger count fails at once, before
 * a page is read. A constant, not a setting: at one passage a page, such a PDF is past
 * the ingestion's chunk limit anyway.
 */
export const maxPdfPages = 5_000;

export interface PdfLimits {
  /** Most bytes its FlateDecode streams may inflate to, in total (ORIOLE_MAX_DECOMPRESSED_MB). */
  maxDecompressedBytes: number;
}

export const defaultPdfLimits: PdfLimits = { maxDecompressedBytes: 100 * 1024 * 1024 };

/**
 * How positioned PDF text is read back into lines and paragraphs. PDFs store no
 * paragraphs, only glyph runs at coordinates; these ratios (of the font size or of
 * the page's usual line spacing) decide where one ends.
 */
export const pdfLayout = {
  /** Runs whose baselines differ by less than this share of the font size are one line. */
  sameLineTolerance: 0.5,
  /** A horizontal gap wider than this share of the font size between runs is a space. */
  wordGap: 0.2,
  /** A vertical gap this many times the page's usual line spacing starts a paragraph… */
  paragraphGapToLineSpacing: 1.3,
  /** …as does any gap of more than this many font sizes (a blank line). */
  paragraphGapToFontSize: 2,
  /** A line whose font size differs by this factor from the previous (a heading) starts a paragraph. */
  fontSizeChange: 1.25,
} as const;

interface TextRun {
  str: string;
  x: number;
  y: number;
  width: number;
  fontSize: number;
  hasEOL: boolean;
}

interface Line {
  text: string;
  y: number;
  fontSize: number;
}

/**
 * PDF through pdf.js (`unpdf`): one paragraph block per paragraph, with its 1-based
 * page. Title from the document's Info dictionary; `metadata.pages` is the page count.
 * Pages without a text layer (scans) are left to OCR as `ocrTargets`. Its compressed streams
 * are inflated once against the decompression budget before pdf.js opens the file.
 */
export function createPdfLoader(limits: PdfLimits = defaultPdfLimits): Loader {
  return {
    contentTypes: [contentTypes.pdf],
    load: (input) => loadPdf(input, limits),
  };
}

async function loadPdf({ source, bytes }: LoaderInput, limits: PdfLimits): Promise<ParsedDocument> {
  inflatePdfStreams(bytes, createInflateBudget({ source, maxBytes: limits.maxDecompressedBytes }));
  // pdf.js is loaded on first use: it is large, and most runs and servers never see a PDF.
  const { extractTextItems, getDocumentProxy, getMeta } = await import('unpdf');
  let pdf: Awaited<ReturnType<typeof getDocumentProxy>>;
  try {
    // pdf.js may take over (detach) the buffer it is given; the caller keeps theirs.
    pdf = await getDocumentProxy(bytes.slice(), { verbosity: 0, isEvalSupported: false });
  } catch (error) {
    throw pdfError(source, error);
  }
  try {
    if (pdf.numPages > maxPdfPages) throw tooManyPages(source, pdf.numPages);
    // A damaged Info dictionary costs the title, not the document.
    const info: Record<string, unknown> = await getMeta(pdf).then(
      (meta) => meta.info,
      () => ({}),
    );
    const { items } = await extractTextItems(pdf);
    const pages = items.map((runs) => paragraphsOf(linesOf(runs)));
    const blocks: Block[] = pages.flatMap((paragraphs, index) =>
      paragraphs.map((text): Block => ({ kind: 'paragraph', text, page: index + 1 })),
    );
    const title = typeof info.Title === 'string' && info.Title.trim() !== '' ? info.Title.trim() : null;
    // A page without a text layer is a scan (or a picture): the OCR stage may read it.
    const ocrTargets: OcrTarget[] = pages.flatMap((paragraphs, index) => (paragraphs.length === 0 ? [{ kind: 'pdf_page', page: index + 1 }] : []));
    return { title, contentType: contentTypes.pdf, blocks, metadata: { pages: pdf.numPages }, ...(ocrTargets.length > 0 ? { ocrTargets } : {}) };
  } catch (error) {
    throw pdfError(source, error);
  } finally {
    await pdf.destroy();
  }
}

function tooManyPages(source: string, pages: number): OrioleError {
  return new OrioleError(
    'document_too_complex',
    `${source} claims ${pages} pages, more than the ${maxPdfPages} a PDF may have`,
    { details: { source, limit: 'maxPdfPages', value: pages, maximum: maxPdfPages } },
  );
}

function pdfError(source: string, error: unknown): Error {
  if (error instanceof OrioleError) return error;
  if (error instanceof Error && error.name === 'PasswordException') {
    return unparseable(source, 'PDF', 'the file is password-protected', 'encrypted');
  }
  return unparseable(source, 'PDF', error);
}

function linesOf(runs: readonly TextRun[]): Line[] {
  const lines: Line[] = [];
  let current: (Line & { end: number }) | null = null;
  const endLine = () => {
    if (current && current.text.trim() !== '') lines.push({ text: current.text, y: current.y, fontSize: current.fontSize });
    current = null;
  };
  for (const run of runs) {
    if (run.str !== '') {
      if (current !== null && Math.abs(run.y - current.y) > pdfLayout.sameLineTolerance * run.fontSize) endLine();
      if (current === null) {
        current = { text: run.str, y: run.y, fontSize: run.fontSize, end: run.x + run.width };
      } else {
        const gap = run.x - current.end;
        const spaced = /\s$/.test(current.text) || /^\s/.test(run.str) || gap <= pdfLayout.wordGap * run.fontSize;
        current.text += spaced ? run.str : ` ${run.str}`;
        current.fontSize = Math.max(current.fontSize, run.fontSize);
        current.end = run.x + run.width;
      }
    }
    if (run.hasEOL) endLine();
  }
  endLine();
  return lines;
}

function paragraphsOf(lines: readonly Line[]): string[] {
  const lineSpacing = usualLineSpacing(lines);
  const paragraphs: string[][] = [];
  lines.forEach((line, index) => {
    const previous = lines[index - 1];
    const current = paragraphs.at(-1);
    if (previous === undefined || current === undefined || startsParagraph(previous, line, lineSpacing)) {
      paragraphs.push([line.text]);
    } else {
      current.push(line.text);
    }
  });
  return paragraphs.map(joinLines).filter((text) => text !== '');
}

function startsParagraph(previous: Line, line: Line, lineSpacing: number | null): boolean {
  const gap = previous.y - line.y;
  // Moving up the page means a new column or a text box placed out of reading order.
  if (gap <= 0) return true;
  const sizeRatio = Math.max(previous.fontSize, line.fontSize) / Math.min(previous.fontSize, line.fontSize);
  if (sizeRatio >= pdfLayout.fontSizeChange) return true;
  const blankLine = pdfLayout.paragraphGapToFontSize * line.fontSize;
  return gap > (lineSpacing === null ? blankLine : Math.min(blankLine, pdfLayout.paragraphGapToLineSpacing * lineSpacing));
}

/** The most common gap between consecutive lines of one font size: the spacing inside paragraphs. */
function usualLineSpacing(lines: readonly Line[]): number | null {
  const counts = new Map<number, number>();
  lines.forEach((line, index) => {
    const next = lines[index + 1];
    if (next === undefined || next.fontSize !== line.fontSize || next.y >= line.y) return;
    const gap = Math.round((line.y - next.y) * 2) / 2;
    counts.set(gap, (counts.get(gap) ?? 0) + 1);
  });
  let best: [gap: number, count: number] | null = null;
  for (const [gap, count] of counts) {
    if (best === null || count > best[1] || (count === best[1] && gap < best[0])) best = [gap, count];
  }
  return best?.[0] ?? null;
}

function joinLines(lines: readonly string[]): string {
  // A line ending in a hyphenated word ("self-") continues without a space.
  const joined = lines.reduce((text, line) => (/\p{L}-$/u.test(text) ? text + line : `${text}\n${line}`));
  return collapseWhitespace(joined);
}
