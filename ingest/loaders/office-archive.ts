import { createInflateBudget } from './inflate-budget.ts';
import { unparseable } from './unparseable.ts';
import { parseXml, XmlReadError, type XmlElement, attribute, childrenNamed } from './xml-tree.ts';
import { readZipMembers, ZipReadError } from './zip-entries.ts';

/** Bounds on what an Office file (a zip archive: DOCX, XLSX, PPTX, OpenDocument) may inflate to, counted while inflating. */
export interface OfficeArchiveLimits {
  /** Most bytes its members may inflate to, in total (ORIOLE_MAX_DECOMPRESSED_MB). */
  maxDecompressedBytes: number;
  /** Most bytes inflated per byte of the archive: a tiny file that inflates enormously is a bomb at any total. */
  maxCompressionRatio: number;
}

/**
 * Text-heavy Word files compress about 5–15 times, spreadsheets 10–30 times (their
 * cell XML repeats itself); a zip bomb compresses about 1000 times.
 */
export const defaultOfficeArchiveLimits: OfficeArchiveLimits = {
  maxDecompressedBytes: 100 * 1024 * 1024,
  maxCompressionRatio: 100,
};

/** An Office file's members, inflated within its budget, and read as text or XML on demand. */
export interface OfficeArchive {
  has(name: string): boolean;
  /** The member's bytes; undefined when it is missing. */
  bytes(name: string): Uint8Array | undefined;
  /** The member as XML, its root element; undefined when it is missing. A damaged part is `invalid_request`. */
  xml(name: string): XmlElement | undefined;
  /**
   * Where the relationships of `part` point (`ppt/slides/slide1.xml` → its
   * `_rels/slide1.xml.rels`): relationship id → target part name, resolved against the
   * part's folder. External targets (links to the web) are left out.
   */
  relationships(part: string): Map<string, { target: string; type: string }>;
}

/**
 * Inflates every member of an Office file through one budget: the smaller of
 * `maxDecompressedBytes` and `maxCompressionRatio` times the file's size, so a bomb fails
 * with `decompression_limit` as soon as zlib's real output passes it. A damaged archive
 * is `invalid_request` naming `format`.
 */
export function readOfficeArchive(source: string, format: string, bytes: Uint8Array, limits: OfficeArchiveLimits): OfficeArchive {
  // Only the XML parts are read: images and embedded files are not text Oriole indexes.
  const members = inflateOfficeMembers(source, format, bytes, limits, (name) => /\.(xml|rels)$/i.test(name));
  const decoder = new TextDecoder();
  const archive: OfficeArchive = {
    has: (name) => members.has(name),
    bytes: (name) => members.get(name),
    xml(name) {
      const member = members.get(name);
      if (member === undefined) return undefined;
      try {
        return parseXml(decoder.decode(member), name) ?? undefined;
      } catch (error) {
        if (error instanceof XmlReadError) throw unparseable(source, format, error);
        throw error;
      }
    },
    relationships(part) {
      const slash = part.lastIndexOf('/');
      const folder = part.slice(0, slash + 1);
      const root = archive.xml(`${folder}_rels/${part.slice(slash + 1)}.rels`);
      const targets = new Map<string, { target: string; type: string }>();
      for (const relationship of root ? childrenNamed(root, 'Relationship') : []) {
        const id = attribute(relationship, 'Id');
        const target = attribute(relationship, 'Target');
        if (id === undefined || target === undefined || attribute(relationship, 'TargetMode') === 'External') continue;
        targets.set(id, { target: resolvePartName(folder, target), type: attribute(relationship, 'Type') ?? '' });
      }
      return targets;
    },
  };
  return archive;
}

/** A relationship target as a member name: `../notesSlides/n1.xml` from `ppt/slides/` → `ppt/notesSlides/n1.xml`. */
function resolvePartName(folder: string, target: string): string {
  const segments = target.startsWith('/') ? [] : folder.split('/').filter(Boolean);
  for (const segment of target.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  return segments.join('/');
}

/** The members `include` names (all by default), inflated within the file's budget; see `readOfficeArchive`. */
export function inflateOfficeMembers(
  source: string,
  format: string,
  bytes: Uint8Array,
  limits: OfficeArchiveLimits,
  include?: (name: string) => boolean,
): Map<string, Uint8Array> {
  const byRatio = limits.maxCompressionRatio * bytes.byteLength;
  const budget = createInflateBudget({
    source,
    maxBytes: Math.min(limits.maxDecompressedBytes, byRatio),
    limit: byRatio < limits.maxDecompressedBytes ? 'maxCompressionRatio' : 'maxDecompressedBytes',
  });
  try {
    return readZipMembers(bytes, budget, include);
  } catch (error) {
    if (error instanceof ZipReadError) throw unparseable(source, format, error);
    throw error;
  }
}
