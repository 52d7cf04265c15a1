import { OrioleError } from '../core/index.ts';
import type { Reranker } from '../core/index.ts';
import {
  defaultModelDownloadSettings,
  describeError,
  loadSequenceClassifier,
  modelFilesFix,
  type ModelDownloadSettings,
} from '../models/index.ts';
import type { RerankerOptions } from './reranker-options.ts';

/**
 * `transformers:<hf-model-id>`: a cross-encoder (a sequence-classification model such as
 * Xenova/ms-marco-MiniLM-L-6-v2 or Xenova/bge-reranker-base) run in-process by
 * `@huggingface/transformers` on onnxruntime-node. Models load as the transformers
 * embedder's do (docs/embedders.md): from ORIOLE_MODELS_DIR only when it is set, else
 * from the cache or the Hub, q8 weights when the repository has them. Node only.
 */

export interface TransformersRerankerSettings extends ModelDownloadSettings {
  /**
   * Query–passage pairs per model run. Pairs are longer than the embedder's single texts
   * and padded to the longest, so batches are smaller: the default 20 candidates take two runs.
   */
  maxBatchSize: number;
}

export const defaultTransformersRerankerSettings: TransformersRerankerSettings = {
  ...defaultModelDownloadSettings,
  maxBatchSize: 16,
};

const probeText = 'relevance probe';
const noRerankerFix = 'Or set ORIOLE_RERANKER=none to search without reranking.';

export async function createTransformersReranker(
  modelId: string,
  options: RerankerOptions = {},
  settings: TransformersRerankerSettings = defaultTransformersRerankerSettings,
): Promise<Reranker> {
  const spec = `transformers:${modelId}`;
  const classifier = await loadSequenceClassifier(modelId, options, settings, {
    maxBatchSize: settings.maxBatchSize,
    failure: (reason, cause) => rerankerLoadError(spec, reason, fixFor(modelId, options), cause),
  });

  // Query first: truncation cuts the end of a long pair, so the passage's tail goes, never the query.
  const rerank = async (query: string, texts: string[]): Promise<number[]> =>
    relevanceScores(await classifier.logits(texts.map((text) => [query, text] as const)));

  try {
    await rerank(probeText, [probeText]);
  } catch (error) {
    await classifier.dispose();
    throw rerankerLoadError(spec, `the model files loaded but do not run as a reranker (${describeError(error)})`, fixFor(modelId, options));
  }
  return { id: spec, rerank };
}

/**
 * One score per row of logits: a single-logit model's logit (ms-marco, bge-reranker), or a
 * two-label model's softmax probability of its second, "relevant" class.
 */
function relevanceScores(rows: number[][]): number[] {
  return rows.map((logits) => {
    if (logits.length === 1) return logits[0]!;
    if (logits.length === 2) return 1 / (1 + Math.exp(logits[0]! - logits[1]!));
    throw new Error(`it returns ${logits.length} logits per pair; a reranker returns 1 (relevance) or 2 (not relevant, relevant)`);
  });
}

/** "This reranker cannot be used right now", with the reason and the fix; the service then runs without it. */
function rerankerLoadError(spec: string, reason: string, fix: string, cause?: unknown): OrioleError {
  const model = spec.replace(/^transformers:/, '');
  const sentence = reason.trim().replace(/[.\s]+$/, '');
  return new OrioleError('upstream_unavailable', `Could not load reranker model ${model}: ${sentence}. ${fix}`, {
    details: { reranker: spec },
    cause,
  });
}

function fixFor(modelId: string, options: RerankerOptions): string {
  return modelFilesFix(modelId, options, noRerankerFix);
}
