import type { ChunkingSettings } from '../../src/core/index.ts';
import { invalidRequest } from '../../src/core/index.ts';

/**
 * The defaults, in estimated tokens (`countTokens`); docs/chunking.md gives the reasoning.
 * English help text estimates at about 3.8 characters a token, so a 200-token chunk is
 * about the 800-character chunk over which plain BM25 measured well; Chinese is one
 * token a character, so a Chinese chunk is about 200 characters. Retrieval with other
 * sizes is still to be measured, which is why every number is a setting.
 */
export const defaultChunkingSettings: ChunkingSettings = Object.freeze({
  /** About 750–800 English characters: the size the BM25 reference scored well with. */
  targetTokens: 200,
  /** A block a bit over target stays whole; with a breadcrumb and tokenizer error, still under a 512-token embedder. */
  maxTokens: 320,
  /** One or two sentences (15 % of target): a fact cut by a boundary is whole in one of the two chunks. */
  overlapTokens: 30,
  /** A fifth of target: a section like "See Billing for details." is too thin to retrieve alone. */
  minTokens: 40,
});

const settingNames = ['targetTokens', 'maxTokens', 'overlapTokens', 'minTokens'] as const;

/** Fills unset settings with the defaults and refuses inconsistent ones, naming the setting. */
export function resolveChunkingSettings(overrides: Partial<ChunkingSettings> = {}): ChunkingSettings {
  const settings = { ...defaultChunkingSettings };
  for (const name of settingNames) {
    const value = overrides[name];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < 0) {
      throw invalidRequest(`chunking setting ${name} must be a whole number ≥ 0, got ${String(value)}`, { setting: name });
    }
    settings[name] = value;
  }
  refuse(settings.targetTokens < 1, 'targetTokens', 'must be at least 1');
  refuse(settings.maxTokens < settings.targetTokens, 'maxTokens', 'must be at least targetTokens');
  refuse(settings.overlapTokens >= settings.targetTokens, 'overlapTokens', 'must be less than targetTokens');
  refuse(settings.minTokens > settings.targetTokens, 'minTokens', 'must be at most targetTokens');
  return settings;
}

function refuse(condition: boolean, name: string, rule: string): void {
  if (condition) throw invalidRequest(`chunking setting ${name} ${rule}`, { setting: name });
}
