import { Buffer } from 'node:buffer';
import type { OcrTarget } from '../../src/core/index.ts';
import type { BlockImage } from './mdast-to-blocks.ts';

export interface EmbeddedImageOptions {
  /**
   * Leave the pictures inside the document (a DOCX's screenshots, data: URIs in HTML and
   * Markdown) as `embedded` OCR targets; only worth it when OCR reads them
   * (ORIOLE_OCR=all), since their bytes then travel with the document between threads.
   */
  embeddedImages?: boolean;
}

/** Smaller pictures are icons, bullets and rules, never worth a Tesseract pass. */
export const minEmbeddedImageBytes = 2 * 1024;
/** Larger ones are photos or print-resolution art; their text, if any, is not the document's. */
export const maxEmbeddedImageBytes = 10 * 1024 * 1024;
/** At about a second a picture, more would hold an ingestion job for minutes; later ones are ignored. */
export const maxEmbeddedImagesPerDocument = 50;

/** A picture a loader met, at its place among the document's blocks. */
export interface EmbeddedPicture {
  /** Undefined when its bytes could not be had (a linked file, a malformed data: URI). */
  bytes: Uint8Array | undefined;
  /** Blocks before the picture in the document's final block list. */
  position: number;
  alt: string;
}

/**
 * The pictures worth reading, in document order: PNG, JPEG or WebP by their content
 * (what Tesseract decodes; a declared type can lie), within the size limits, the first
 * `maxEmbeddedImagesPerDocument` of them.
 */
export function embeddedOcrTargets(pictures: Iterable<EmbeddedPicture>): OcrTarget[] {
  const targets: OcrTarget[] = [];
  for (const { bytes, position, alt } of pictures) {
    if (targets.length === maxEmbeddedImagesPerDocument) break;
    if (bytes === undefined || !isEmbeddedImageWorthReading(bytes)) continue;
    const caption = alt.trim();
    // A copy of exactly its bytes: a view into a larger buffer would carry all of it to the OCR thread.
    targets.push({ kind: 'embedded', bytes: new Uint8Array(bytes), position, ...(caption ? { alt: caption } : {}) });
  }
  return targets;
}

/** Within the size limits and of a type Tesseract decodes. */
export function isEmbeddedImageWorthReading(bytes: Uint8Array): boolean {
  return bytes.length >= minEmbeddedImageBytes && bytes.length <= maxEmbeddedImageBytes && isOcrReadableImage(bytes);
}

/** PNG, JPEG or WebP, by their magic bytes. */
function isOcrReadableImage(bytes: Uint8Array): boolean {
  return startsWith(bytes, pngSignature) || startsWith(bytes, jpegSignature) || isWebp(bytes);
}

const pngSignature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const jpegSignature = [0xff, 0xd8, 0xff];
const riff = [0x52, 0x49, 0x46, 0x46];
const webp = [0x57, 0x45, 0x42, 0x50];

function isWebp(bytes: Uint8Array): boolean {
  return startsWith(bytes, riff) && startsWith(bytes.subarray(8), webp);
}

function startsWith(bytes: Uint8Array, signature: readonly number[]): boolean {
  return bytes.length >= signature.length && signature.every((byte, index) => bytes[index] === byte);
}

// `image/png;name=a.png;base64`: a media type, parameters, and the base64 flag last.
const base64DataUriHeader = /^[a-z0-9.+-]+\/[a-z0-9.+-]+(?:;[^;,]*)*;base64$/i;
/** Longer headers are not real media types; the limit keeps the check cheap. */
const maxHeaderLength = 256;
// Unpadded base64 is accepted, as browsers do; any other character makes the URI malformed.
const base64Payload = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The bytes of a base64 data: URI, or undefined for any other URL, a malformed one, or
 * one whose payload is outside the embedded-picture size limits (decided from the
 * payload's length, before decoding it). Never throws: a page's broken picture is not
 * a broken page.
 */
export function decodeDataUri(uri: string): Uint8Array | undefined {
  if (!/^data:/i.test(uri)) return undefined;
  const comma = uri.indexOf(',');
  if (comma === -1 || comma > maxHeaderLength) return undefined;
  if (!base64DataUriHeader.test(uri.slice('data:'.length, comma))) return undefined;
  // Browsers skip whitespace in the payload, and long data: URIs are often wrapped.
  const payload = uri.slice(comma + 1).replace(/[\t\n\f\r ]+/g, '');
  if (payload.length % 4 === 1 || !base64Payload.test(payload)) return undefined;
  const decodedLength = Math.floor((payload.replace(/=+$/, '').length * 3) / 4);
  if (decodedLength < minEmbeddedImageBytes || decodedLength > maxEmbeddedImageBytes) return undefined;
  return Buffer.from(payload, 'base64');
}

/**
 * The pictures of an HTML or Markdown page given as data: URIs. Remote and relative
 * ones are left alone: loaders do no I/O.
 */
export function dataUriOcrTargets(images: Iterable<BlockImage>): OcrTarget[] {
  return embeddedOcrTargets(decodedLazily(images));
}

// Lazily, so decoding stops at the count limit.
function* decodedLazily(images: Iterable<BlockImage>): Generator<EmbeddedPicture> {
  for (const { url, alt, position } of images) yield { bytes: decodeDataUri(url), alt, position };
}
