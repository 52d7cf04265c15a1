import { OrioleError } from '../core/index.ts';
import type { VerificationPair, Verifier } from '../core/index.ts';
import {
  defaultModelDownloadSettings,
  describeError,
  loadSequenceClassifier,
  modelFilesFix,
  type ModelDownloadSettings,
  type ModelLoadOptions,
  type SequenceClassifier,
} from '../models/index.ts';

/**
 * `transformers:<hf-model-id>`: a sequence-classification model run in-process, read one
 * of two ways, told apart by its config.json `id2label`:
 *
 * - an NLI model (a label named "entailment", e.g. MoritzLaurer/mDeBERTa-v3-base-xnli):
 *   the passage is the premise, the answer's sentence (or the answer citing the passage)
 *   the hypothesis; the score is the softmax probability of "entailment";
 * - a cross-encoder (e.g. Xenova/ms-marco-MiniLM-L-6-v2): the question or sentence first,
 *   the passage second, as the reranker reads them; one logit → its sigmoid, two labels →
 *   the softmax probability of the second ("relevant").
 *
 * Models load as the reranker's do (docs/embedders.md): ORIOLE_MODELS_DIR, the cache or the Hub.
 */

export interface TransformersVerifierSettings extends ModelDownloadSettings {
  /** Pairs per model run; an answer has a handful. */
  maxBatchSize: number;
}

export const defaultTransformersVerifierSettings: TransformersVerifierSettings = {
  ...defaultModelDownloadSettings,
  maxBatchSize: 8,
};

/** [CLS] a [SEP] b [SEP], or <s> a </s></s> b </s>: room kept for the special tokens of a pair. */
const pairSpecialTokens = 4;
const probePair: VerificationPair = { kind: 'supports', sentence: 'verification probe', passage: 'verification probe' };
const noVerifierFix = 'Or set ORIOLE_VERIFIER=none to answer without the verifier.';

type Reading = { kind: 'nli'; entailment: number } | { kind: 'cross-encoder' };

export async function createTransformersVerifier(
  modelId: string,
  options: ModelLoadOptions = {},
  settings: TransformersVerifierSettings = defaultTransformersVerifierSettings,
): Promise<Verifier> {
  const spec = `transformers:${modelId}`;
  const fix = modelFilesFix(modelId, options, noVerifierFix);
  const classifier = await loadSequenceClassifier(modelId, options, settings, {
    maxBatchSize: settings.maxBatchSize,
    failure: (reason, cause) => verifierLoadError(spec, reason, fix, cause),
  });
  const entailment = classifier.labels.findIndex((label) => /^entail/i.test(label));
  const reading: Reading = entailment >= 0 ? { kind: 'nli', entailment } : { kind: 'cross-encoder' };

  async function score(pairs: readonly VerificationPair[]): Promise<number[]> {
    const rows = await classifier.logits(pairs.map((pair) => modelInput(pair, reading, classifier)));
    return rows.map((logits) => probability(logits, reading));
  }

  try {
    await score([probePair]);
  } catch (error) {
    await classifier.dispose();
    throw verifierLoadError(spec, `the model files loaded but do not run as a verifier (${describeError(error)})`, fix);
  }
  return { id: spec, score };
}

/** The two texts of a pair in the order the model was trained on. */
function modelInput(pair: VerificationPair, reading: Reading, classifier: SequenceClassifier): readonly [string, string] {
  const claim = pair.kind === 'supports' ? pair.sentence : pair.answer || pair.question;
  const first = pair.kind === 'supports' ? pair.sentence : pair.question;
  if (reading.kind === 'cross-encoder') return [first, pair.passage];
  // Premise first: truncation cuts a pair's end, which would be the hypothesis, so the premise is fitted instead.
  return [fitted(pair.passage, classifier.maxTokens - pairSpecialTokens - classifier.tokenCount(claim), classifier), claim];
}

/** `text` cut at a word boundary to at most `budget` tokens. */
function fitted(text: string, budget: number, classifier: SequenceClassifier): string {
  let kept = text;
  for (let attempt = 0; attempt < 4; attempt += 1) {
    const tokens = classifier.tokenCount(kept);
    if (tokens <= budget) return kept;
    const share = Math.max(0, budget) / tokens;
    const cut = kept.slice(0, Math.floor(kept.length * share * 0.95));
    kept = cut.includes(' ') ? cut.slice(0, cut.lastIndexOf(' ')) : cut;
  }
  return kept;
}

function probability(logits: number[], reading: Reading): number {
  if (reading.kind === 'nli') {
    if (logits.length <= reading.entailment) throw new Error(`it returns ${logits.length} logits per pair, fewer than its labels`);
    return softmax(logits)[reading.entailment]!;
  }
  if (logits.length === 1) return 1 / (1 + Math.exp(-logits[0]!));
  if (logits.length === 2) return softmax(logits)[1]!;
  throw new Error(
    `it returns ${logits.length} logits per pair and has no "entailment" label; a verifier is a cross-encoder (1 or 2 logits) or an NLI model`,
  );
}

function softmax(logits: number[]): number[] {
  const top = Math.max(...logits);
  const exponentials = logits.map((logit) => Math.exp(logit - top));
  const sum = exponentials.reduce((total, value) => total + value, 0);
  return exponentials.map((value) => value / sum);
}

/** "This verifier cannot be used", with the reason and the fix; start-up stops on it. */
function verifierLoadError(spec: string, reason: string, fix: string, cause?: unknown): OrioleError {
  const model = spec.replace(/^transformers:/, '');
  const sentence = reason.trim().replace(/[.\s]+$/, '');
  return new OrioleError('upstream_unavailable', `Could not load verifier model ${model}: ${sentence}. ${fix}`, {
    details: { verifier: spec },
    cause,
  });
}
