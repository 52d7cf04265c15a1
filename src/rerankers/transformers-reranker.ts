import { access } from 'node:fs/promises';
import path from 'node:path';
import { AutoModelForSequenceClassification, AutoTokenizer, env, LogLevel } from '@huggingface/transformers';
import type { DataType, PreTrainedModel, PreTrainedTokenizer, ProgressInfo, Tensor } from '@huggingface/transformers';
import { OrioleError } from '../core/index.ts';
import type { Reranker } from '../core/index.ts';
import { createSerialQueue, describeError, fetchWithTimeouts } from '../embedders/index.ts';
import type { RerankerOptions } from './reranker-options.ts';

/**
 * `transformers:<hf-model-id>`: a cross-encoder (a sequence-classification model such as
 * Xenova/ms-marco-MiniLM-L-6-v2 or Xenova/bge-reranker-base) run in-process by
 * `@huggingface/transformers` on onnxruntime-node. Models load as the transformers
 * embedder's do (docs/embedders.md): from ORIOLE_MODELS_DIR only when it is set, else
 * from the cache or the Hub, q8 weights when the repository has them. Node only.
 */

export interface TransformersRerankerSettings {
  /** Where models are downloaded from when ORIOLE_MODELS_DIR is unset (a Hub mirror works too). */
  hubUrl: string;
  /** A download whose server sends no headers within this fails, so start-up never hangs offline. */
  responseTimeoutMs: number;
  /** A download that receives no bytes for this long fails. */
  stallTimeoutMs: number;
  /**
   * Query–passage pairs per model run. Pairs are longer than the embedder's single texts
   * and padded to the longest, so batches are smaller: the default 20 candidates take two runs.
   */
  maxBatchSize: number;
}

export const defaultTransformersRerankerSettings: TransformersRerankerSettings = {
  hubUrl: 'https://huggingface.co/',
  responseTimeoutMs: 30_000,
  stallTimeoutMs: 60_000,
  maxBatchSize: 16,
};

const preferredDtype: DataType = 'q8';
const fallbackDtype: DataType = 'fp32';
/** How transformers.js names each dtype's file (src/utils/dtypes.js, DEFAULT_DTYPE_SUFFIX_MAPPING). */
const modelFileByDtype: Partial<Record<DataType, string>> = {
  q8: 'onnx/model_quantized.onnx',
  fp32: 'onnx/model.onnx',
};
const requiredFiles = ['config.json', 'tokenizer.json', 'tokenizer_config.json'];
const probeText = 'relevance probe';
const noRerankerFix = 'Or set ORIOLE_RERANKER=none to search without reranking.';

/**
 * transformers.js keeps its settings in one global `env`: loads configured differently
 * must not interleave. The entry points load the embedder first and this after it.
 */
const libraryLoads = createSerialQueue();
const libraryCacheDir = env.cacheDir;

export async function createTransformersReranker(
  modelId: string,
  options: RerankerOptions = {},
  settings: TransformersRerankerSettings = defaultTransformersRerankerSettings,
): Promise<Reranker> {
  const spec = `transformers:${modelId}`;
  const { tokenizer, model } = await libraryLoads.run(() => loadModel(spec, modelId, options, settings));
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
  const localOnly = options.modelsDir !== undefined;
  configureLibrary(options, settings);
  const cached = localOnly ? undefined : await cachedDtype(modelId, env.cacheDir);
  const dtypes = localOnly ? [await localDtype(spec, modelId, options)] : cached ? [cached] : [preferredDtype, fallbackDtype];
  const shared = {
    local_files_only: localOnly,
    ...(options.cacheDir === undefined ? {} : { cache_dir: options.cacheDir }),
    progress_callback: (info: ProgressInfo) => {
      if (info.status === 'progress') options.onProgress?.({ file: info.file, loaded: info.loaded, total: info.total });
    },
  };
  let tokenizer: PreTrainedTokenizer;
  try {
    tokenizer = await AutoTokenizer.from_pretrained(modelId, shared);
  } catch (error) {
    throw rerankerLoadError(spec, describeError(error), fixFor(modelId, options), error);
  }
  for (const [attempt, dtype] of dtypes.entries()) {
    try {
      const model = await AutoModelForSequenceClassification.from_pretrained(modelId, {
        ...shared,
        dtype,
        device: 'cpu',
        session_options: { intraOpNumThreads: options.threads ?? 1, interOpNumThreads: 1 },
      });
      return { tokenizer, model };
    } catch (error) {
      const isLastAttempt = attempt === dtypes.length - 1;
      // Not every repository publishes quantised weights; then the fp32 file is the model.
      if (!isLastAttempt && isMissingFile(error, modelFileByDtype[dtype])) continue;
      throw rerankerLoadError(spec, describeError(error), fixFor(modelId, options), error);
    }
  }
  throw rerankerLoadError(spec, 'no model file could be loaded', fixFor(modelId, options));
}

