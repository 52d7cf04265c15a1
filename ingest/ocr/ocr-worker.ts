import { workerData } from 'node:worker_threads';
import type { Worker as TesseractWorker } from 'tesseract.js';
import { OrioleError } from '../../src/core/index.ts';
import { serveTasks } from '../parse-pool/index.ts';
import type { OcrJob, OcrWorkerData, Recognition } from './protocol.ts';
import { checkPictureSize } from './picture-size.ts';
import { renderPdfPage } from './render-pdf-page.ts';

/**
 * The inside of an OCR thread: one Tesseract engine (started on the first page, kept
 * for the next), one page at a time. The pool enforces the per-page time limit by
 * terminating this thread, which takes the engine's own thread with it.
 */
const { langPath, languages } = workerData as OcrWorkerData;
let engine: Promise<TesseractWorker> | undefined;

/**
 * Below this mean word confidence a page may be lying on its side: the other three
 * quarter turns are tried and the best reading kept. Upright text of any quality
 * scores well above it, so a readable page costs one pass.
 */
const sidewaysBelowConfidence = 60;

serveTasks(
  async (job: OcrJob) => recognize(job.kind === 'pdf_page' ? await renderPage(job.pdf, job.page) : job.bytes),
  () => 'Recognising text failed unexpectedly',
);

async function renderPage(pdf: Uint8Array, page: number): Promise<Uint8Array> {
  try {
    return await renderPdfPage(pdf, page);
  } catch (error) {
    throw unreadable('the page could not be rendered', error);
  }
}

async function recognize(image: Uint8Array): Promise<Recognition> {
  const size = checkPictureSize(image);
  const tesseract = await (engine ??= startEngine());
  const read = async (quarterTurns: number, scale = 1): Promise<Recognition> => {
    try {
      const picture = quarterTurns === 0 && scale === 1 ? image : await transformed(image, quarterTurns, scale);
      const { data } = await tesseract.recognize(Buffer.from(picture));
      return { text: data.text, confidence: data.confidence, quarterTurns };
    } catch (error) {
      throw unreadable('the image could not be read', error);
    }
  };
  let best = await read(0);
  if (best.confidence < sidewaysBelowConfidence) {
    for (const quarterTurns of [1, 3, 2]) {
      const turned = await read(quarterTurns);
      if (score(turned) > score(best)) best = turned;
      if (best.confidence >= sidewaysBelowConfidence) break;
    }
  }
  if (isSparse(best, size)) {
    // At 300 dpi the heavy rules of a table make Tesseract's layout analysis take the whole
    // table for a picture and skip it; at half the size it reads every cell (bench/ocr.ts).
    const halved = await read(best.quarterTurns, 0.5);
    if (letters(halved.text) > letters(best.text) && halved.confidence >= sidewaysBelowConfidence) best = halved;
  }
  return best;
}

/**
 * A large picture that gave less than a letter per 50,000 pixels (under 170 on a 300 dpi
 * page; a page of prose has thousands): most of it went unread.
 */
function isSparse(reading: Recognition, { width, height }: { width: number; height: number }): boolean {
  return Math.min(width, height) >= 1600 && letters(reading.text) < (width * height) / 50_000;
}

function letters(text: string): number {
  return (text.match(/[\p{L}\p{N}]/gu) ?? []).length;
}

/**
 * The picture turned clockwise by quarter turns (on a canvas with its sides swapped for
 * odd turns: Tesseract's own `rotateRadians` turns within the original frame and crops)
 * and scaled.
 */
async function transformed(image: Uint8Array, quarterTurns: number, scale: number): Promise<Uint8Array> {
  const { createCanvas, loadImage } = await import('@napi-rs/canvas');
  const picture = await loadImage(Buffer.from(image));
  const width = Math.max(1, Math.round(picture.width * scale));
  const height = Math.max(1, Math.round(picture.height * scale));
  const sideways = quarterTurns % 2 === 1;
  const canvas = createCanvas(sideways ? height : width, sideways ? width : height);
  const context = canvas.getContext('2d');
  context.translate(canvas.width / 2, canvas.height / 2);
  context.rotate((quarterTurns * Math.PI) / 2);
  context.drawImage(picture, -width / 2, -height / 2, width, height);
  return canvas.toBuffer('image/png');
}

/** More text read with more confidence; a confident reading of two specks loses to a page. */
function score({ text, confidence }: Recognition): number {
  return confidence * Math.min(1, letters(text) / 40);
}

async function startEngine(): Promise<TesseractWorker> {
  const { createWorker, OEM, PSM } = await import('tesseract.js');
  const tesseract = await createWorker(languages, OEM.LSTM_ONLY, {
    langPath,
    gzip: true,
    // The traineddata is read from the npm package every start; nothing is cached or downloaded.
    cacheMethod: 'none',
    logger: () => undefined,
    errorHandler: () => undefined,
  });
  await tesseract.setParameters({
    // Automatic page layout, as the tesseract command uses: the library's default reads a
    // page as one block of text, which turns a ruled table into noise (bench/ocr.ts: a price
    // table 10–32% correct that way, whole with this).
    tessedit_pageseg_mode: PSM.AUTO,
    // Tesseract prints "Estimating resolution as …" for every page; it goes nowhere.
    debug_file: '/dev/null',
  } as Parameters<TesseractWorker['setParameters']>[0]);
  return tesseract;
}

function unreadable(what: string, error: unknown): OrioleError {
  if (error instanceof OrioleError) return error;
  const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0]?.slice(0, 160);
  return new OrioleError('invalid_request', `${what}${reason ? `: ${reason}` : ''}`);
}
