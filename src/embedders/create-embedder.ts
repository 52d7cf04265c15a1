import { OrioleError } from '../core/index.ts';
import type { Embedder } from '../core/index.ts';
import type { EmbedderOptions } from './embedder-options.ts';
import { createOpenAIEmbedder } from './openai-embedder.ts';

export type EmbedderSpec =
  | { kind: 'transformers'; model: string }
  | { kind: 'openai'; model: string }
  | { kind: 'use-lite' }
  | { kind: 'none' };

/** Reads an ORIOLE_EMBEDDER value; anything else is a configuration error naming the accepted forms. */
export function parseEmbedderSpec(spec: string): EmbedderSpec {
  const trimmed = spec.trim();
  if (trimmed === 'none') return { kind: 'none' };
  if (trimmed === 'use-lite') return { kind: 'use-lite' };
  const match = /^(transformers|openai):(\S+)$/.exec(trimmed);
  if (match) return { kind: match[1] as 'transformers' | 'openai', model: match[2]! };
  throw new OrioleError(
    'config_invalid',
    `Unknown embedder '${spec}': expected 'transformers:<hf-model-id>', 'openai:<model>', 'use-lite' or 'none' (ORIOLE_EMBEDDER).`,
    { details: { embedder: spec } },
  );
}

/**
 * The embedder a spec names, loaded and ready (its `dimension` known), or null for
 * `none` (lexical-only). A model that cannot be loaded throws `upstream_unavailable`
 * with the reason and the fix; an unknown spec throws `config_invalid`.
 * The in-process runtimes are imported only when asked for, so `none` and
 * `openai:` start without loading onnxruntime or TensorFlow.js.
 */
export async function createEmbedder(spec: string, options: EmbedderOptions): Promise<Embedder | null> {
  const parsed = parseEmbedderSpec(spec);
  switch (parsed.kind) {
    case 'none':
      return null;
    case 'openai':
      return createOpenAIEmbedder(parsed.model, { ...options.openai, ...(options.fetch ? { fetch: options.fetch } : {}) });
    case 'transformers': {
      const { createTransformersEmbedder } = await import('./transformers-embedder.ts');
      return createTransformersEmbedder(parsed.model, options);
    }
    case 'use-lite': {
      const { createUseLiteEmbedder } = await import('./use-lite-embedder.ts');
      return createUseLiteEmbedder();
    }
  }
}