function configureLibrary(options: RerankerOptions, settings: TransformersRerankerSettings): void {
  env.logLevel = LogLevel.ERROR;
  env.fetch = fetchWithTimeouts(options.fetch ?? globalThis.fetch, settings);
  env.remoteHost = settings.hubUrl;
  env.useFSCache = true;
  env.cacheDir = options.cacheDir ?? libraryCacheDir;
  if (options.modelsDir !== undefined) {
    env.localModelPath = options.modelsDir;
    env.allowLocalModels = true;
    env.allowRemoteModels = false;
  } else {
    env.allowLocalModels = false;
    env.allowRemoteModels = true;
  }
}

async function localDtype(spec: string, modelId: string, options: RerankerOptions): Promise<DataType> {
  const modelDir = path.join(options.modelsDir!, modelId);
  for (const file of requiredFiles) {
    if (!(await exists(path.join(modelDir, file)))) {
      throw rerankerLoadError(spec, `${path.join(modelDir, file)} does not exist`, fixFor(modelId, options));
    }
  }
  const dtype = await dtypeOnDisk(modelDir);
  if (dtype) return dtype;
  const expected = [preferredDtype, fallbackDtype].map((candidate) => modelFileByDtype[candidate]).join(' or ');
  throw rerankerLoadError(spec, `${modelDir} has no ${expected}`, fixFor(modelId, options));
}

/** A complete model in the download cache loads with no request to the Hub. */
async function cachedDtype(modelId: string, cacheDir: string | null): Promise<DataType | undefined> {
  if (!cacheDir) return undefined;
  const modelDir = path.join(cacheDir, modelId);
  for (const file of requiredFiles) if (!(await exists(path.join(modelDir, file)))) return undefined;
  return dtypeOnDisk(modelDir);
}

async function dtypeOnDisk(modelDir: string): Promise<DataType | undefined> {
  for (const dtype of [preferredDtype, fallbackDtype]) {
    if (await exists(path.join(modelDir, modelFileByDtype[dtype]!))) return dtype;
  }
  return undefined;
}

function isMissingFile(error: unknown, file: string | undefined): boolean {
  return (
    file !== undefined &&
    error instanceof Error &&
    error.name === 'ModelFileNotFoundError' &&
    error.message.includes(file.split('/').pop()!)
  );
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
  const layout = `config.json, tokenizer.json, tokenizer_config.json and onnx/model_quantized.onnx (or onnx/model.onnx)`;
  if (options.modelsDir !== undefined) {
    return `ORIOLE_MODELS_DIR is set, so nothing is downloaded: put ${layout} under ${path.join(options.modelsDir, modelId)}/. ${noRerankerFix}`;
  }
  const cache = options.cacheDir ?? libraryCacheDir;
  return (
    `It is downloaded once from the Hugging Face Hub and cached${cache ? ` in ${cache}` : ''}; on a machine without network access, ` +
    `set ORIOLE_MODELS_DIR and put ${layout} under <ORIOLE_MODELS_DIR>/${modelId}/. ${noRerankerFix}`
  );
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
