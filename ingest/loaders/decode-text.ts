/**
 * Bytes of a text file as a string, or null when they are not text: invalid UTF-8
 * or NUL bytes (binary data with a text name). UTF-16 is accepted only with its BOM,
 * as Windows tools write it; the BOM itself is dropped.
 */
export function decodeText(bytes: Uint8Array): string | null {
  const encoding =
    bytes[0] === 0xff && bytes[1] === 0xfe ? 'utf-16le' : bytes[0] === 0xfe && bytes[1] === 0xff ? 'utf-16be' : 'utf-8';
  let text: string;
  try {
    text = new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
  return text.includes('\u0000') ? null : text;
}
