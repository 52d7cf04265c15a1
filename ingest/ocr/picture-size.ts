import { imageSize } from 'image-size';
import { OrioleError } from '../../src/core/index.ts';
import { pageRendering } from './render-pdf-page.ts';

/**
 * Refuses a picture before anything decodes it (else gives its size): its header alone may claim gigapixels
 * in a few hundred bytes, and both the canvas and Tesseract would try to allocate them.
 */
export function checkPictureSize(image: Uint8Array): { width: number; height: number } {
  let size: { width: number; height: number };
  try {
    size = imageSize(image);
  } catch (error) {
    throw new OrioleError('invalid_request', `the image could not be read: ${error instanceof Error ? error.message : String(error)}`);
  }
  const pixels = size.width * size.height;
  if (pixels > pageRendering.maxImagePixels) {
    throw new OrioleError('document_too_complex', `the image is ${size.width}×${size.height} pixels, more than the ${pageRendering.maxImagePixels / 1_000_000} megapixels OCR reads`, {
      details: { limit: 'maxImagePixels', value: pixels, maximum: pageRendering.maxImagePixels },
    });
  }
  return size;
}
