import type { OfficeArchive } from './office-archive.ts';
import { childNamed, textContent } from './xml-tree.ts';

/**
 * The package's main part (the workbook, the presentation), as its root relationships
 * name it (ECMA-376 Part 2, 9.3), else where Office writes it.
 */
export function mainPartName(archive: OfficeArchive, usual: string): string {
  for (const { target, type } of archive.relationships('').values()) {
    if (type.endsWith('/officeDocument') && archive.has(target)) return target;
  }
  return usual;
}

/** The part a relationship of `part` points to by its type's last segment (`sharedStrings`, `notesSlide`). */
export function relatedPart(archive: OfficeArchive, part: string, type: string): string | undefined {
  for (const { target, type: relationshipType } of archive.relationships(part).values()) {
    if (relationshipType.endsWith(`/${type}`)) return target;
  }
  return undefined;
}

/** The document's title from its core properties (docProps/core.xml `dc:title`), or null. */
export function coreTitle(archive: OfficeArchive): string | null {
  const core = archive.xml('docProps/core.xml');
  const title = core && childNamed(core, 'title');
  const text = title ? textContent(title).trim() : '';
  return text === '' ? null : text;
}
