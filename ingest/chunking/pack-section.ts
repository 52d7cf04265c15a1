import type { ChunkingSettings } from '../../src/core/index.ts';
import type { BlockUnit } from './block-unit.ts';
import { unitTokens } from './block-unit.ts';

/** Atoms [from, to) of one block: a whole block, or one part of a split one. */
export interface Part {
  unit: BlockUnit;
  from: number;
  to: number;
}

interface Packed {
  parts: Part[];
  /** An upper bound of the rendered chunk's tokens (countTokens is subadditive). */
  tokens: number;
}

interface Packer {
  settings: ChunkingSettings;
  done: Packed[];
  /** The previous chunk's last sentences, repeated at the start of this one. */
  lead: Part | null;
  leadTokens: number;
  parts: Part[];
  tokens: number;
}

/**
 * Packs one section's blocks into chunks: whole blocks while the chunk stays within
 * targetTokens; a block over maxTokens atom by atom (sentences, list lines, code lines,
 * table rows), a split code block or table from a fresh chunk. A chunk under minTokens
 * takes the next block even past target, up to maxTokens, and a section's last chunk
 * under minTokens joins the one before it when both fit in maxTokens. Only a single
 * code line or table row exceeds maxTokens.
 */
export function packSection(units: readonly BlockUnit[], settings: ChunkingSettings): Part[][] {
  const packer: Packer = { settings, done: [], lead: null, leadTokens: 0, parts: [], tokens: 0 };
  for (const unit of units) {
    if (unitTokens(unit) <= settings.maxTokens) place(packer, unit, 0, unit.atoms.length);
    else placeSplit(packer, unit);
  }
  finish(packer);
  return packer.done.map((chunk) => chunk.parts);
}

function placeSplit(packer: Packer, unit: BlockUnit): void {
  // A split code block or table starts its own chunk, so its first part is not a scrap at the end of another.
  const framed = unit.kind === 'code' || unit.kind === 'table';
  if (framed && packer.parts.length > 0 && packer.tokens >= packer.settings.minTokens) flush(packer);
  for (let index = 0; index < unit.atoms.length; index += 1) place(packer, unit, index, index + 1);
}

function place(packer: Packer, unit: BlockUnit, from: number, to: number): void {
  const { targetTokens, maxTokens, minTokens } = packer.settings;
  const filled = packer.leadTokens + packer.tokens;
  const cost = costOf(packer.parts, unit, from, to);
  const fits = filled + cost <= targetTokens || (packer.tokens < minTokens && filled + cost <= maxTokens);
  if (packer.parts.length > 0 && !fits) flush(packer);
  const finalCost = costOf(packer.parts, unit, from, to);
  if (packer.parts.length === 0 && packer.leadTokens + finalCost > maxTokens) {
    packer.lead = null;
    packer.leadTokens = 0;
  }
  packer.parts = appendPart(packer.parts, { unit, from, to });
  packer.tokens += finalCost;
}

/** A part continuing the previous one of the same block does not repeat its fence or header. */
function costOf(parts: readonly Part[], unit: BlockUnit, from: number, to: number): number {
  const atoms = unit.atoms.slice(from, to).reduce((sum, atom) => sum + atom.tokens, 0);
  return continues(parts.at(-1), unit, from) ? atoms : atoms + unit.frameTokens;
}

function flush(packer: Packer): void {
  packer.done.push({ parts: withLead(packer.lead, packer.parts), tokens: packer.leadTokens + packer.tokens });
  const lead = overlapAfter(packer.parts.at(-1)!, packer.tokens, packer.settings);
  packer.lead = lead?.part ?? null;
  packer.leadTokens = lead?.tokens ?? 0;
  packer.parts = [];
  packer.tokens = 0;
}

function finish(packer: Packer): void {
  if (packer.parts.length === 0) return;
  const previous = packer.done.at(-1);
  const { minTokens, maxTokens } = packer.settings;
  if (previous && packer.tokens < minTokens && previous.tokens + packer.tokens <= maxTokens) {
    previous.parts = packer.parts.reduce(appendPart, previous.parts);
    previous.tokens += packer.tokens;
    return;
  }
  packer.done.push({ parts: withLead(packer.lead, packer.parts), tokens: packer.leadTokens + packer.tokens });
}

/**
 * The last whole sentences (or list items) of a chunk's final part, until they reach
 * overlapTokens; never more than 1.5 × overlapTokens nor half the chunk, so a long last
 * sentence means no overlap rather than a mid-sentence cut. Code and tables give none.
 */
function overlapAfter(
  part: Part,
  chunkTokens: number,
  settings: ChunkingSettings,
): { part: Part; tokens: number } | null {
  if (settings.overlapTokens === 0) return null;
  const limit = Math.min(settings.overlapTokens * 1.5, chunkTokens / 2);
  let from = part.to;
  let tokens = 0;
  while (from > part.from && tokens < settings.overlapTokens) {
    const atom = part.unit.atoms[from - 1]!;
    if (!atom.whole || tokens + atom.tokens > limit) break;
    tokens += atom.tokens;
    from -= 1;
  }
  return from === part.to ? null : { part: { unit: part.unit, from, to: part.to }, tokens };
}

function withLead(lead: Part | null, parts: readonly Part[]): Part[] {
  return lead === null ? [...parts] : parts.reduce(appendPart, [lead]);
}

function appendPart(parts: readonly Part[], part: Part): Part[] {
  const last = parts.at(-1);
  if (last !== undefined && continues(last, part.unit, part.from)) {
    return [...parts.slice(0, -1), { unit: last.unit, from: last.from, to: part.to }];
  }
  return [...parts, part];
}

function continues(last: Part | undefined, unit: BlockUnit, from: number): boolean {
  return last !== undefined && last.unit === unit && last.to === from;
}
