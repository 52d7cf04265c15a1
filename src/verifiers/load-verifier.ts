import type { Verifier } from '../core/index.ts';
import type { ModelLoadOptions } from '../models/index.ts';
import { parseVerifierSpec } from './verifier-spec.ts';

/**
 * The in-process verifier model a spec names, loaded and checked on one pair; null for
 * `none` and for `llm` (built on the configured LLM, createLlmVerifier). A model that
 * cannot be loaded throws `upstream_unavailable` with the reason and the fix: unlike the
 * reranker's, a missing verifier stops start-up, since answers' confidence (and the
 * minConfidence an operator chose for it) would silently mean something else without it.
 * onnxruntime is imported only when a model is asked for.
 */
export async function loadVerifierModel(spec: string, options: ModelLoadOptions = {}): Promise<Verifier | null> {
  const parsed = parseVerifierSpec(spec);
  if (parsed.kind !== 'transformers') return null;
  const { createTransformersVerifier } = await import('./transformers-verifier.ts');
  return createTransformersVerifier(parsed.model, options);
}
