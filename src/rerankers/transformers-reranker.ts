import { AutoModelForSequenceClassification, AutoTokenizer } from '@huggingface/transformers';
import type { PreTrainedModel, PreTrainedTokenizer, Tensor } from '@huggingface/transformers';
import { OrioleError } from '../core/index.ts';
import type { Reranker } from '../core/index.ts';
import {
  createSerialQueue,
  defaultModelDownloadSettings,
  describeError,
  loadTransformersModel,
  modelFilesFix,
  transformersLibraryLoads,
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
  const { tokenizer, model } = await transformersLibraryLoads.run(() => loadModel(spec, modelId, options, settings));
  const runs = createSerialQueue();

  async function rerank(query: string, texts: string[]): Promise<number[]> {
    const scores: number[] = [];
    for (let start = 0; start < texts.length; start += settings.maxBatchSize) {
      const passages = texts.slice(start, start + settings.maxBatchSize);
      // Query first: truncation cuts the end of a long pair, so the passage's tail goes, never the query.
      const inputs = tokenizer(
        passages.map(() => query),
        { text_pair: passages, padding: true, truncation: true },
      );
      const { logits } = (await runs.run(() => model(inputs))) as { logits: Tensor };
      scores.push(...relevanceScores(logits));
      logits.dispose();
    }
    return scores;
  }

  try {
    await rerank(probeText, [probeText]);
  } catch (error) {
    await model.dispose();
    throw rerankerLoadError(spec, `the model files loaded but do not run as a reranker (${describeError(error)})`, fixFor(modelId, options));
  }
  return { id: spec, rerank };
}

/**
 * One score per row of [batch, labels] logits: a single-logit model's logit (ms-marco,
 * bge-reranker), or a two-label model's softmax probability of its second, "relevant" class.
 */
function relevanceScores(logits: Tensor): number[] {
  const [rows, labels] = logits.dims as [number, number];
  const data = logits.data as Float32Array;
  if (labels !== 1 && labels !== 2) {
    throw new Error(`it returns ${labels} logits per pair; a reranker returns 1 (relevance) or 2 (not relevant, relevant)`);
  }
  return Array.from({ length: rows }, (_, row) =>
    labels === 1 ? data[row]! : 1 / (1 + Math.exp(data[row * 2]! - data[row * 2 + 1]!)),
  );
}

async function loadModel(
  spec: string,
  modelId: string,
  options: RerankerOptions,
  settings: TransformersRerankerSettings,
): Promise<{ tokenizer: PreTrainedTokenizer; model: PreTrainedModel }> {
  let tokenizer: PreTrainedTokenizer | undefined;
  const model = await loadTransformersModel(modelId, options, settings, {
    prepare: async (shared) => {
      tokenizer = await AutoTokenizer.from_pretrained(modelId, shared);
    },
    load: (dtype, shared, sessionOptions) =>
      AutoModelForSequenceClassification.from_pretrained(modelId, { ...shared, dtype, device: 'cpu', session_options: sessionOptions }),
    failure: (reason, cause) => rerankerLoadError(spec, reason, fixFor(modelId, options), cause),
  });
  return { tokenizer: tokenizer!, model };
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
