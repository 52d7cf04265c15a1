import { OrioleError } from '../core/index.ts';

/**
 * The one error for "this embedding model cannot be used right now": offline and
 * not cached, files missing, a server refusing. `loadEmbedder` turns it into a
 * lexical-only start; `createEmbedder` callers see the reason and how to fix it.
 */
export function modelLoadError(
  spec: string,
  reason: string,
  fix: string,
  cause?: unknown,
  details: Record<string, unknown> = {},
): OrioleError {
  const model = spec.replace(/^(transformers|openai):/, '');
  const sentence = reason.trim().replace(/[.\s]+$/, '');
  return new OrioleError('upstream_unavailable', `Could not load embedding model ${model}: ${sentence}. ${fix}`, {
    details: { ...details, embedder: spec },
    cause,
  });
}

/** The part of a fix that applies to every embedder. */
export const lexicalOnlyFix = 'Or set ORIOLE_EMBEDDER=none to run lexical-only.';
