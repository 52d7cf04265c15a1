import { AutoModelForSequenceClassification, AutoTokenizer } from '@huggingface/transformers';
import type { PreTrainedModel, PreTrainedTokenizer, Tensor } from '@huggingface/transformers';
import { loadTransformersModel, type ModelDownloadSettings } from './load-transformers-model.ts';
import type { ModelLoadOptions } from './model-load-options.ts';
import { createSerialQueue } from './serial-queue.ts';
import { transformersLibraryLoads } from './transformers-library.ts';

/**
 * A sequence-classification model read on text pairs (a cross-encoder, an NLI model),
 * loaded as every in-process model is (loadTransformersModel). The reranker and the
 * verifier differ only in what they make of its logits.
 */
export interface SequenceClassifier {
  /** The model's labels by output index (config.json `id2label`), e.g. ['entailment', 'neutral', 'contradiction']. */
  readonly labels: readonly string[];
  /**
   * One row of logits per pair, in order. The first text of a pair comes first in the
   * model's input: truncation cuts the end of a long pair, so the second text's tail goes.
   */
  logits(pairs: ReadonlyArray<readonly [string, string]>): Promise<number[][]>;
  /** Tokens `text` takes in a pair (no special tokens), to fit a pair into the model. */
  tokenCount(text: string): number;
  /** The longest input the model reads, in tokens. */
  readonly maxTokens: number;
  dispose(): Promise<void>;
}

export interface SequenceClassifierLoad {
  /** Pairs per model run: pairs are padded to the longest of a run, so runs stay small. */
  maxBatchSize: number;
  /** The caller's own error ("Could not load reranker model …"), with the reason. */
  failure: (reason: string, cause?: unknown) => Error;
}

export async function loadSequenceClassifier(
  modelId: string,
  options: ModelLoadOptions,
  settings: ModelDownloadSettings,
  load: SequenceClassifierLoad,
): Promise<SequenceClassifier> {
  const { tokenizer, model } = await transformersLibraryLoads.run(async () => {
    let tokenizer: PreTrainedTokenizer | undefined;
    const model = await loadTransformersModel<PreTrainedModel>(modelId, options, settings, {
      prepare: async (shared) => {
        tokenizer = await AutoTokenizer.from_pretrained(modelId, shared);
      },
      load: (dtype, shared, sessionOptions) =>
        AutoModelForSequenceClassification.from_pretrained(modelId, { ...shared, dtype, device: 'cpu', session_options: sessionOptions }),
      failure: load.failure,
    });
    return { tokenizer: tokenizer!, model };
  });
  const runs = createSerialQueue();
  const id2label = (model.config as { id2label?: Record<string, string> }).id2label ?? {};
  const labels = Object.entries(id2label)
    .sort(([left], [right]) => Number(left) - Number(right))
    .map(([, label]) => String(label));

  return {
    labels,
    maxTokens: Math.min(tokenizer.model_max_length ?? 512, 512),
    tokenCount: (text) => tokenizer.encode(text, { add_special_tokens: false }).length,
    async logits(pairs) {
      const rows: number[][] = [];
      for (let start = 0; start < pairs.length; start += load.maxBatchSize) {
        const batch = pairs.slice(start, start + load.maxBatchSize);
        const inputs = tokenizer(
          batch.map(([first]) => first),
          { text_pair: batch.map(([, second]) => second), padding: true, truncation: true },
        );
        const { logits } = (await runs.run(() => model(inputs))) as { logits: Tensor };
        const [count, width] = logits.dims as [number, number];
        const data = logits.data as Float32Array;
        for (let row = 0; row < count; row += 1) rows.push(Array.from(data.subarray(row * width, (row + 1) * width)));
        logits.dispose();
      }
      return rows;
    },
    async dispose() {
      await model.dispose();
    },
  };
}
