import { OrioleError } from '../core/index.ts';

export type VerifierSpec = { kind: 'transformers'; model: string } | { kind: 'llm' } | { kind: 'none' };

/** Reads an ORIOLE_VERIFIER value; anything else is a configuration error naming the accepted forms. */
export function parseVerifierSpec(spec: string): VerifierSpec {
  const trimmed = spec.trim();
  if (trimmed === 'none') return { kind: 'none' };
  if (trimmed === 'llm') return { kind: 'llm' };
  const match = /^transformers:(\S+)$/.exec(trimmed);
  if (match) return { kind: 'transformers', model: match[1]! };
  throw new OrioleError(
    'config_invalid',
    `Unknown verifier '${spec}': expected 'transformers:<hf-model-id>', 'llm' or 'none' (ORIOLE_VERIFIER).`,
    { details: { verifier: spec } },
  );
}
