export interface ZipEntry {
  name: string;
  /** As the archive's central directory declares them; nothing is decompressed to learn them. */
  compressedSize: number;
  uncompressedSize: number;
}

// Record layouts from PKWARE's APPNOTE.TXT, sections 4.3.12 and 4.3.16.
const endRecordSignature = 0x06054b50;
const endRecordLength = 22;
const maxCommentLength = 0xffff;
const entryHeaderSignature = 0x02014b50;
const entryHeaderLength = 46;

/**
 * The entries a zip archive lists in its central directory, or null when the bytes
 * are not a readable zip. Reads only that directory, never file data, so it is safe
 * on a zip bomb. A ZIP64 entry declares 4 GB here, which every size limit refuses.
 */
export function zipEntries(bytes: Uint8Array): ZipEntry[] | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let endRecord = -1;
  const earliest = Math.max(0, bytes.length - endRecordLength - maxCommentLength);
  for (let offset = bytes.length - endRecordLength; offset >= earliest; offset--) {
    if (view.getUint32(offset, true) === endRecordSignature) {
      endRecord = offset;
      break;
    }
  }
  if (endRecord < 0) return null;

  const count = view.getUint16(endRecord + 10, true);
  let offset = view.getUint32(endRecord + 16, true);
  const names = new TextDecoder();
  const entries: ZipEntry[] = [];
  for (let index = 0; index < count; index++) {
    if (offset + entryHeaderLength > bytes.length || view.getUint32(offset, true) !== entryHeaderSignature) return null;
    const nameLength = view.getUint16(offset + 28, true);
    const extraLength = view.getUint16(offset + 30, true);
    const commentLength = view.getUint16(offset + 32, true);
    const nameStart = offset + entryHeaderLength;
    entries.push({
      name: names.decode(bytes.subarray(nameStart, nameStart + nameLength)),
      compressedSize: view.getUint32(offset + 20, true),
      uncompressedSize: view.getUint32(offset + 24, true),
    });
    offset = nameStart + nameLength + extraLength + commentLength;
  }
  return entries;
}
