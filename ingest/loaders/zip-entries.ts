import type { InflateBudget } from './inflate-budget.ts';

export interface ZipEntry {
  name: string;
  /** As the archive's central directory declares them: claims, never used to bound work. */
  compressedSize: number;
  uncompressedSize: number;
  /** 0 stored, 8 deflated; anything else is refused when read. */
  method: number;
  /** Bit 0 set: the member is encrypted. */
  flags: number;
  localHeaderOffset: number;
}

// Record layouts from PKWARE's APPNOTE.TXT, sections 4.3.7, 4.3.12 and 4.3.16.
const endRecordSignature = 0x06054b50;
const endRecordLength = 22;
const maxCommentLength = 0xffff;
const entryHeaderSignature = 0x02014b50;
const entryHeaderLength = 46;
const localHeaderSignature = 0x04034b50;
const localHeaderLength = 30;
const zip64Marker = 0xffffffff;

/**
 * The entries a zip archive lists in its central directory, or null when the bytes
 * are not a readable zip. Reads only that directory, never file data: enough to tell
 * a DOCX from other zips. Sizes here are what the archive claims; `readZipMembers`
 * learns the real ones by inflating.
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
      flags: view.getUint16(offset + 8, true),
      method: view.getUint16(offset + 10, true),
      compressedSize: view.getUint32(offset + 20, true),
      uncompressedSize: view.getUint32(offset + 24, true),
      localHeaderOffset: view.getUint32(offset + 42, true),
    });
    offset = nameStart + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Why an archive could not be read; the caller words it for its format. */
export class ZipReadError extends Error {
  override readonly name = 'ZipReadError';
}

/**
 * Every member of a zip archive, inflated through `budget`, which throws as soon as
 * the real output passes it: a directory that understates a member's size changes
 * nothing. A member's compressed bytes are taken from its local header onwards and
 * must lie inside the file; zlib stops at the end of the DEFLATE stream. Members that
 * `include` turns down are neither inflated nor returned.
 */
export function readZipMembers(
  bytes: Uint8Array,
  budget: InflateBudget,
  include: (name: string) => boolean = () => true,
): Map<string, Uint8Array> {
  const entries = zipEntries(bytes);
  if (entries === null) throw new ZipReadError('the zip archive is truncated or damaged');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const members = new Map<string, Uint8Array>();
  for (const entry of entries) {
    if (entry.name.endsWith('/') || !include(entry.name)) continue;
    if ((entry.flags & 1) === 1) throw new ZipReadError(`${entry.name} is encrypted`);
    if (entry.compressedSize === zip64Marker || entry.localHeaderOffset === zip64Marker) {
      throw new ZipReadError('ZIP64 archives are not supported');
    }
    const header = entry.localHeaderOffset;
    if (header + localHeaderLength > bytes.length || view.getUint32(header, true) !== localHeaderSignature) {
      throw new ZipReadError(`the entry for ${entry.name} is damaged`);
    }
    const start = header + localHeaderLength + view.getUint16(header + 26, true) + view.getUint16(header + 28, true);
    const end = start + entry.compressedSize;
    if (end > bytes.length) throw new ZipReadError(`${entry.name} runs past the end of the archive`);
    const data = bytes.subarray(start, end);
    members.set(entry.name, inflateMember(entry, data, budget));
  }
  return members;
}

function inflateMember(entry: ZipEntry, data: Uint8Array, budget: InflateBudget): Uint8Array {
  if (entry.method === 8) {
    try {
      return budget.inflateRaw(data);
    } catch (error) {
      // The budget's own error passes through; zlib's is the archive's damage.
      if ((error as { code?: string }).code?.startsWith('Z_')) throw new ZipReadError(`${entry.name} is damaged`);
      throw error;
    }
  }
  if (entry.method === 0) return data;
  throw new ZipReadError(`${entry.name} uses compression method ${entry.method}, which Oriole does not read`);
}
