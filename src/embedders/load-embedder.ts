import { isOrioleError } from '../core/index.ts';
import type { Embedder } from '../core/index.ts';
import { createEmbedder } from './create-embedder.ts';
import type { EmbedderOptions } from './embedder-options.ts';

/** What the service reports about its embedder: at start, in /ready and in each answer's retrieval info. */
export type EmbedderStatus =
  | { spec: string; ready: true; lexicalOnly: false; dimension: number }
  | { spec: string; ready: true; lexicalOnly: true; message: string }
  | { spec: string; ready: false; lexicalOnly: true; message: string };

/**
 * Loads the configured embedder, or falls back to lexical-only search loudly
 * (docs/embedders.md): a model that cannot be loaded is reported through
 * `warn` and in the returned status, and the service keeps running. A bad spec
 * or a missing API key is a configuration mistake, not an outage: it is thrown.
 */
export async function loadEmbedder(
  spec: string,
  options: EmbedderOptions,
  warn: (message: string) => void,
): Promise<{ embedder: Embedder | null; status: EmbedderStatus }> {
  try {
    const embedder = await createEmbedder(spec, options);
    if (!embedder) {
      return {
        embedder: null,
        status: { spec, ready: true, lexicalOnly: true, message: `Embedder '${spec}': lexical-only search by configuration.` },
      };
    }
    return { embedder, status: { spec, ready: true, lexicalOnly: false, dimension: embedder.dimension } };
  } catch (error) {
    if (isOrioleError(error) && error.code === 'config_invalid') throw error;
    const reason = error instanceof Error ? error.message : String(error);
    const message =
      `${reason} Running lexical-only meanwhile: search matches keywords only, and chunks ingested now are ` +
      `stored without vectors until 'oriole reindex' runs with the model available.`;
    warn(message);
    return { embedder: null, status: { spec, ready: false, lexicalOnly: true, message } };
  }
}
