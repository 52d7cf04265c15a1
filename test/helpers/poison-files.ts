import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { crc32, createDeflate, createDeflateRaw, deflateRawSync } from 'node:zlib';
import JSZip from 'jszip';
import { xlsxBytes } from '../../scripts/minimal-office.ts';

/**
 * Hostile documents, generated rather than stored: each one small, each one built to
 * make a parser spend far more time or memory than its size suggests. Shared by the
 * tests and bench/poison-files.ts.
 */

export interface PoisonFile {
  name: string;
  bytes: Uint8Array;
  /** What the service should say about it. */
  expectedCode: 'document_too_complex' | 'decompression_limit';
}

/**
 * A PDF of ~14 KB whose page tree holds `fanout`² pages (a million by default): the
 * root lists one intermediate node `fanout` times, which lists one page `fanout` times.
 * Every count in it is true, so pdf.js believes it and reads each page in turn.
 */
export function pageTreePdf(fanout = 1_000): Uint8Array {
  const content = 'BT /F1 12 Tf 72 720 Td (The same page, a million times) Tj ET';
  return buildPdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [${'3 0 R '.repeat(fanout)}] /Count ${fanout * fanout} >>`,
    `<< /Type /Pages /Parent 2 0 R /Kids [${'4 0 R '.repeat(fanout)}] /Count ${fanout} >>`,
    '<< /Type /Page /Parent 3 0 R /MediaBox [0 0 612 792] /Contents 5 0 R /Resources << /Font << /F1 6 0 R >> >> >>',
    { dictionary: '', data: new TextEncoder().encode(content) },
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ]);
}

/** A one-page PDF whose content stream is FlateDecode data inflating to `inflatedBytes` of spaces. */
export async function flateBombPdf(inflatedBytes: number): Promise<Uint8Array> {
  const data = await deflated(repeated(0x20, inflatedBytes), 'zlib');
  return buildPdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>',
    { dictionary: '/Filter /FlateDecode', data },
  ]);
}

/**
 * A Word file (the sample help center's, rebuilt) whose document.xml inflates to about
 * `inflatedBytes` while the zip directory claims it is 1 byte.
 */
export async function lyingDocx(inflatedBytes: number): Promise<Uint8Array> {
  const original = await JSZip.loadAsync(await readFile(path.resolve('test/fixtures/help-docs/sdk/setup.docx')));
  const members: ZipMember[] = [];
  for (const name of Object.keys(original.files).sort()) {
    if (name === 'word/document.xml' || name.endsWith('/')) continue;
    const content = await original.file(name)!.async('uint8array');
    members.push({ name, data: deflateRawSync(content), crc: crc32(content), size: content.byteLength });
  }
  const open = '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>';
  const close = '</w:t></w:r></w:p></w:body></w:document>';
  const body = await deflated(concatenated(open, repeated(0x61, inflatedBytes), close), 'raw');
  members.push({ name: 'word/document.xml', data: body.data, crc: body.crc, size: 1 });
  return buildZip(members);
}

/**
 * An Excel workbook (minimal-office.ts) whose worksheet inflates to about `inflatedBytes`
 * of spaces while the zip directory claims it is 1 byte: a zip bomb named .xlsx.
 */
export async function xlsxBomb(inflatedBytes: number): Promise<Uint8Array> {
  const original = await JSZip.loadAsync(await xlsxBytes({ sheets: [{ name: 'Prices', rows: [['Plan'], ['Starter']] }] }));
  const members: ZipMember[] = [];
  for (const name of Object.keys(original.files).sort()) {
    if (name === 'xl/worksheets/sheet1.xml' || name.endsWith('/')) continue;
    const content = await original.file(name)!.async('uint8array');
    members.push({ name, data: deflateRawSync(content), crc: crc32(content), size: content.byteLength });
  }
  const sheet = await deflated(concatenated('<worksheet><sheetData>', repeated(0x20, inflatedBytes), '</sheetData></worksheet>'), 'raw');
  members.push({ name: 'xl/worksheets/sheet1.xml', data: sheet.data, crc: sheet.crc, size: 1 });
  return buildZip(members);
}

/** `count` copies of `unit`, as one Markdown or text document. */
/**
 * A PNG whose header claims 60,000 × 60,000 pixels (3.6 gigapixels) over a few kilobytes
 * of deflated zeros: a decoder that believed it would allocate 14 GB.
 */
export function gigapixelPng(): Uint8Array {
  const chunk = (type: string, data: Uint8Array) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const checksum = Buffer.alloc(4);
    checksum.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, checksum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(60_000, 0);
  header.writeUInt32BE(60_000, 4);
  header.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale, no interlace
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const pixels = deflateRawSync(Buffer.alloc(4 * 1024 * 1024));
  return new Uint8Array(Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', pixels), chunk('IEND', new Uint8Array())]));
}

export function repeatedText(unit: string, bytes: number): Uint8Array {
  return new TextEncoder().encode(unit.repeat(Math.ceil(bytes / unit.length)).slice(0, bytes));
}

/** A CSV of `rows` rows, within the 25 MiB upload limit for a million of them. */
/** A CSV within the line budget whose rows hold many cells: its parse grows the heap cell by cell. */
export function wideCsv(rows: number, cells: number): Uint8Array {
  const row = Array.from({ length: cells }, (_, cell) => `c${cell % 10}`).join(',');
  return new TextEncoder().encode(`${Array.from({ length: rows }, () => row).join('\n')}\n`);
}

export function hugeCsv(rows: number): Uint8Array {
  const lines = ['id,name,plan'];
  for (let row = 0; row < rows; row++) lines.push(`${row},user${row},pro`);
  return new TextEncoder().encode(`${lines.join('\n')}\n`);
}

/** Sets every uncompressed size a zip declares (its directory and local headers) to 1 byte. */
export function understateSizes(zip: Uint8Array): Uint8Array {
  const bytes = zip.slice();
  const view = new DataView(bytes.buffer);
  for (let offset = 0; offset + 30 <= bytes.length; offset++) {
    const signature = view.getUint32(offset, true);
    if (signature === 0x02014b50) view.setUint32(offset + 24, 1, true);
    else if (signature === 0x04034b50) view.setUint32(offset + 22, 1, true);
  }
  return bytes;
}

/** The uncompressed sizes a zip's central directory declares. */
export function zipDirectorySizes(zip: Uint8Array): number[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const sizes: number[] = [];
  for (let offset = 0; offset + 46 <= zip.length; offset++) {
    if (view.getUint32(offset, true) === 0x02014b50) sizes.push(view.getUint32(offset + 24, true));
  }
  return sizes;
}

type PdfObject = string | { dictionary: string; data: Uint8Array };

/** A PDF with a correct cross-reference table, objects numbered from 1; object 1 is the catalog. */
function buildPdf(objects: PdfObject[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const offsets: number[] = [];
  let length = 0;
  const push = (part: string | Uint8Array) => {
    const bytes = typeof part === 'string' ? new TextEncoder().encode(part) : part;
    parts.push(bytes);
    length += bytes.byteLength;
  };
  push('%PDF-1.7\n%\u00e2\u00e3\n');
  objects.forEach((object, index) => {
    offsets.push(length);
    if (typeof object === 'string') {
      push(`${index + 1} 0 obj\n${object}\nendobj\n`);
    } else {
      push(`${index + 1} 0 obj\n<< ${object.dictionary} /Length ${object.data.byteLength} >>\nstream\n`);
      push(object.data);
      push('\nendstream\nendobj\n');
    }
  });
  const xref = length;
  const entries = offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('');
  push(`xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${entries}`);
  push(`trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`);
  return concat(parts);
}

interface ZipMember {
  name: string;
  /** Raw DEFLATE data. */
  data: Uint8Array;
  crc: number;
  /** The uncompressed size the archive declares (true or not). */
  size: number;
}

/** A zip of deflated members (APPNOTE.TXT 4.3.7, 4.3.12, 4.3.16). */
function buildZip(members: ZipMember[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const directory: Uint8Array[] = [];
  let offset = 0;
  for (const member of members) {
    const name = new TextEncoder().encode(member.name);
    const local = new DataView(new ArrayBuffer(30));
    local.setUint32(0, 0x04034b50, true);
    local.setUint16(4, 20, true);
    local.setUint16(8, 8, true);
    local.setUint32(14, member.crc, true);
    local.setUint32(18, member.data.byteLength, true);
    local.setUint32(22, member.size, true);
    local.setUint16(26, name.byteLength, true);
    const central = new DataView(new ArrayBuffer(46));
    central.setUint32(0, 0x02014b50, true);
    central.setUint16(4, 20, true);
    central.setUint16(6, 20, true);
    central.setUint16(10, 8, true);
    central.setUint32(16, member.crc, true);
    central.setUint32(20, member.data.byteLength, true);
    central.setUint32(24, member.size, true);
    central.setUint16(28, name.byteLength, true);
    central.setUint32(42, offset, true);
    parts.push(new Uint8Array(local.buffer), name, member.data);
    directory.push(new Uint8Array(central.buffer), name);
    offset += 30 + name.byteLength + member.data.byteLength;
  }
  const directoryBytes = concat(directory);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, members.length, true);
  end.setUint16(10, members.length, true);
  end.setUint32(12, directoryBytes.byteLength, true);
  end.setUint32(16, offset, true);
  return concat([...parts, directoryBytes, new Uint8Array(end.buffer)]);
}

/** `total` copies of one byte, in 4 MB chunks, so a gigabyte never sits in memory at once. */
function* repeated(byte: number, total: number): Generator<Uint8Array> {
  const chunk = new Uint8Array(Math.min(total, 4 * 1024 * 1024)).fill(byte);
  for (let left = total; left > 0; left -= chunk.byteLength) yield left >= chunk.byteLength ? chunk : chunk.subarray(0, left);
}

function* concatenated(head: string, middle: Iterable<Uint8Array>, tail: string): Generator<Uint8Array> {
  yield new TextEncoder().encode(head);
  yield* middle;
  yield new TextEncoder().encode(tail);
}

/** Deflates a stream of chunks with zlib's own streaming compressor, with the CRC-32 of the input. */
async function deflated(chunks: Iterable<Uint8Array>, framing: 'zlib' | 'raw'): Promise<Uint8Array & { crc: number; data: Uint8Array }> {
  let crc = 0;
  const input = Readable.from(
    (function* () {
      for (const chunk of chunks) {
        crc = crc32(chunk, crc);
        yield chunk;
      }
    })(),
  );
  const compressor = framing === 'zlib' ? createDeflate({ level: 9 }) : createDeflateRaw({ level: 9 });
  const output: Uint8Array[] = [];
  for await (const part of input.pipe(compressor)) output.push(part as Uint8Array);
  const data = concat(output);
  return Object.assign(data, { crc, data });
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const total = parts.reduce((sum, part) => sum + part.byteLength, 0);
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.byteLength;
  }
  return bytes;
}
