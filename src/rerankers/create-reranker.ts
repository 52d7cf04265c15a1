import { OrioleError } from '../core/index.ts';
import type { Reranker } from '../core/index.ts';
import type { RerankerOptions } from './reranker-options.ts';

export type RerankerSpec = { kind: 'transformers'; model: string } | { kind: 'none' };

/** Reads an ORIOLE_RERANKER value; anything else is a configuration error naming the accepted forms. */
export function parseRerankerSpec(spec: string): RerankerSpec {
  const trimmed = spec.trim();
  if (trimmed === 'none') return { kind: 'none' };
  const match = /^transformers:(\S+)$/.exec(trimmed);
  if (match) return { kind: 'transformers', model: match[1]! };
  throw new OrioleError(
    'config_invalid',
    `Unknown reranker '${spec}': expected 'transformers:<hf-model-id>' or 'none' (ORIOLE_RERANKER).`,
    { details: { reranker: spec } },
  );
}

/**
 * The reranker a spec names, loaded and checked on one pair, or null for `none`. A model
 * that cannot be loaded throws `upstream_unavailable` with the reason and the fix; an
 * unknown spec throws `config_invalid`. onnxruntime is imported only when a model is asked for.
 */
export async function createReranker(spec: string, options: RerankerOptions = {}): Promise<Reranker | null> {
  const parsed = parseRerankerSpec(spec);
  switch (parsed.kind) {
    case 'none':
      return null;
    case 'transformers': {
      const { createTransformersReranker } = await import('./transformers-reranker.ts');
      return createTransformersReranker(parsed.model, options);
    }
  }
}
