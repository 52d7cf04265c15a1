import { isOrioleError } from '../core/index.ts';
import type { Reranker } from '../core/index.ts';
import { createReranker } from './create-reranker.ts';
import type { RerankerOptions } from './reranker-options.ts';

/** What the service reports about its reranker at start. */
export type RerankerStatus =
  | { spec: string; ready: true; active: boolean }
  | { spec: string; ready: false; active: false; message: string };

/**
 * Loads the configured reranker, or runs without one loudly: a model that cannot be
 * loaded (offline and not cached, files missing) is reported through `warn` and in the
 * status, and retrieval keeps its fused order. A bad spec is a configuration mistake: thrown.
 */
export async function loadReranker(
  spec: string,
  options: RerankerOptions,
  warn: (message: string) => void,
): Promise<{ reranker: Reranker | null; status: RerankerStatus }> {
  try {
    const reranker = await createReranker(spec, options);
    return { reranker, status: { spec, ready: true, active: reranker !== null } };
  } catch (error) {
    if (isOrioleError(error) && error.code === 'config_invalid') throw error;
    const reason = error instanceof Error ? error.message : String(error);
    const message = `${reason} Running without the reranker meanwhile: results keep the retriever's fused order.`;
    warn(message);
    return { reranker: null, status: { spec, ready: false, active: false, message } };
  }
}
