import { OrioleError } from '../../src/core/index.ts';

/**
 * Pages are rendered at 300 dpi, where Tesseract reads body text best, unless that
 * exceeds `maxPagePixels` (a poster-sized page), then smaller. An image inside the PDF
 * claiming more than `maxImagePixels` is not decoded at all: a few bytes may claim
 * gigapixels, and pdf.js allocates decoded images outside the thread's heap budget.
 */
export const pageRendering = { dpi: 300, maxPagePixels: 12_000_000, maxImagePixels: 40_000_000 } as const;

/** One page of a PDF as a PNG, through pdf.js (`unpdf`) painting on @napi-rs/canvas. */
export async function renderPdfPage(pdf: Uint8Array, pageNumber: number): Promise<Uint8Array> {
  const { createIsomorphicCanvasFactory, getDocumentProxy, renderPageAsImage } = await import('unpdf');
  const canvasImport = () => import('@napi-rs/canvas');
  const document = await getDocumentProxy(pdf.slice(), {
    verbosity: 0,
    isEvalSupported: false,
    maxImageSize: pageRendering.maxImagePixels,
    // pdf.js paints a page's images through this factory; unpdf's bundled build has none of its own.
    CanvasFactory: await createIsomorphicCanvasFactory(canvasImport),
  } as Parameters<typeof getDocumentProxy>[1]);
  try {
    if (pageNumber < 1 || pageNumber > document.numPages) {
      throw new OrioleError('invalid_request', `the PDF has no page ${pageNumber}`);
    }
    const page = await document.getPage(pageNumber);
    const { width, height } = page.getViewport({ scale: 1 });
    const atDpi = pageRendering.dpi / 72;
    const scale = Math.min(atDpi, Math.sqrt(pageRendering.maxPagePixels / Math.max(1, width * height)));
    return new Uint8Array(await renderPageAsImage(document, pageNumber, { canvasImport, scale }));
  } finally {
    await document.destroy();
  }
}
