import type { Chunk, ChunkingSettings, ParsedDocument } from '../../src/core/index.ts';
import { blockUnit, renderUnitPart } from './block-unit.ts';
import type { BlockUnit } from './block-unit.ts';
import { countTokens } from './count-tokens.ts';
import { resolveChunkingSettings } from './default-chunking-settings.ts';
import { mergeTinySections } from './merge-tiny-sections.ts';
import type { Part } from './pack-section.ts';
import { packSection } from './pack-section.ts';
import type { SectionChunk } from './section-chunk.ts';
import { describeSectionChunk } from './section-chunk.ts';
import type { Section } from './split-sections.ts';
import { splitSections } from './split-sections.ts';

/**
 * Cuts a parsed document into retrievable chunks along its structure: sections by
 * heading, then whole blocks up to targetTokens, splitting only blocks over maxTokens
 * (at sentences, list items, code lines or table rows), with a sentence-aligned overlap
 * inside a section and tiny sections merged into a neighbour. Pure and deterministic.
 * docs/chunking.md describes the algorithm and the settings.
 */
export function chunkDocument(document: ParsedDocument, settings: Partial<ChunkingSettings> = {}): Chunk[] {
  const resolved = resolveChunkingSettings(settings);
  const sections = splitSections(document.blocks)
    .map((section) => chunkSection(section, resolved))
    .filter((chunks) => chunks.length > 0);
  return mergeTinySections(sections, resolved).flat().map(toChunk);
}

function chunkSection(section: Section, settings: ChunkingSettings): SectionChunk[] {
  const units = section.blocks
    .map((block) => blockUnit(block, settings))
    .filter((unit): unit is BlockUnit => unit !== null);
  return packSection(units, settings)
    .map((parts) => sectionChunk(section, parts))
    .filter((chunk) => chunk.members[0]!.body.length > 0);
}

function sectionChunk({ headingPath, headingAnchors }: Section, parts: readonly Part[]): SectionChunk {
  const body = parts
    .map((part) => renderUnitPart(part.unit, part.from, part.to))
    .filter((text) => text.length > 0)
    .join('\n\n');
  const pages = parts.map((part) => part.unit.page).filter((page): page is number => page !== undefined);
  return { members: [{ headingPath, headingAnchors, body }], pages: [...new Set(pages)].sort((a, b) => a - b) };
}

function toChunk(chunk: SectionChunk, ordinal: number): Chunk {
  const { headingPath, text, anchor } = describeSectionChunk(chunk);
  return {
    ordinal,
    headingPath,
    text,
    tokenCount: countTokens(text),
    ...(chunk.pages.length > 0 ? { pages: chunk.pages } : {}),
    ...(anchor !== null ? { anchor } : {}),
  };
}
