import type { Passage, VerificationPair, Verifier } from '../core/index.ts';
import { lexicalTerms } from '../retrieval/index.ts';
import { decideAbstention } from './abstention.ts';
import { abstained, abstentionEvidence, lowConfidence, type Evidence, type GenerationOutcome } from './answer-outcome.ts';
import type { ResolvedAnswer } from './citations.ts';
import { sigmoid } from './confidence.ts';
import { claimText } from './support.ts';
import { conflictConfidenceCap } from './source-conflicts.ts';
import { verifierBlend } from './verifier-blend.ts';

/**
 * The verifier's pass over a written answer (ORIOLE_VERIFIER; docs/answers.md, "Verifier").
 * One call scores, together:
 * - the question against the answer's top cited passage (the best-ranked passage of a cited
 *   document): that score joins `confidence` through a fixed logistic blend (verifier-blend.ts);
 * - each cited sentence that passed the lexical check against the passages of the documents
 *   it cites: under verifierSupportThreshold it is marked unsupported, and so is every
 *   citation it makes, as the lexical check marks them (citations.ts).
 * The answer is then decided again as the lexical checks decide it: too few supported
 * sentences → `unsupported`; confidence under minConfidence → `low_confidence`.
 * Abstentions and answers without citations are left as they are: there is nothing cited to check.
 * A verifier that fails or takes longer than `timeoutMs` changes nothing: the answer goes on.
 */

/** A cited sentence the verifier scores under this is unsupported by its passages. */
export const verifierSupportThreshold = 0.5;
/** Scores are kept off 0 and 1 before their log-odds are taken. */
const probabilityFloor = 0.001;

export type VerificationResult = 'verified' | 'timeout' | 'error';

export interface AnswerVerification {
  verifier: Verifier;
  /** What verifying may add to an answer (ORIOLE_VERIFIER_TIMEOUT_MS). */
  timeoutMs: number;
  /** Told how each verification went, for metrics and the log. */
  onResult?: (result: VerificationResult, error?: unknown) => void;
}

export interface VerifiedOutcome {
  outcome: GenerationOutcome;
  /** The verifier's score for the question and the top cited passage; absent when it did not run. */
  answerability?: number;
}

/** How the blend is weighted (verifier-blend.ts holds the shipped weights). */
export type VerifierBlend = typeof verifierBlend;

/** The blend of the evidence model's confidence and a verifier's answerability score, in [0,1]. */
export function blendConfidence(confidence: number, answerability: number, blend: VerifierBlend = verifierBlend): number {
  const logit = blend.intercept + blend.confidenceWeight * logOdds(confidence) + blend.verifierWeight * logOdds(answerability);
  return Math.round(sigmoid(logit) * 1000) / 1000;
}

export function logOdds(probability: number): number {
  const kept = Math.min(1 - probabilityFloor, Math.max(probabilityFloor, probability));
  return Math.log(kept / (1 - kept));
}

export async function verifyOutcome(
  outcome: GenerationOutcome,
  evidence: Evidence,
  verification: AnswerVerification,
  signal?: AbortSignal,
): Promise<VerifiedOutcome> {
  const resolved = outcome.resolved;
  if (outcome.decision?.abstain || !resolved || resolved.citations.length === 0) return { outcome };
  const plan = verificationPlan(evidence.question, evidence.passages, resolved);
  if (!plan) return { outcome };
  let scores: number[];
  try {
    scores = await withinBudget((budget) => verification.verifier.score(plan.pairs, budget), verification.timeoutMs, signal);
  } catch (error) {
    if (signal?.aborted) throw error;
    verification.onResult?.(error instanceof VerifierTimeout ? 'timeout' : 'error', error);
    return { outcome };
  }
  verification.onResult?.('verified');
  const [answerability = 0.5, ...sentenceScores] = scores;
  const rejected = new Set(plan.sentenceIndexes.filter((_, position) => (sentenceScores[position] ?? 1) < verifierSupportThreshold));
  const checked = withRejectedSentences(resolved, rejected);
  // A verifier's "yes" says the passage answers; it cannot settle which of two disagreeing sources is right.
  const blended = blendConfidence(outcome.confidence, answerability);
  const confidence = outcome.conflicts?.length ? Math.min(blended, conflictConfidenceCap(outcome.conflicts)) : blended;
  const assessment = { confidence, ...(outcome.confidenceFeatures ? { features: outcome.confidenceFeatures } : {}) };
  const decision = decideAbstention(abstentionEvidence(evidence, checked));
  const withheld = decision.abstain ? decision : lowConfidence(evidence, confidence);
  if (withheld) {
    const dropped = outcome.droppedSentences !== undefined ? { droppedSentences: outcome.droppedSentences } : {};
    return { outcome: { ...abstained(evidence, withheld, outcome.model, outcome.mode, assessment), ...dropped }, answerability };
  }
  return { outcome: { ...outcome, resolved: checked, confidence }, answerability };
}

interface VerificationPlan {
  /** The answerability pair first, then one pair per sentence in `sentenceIndexes`. */
  pairs: VerificationPair[];
  sentenceIndexes: number[];
}

function verificationPlan(question: string, passages: readonly Passage[], resolved: ResolvedAnswer): VerificationPlan | undefined {
  const documentOf = new Map(resolved.citations.map((citation) => [citation.index, citation.documentId]));
  const cited = new Set(documentOf.values());
  const top = passages.find((passage) => cited.has(passage.documentId));
  if (!top) return undefined;
  const topIndex = resolved.citations.find((citation) => citation.documentId === top.documentId)!.index;
  const answer = resolved.sentences
    .filter((sentence) => sentence.citationIndexes.includes(topIndex))
    .map((sentence) => sentence.text)
    .join(' ');
  const pairs: VerificationPair[] = [{ kind: 'answers', question, answer, passage: top.text }];
  const sentenceIndexes: number[] = [];
  resolved.sentences.forEach((sentence, index) => {
    // Sentences the lexical check rejected stay rejected, and those with no claim ("Here's how:") need no check.
    if (!sentence.supported || sentence.citationIndexes.length === 0 || lexicalTerms(claimText(sentence.text)).length === 0) return;
    // Each cited document's retrieved chunks in document order, as resolveCitations reads them.
    const passage = [...new Set(sentence.citationIndexes.map((citationIndex) => documentOf.get(citationIndex)))]
      .flatMap((documentId) => passages.filter((candidate) => candidate.documentId === documentId).sort((left, right) => left.ordinal - right.ordinal))
      .map((candidate) => candidate.text)
      .join('\n\n');
    pairs.push({ kind: 'supports', sentence: claimText(sentence.text), passage });
    sentenceIndexes.push(index);
  });
  return { pairs, sentenceIndexes };
}

/** The answer with the rejected sentences unsupported, and every citation they make. */
function withRejectedSentences(resolved: ResolvedAnswer, rejected: ReadonlySet<number>): ResolvedAnswer {
  if (rejected.size === 0) return resolved;
  const sentences = resolved.sentences.map((sentence, index) => (rejected.has(index) ? { ...sentence, supported: false } : sentence));
  const refuted = new Set([...rejected].flatMap((index) => resolved.sentences[index]!.citationIndexes));
  const citations = resolved.citations.map((citation) => (refuted.has(citation.index) ? { ...citation, supported: false } : citation));
  return { ...resolved, sentences, citations };
}

class VerifierTimeout extends Error {
  constructor(milliseconds: number) {
    super(`the verifier took longer than ${milliseconds} ms`);
    this.name = 'VerifierTimeout';
  }
}

/** `work`'s result, or a VerifierTimeout after `timeoutMs`; `work` is told to stop then (or when the caller aborts). */
function withinBudget<T>(work: (signal: AbortSignal) => Promise<T>, timeoutMs: number, caller?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const budget = new AbortController();
    const stop = (reason: unknown) => {
      finish();
      budget.abort(reason);
      reject(reason);
    };
    const onCallerAbort = () => stop(caller!.reason);
    const timer = setTimeout(() => stop(new VerifierTimeout(timeoutMs)), timeoutMs);
    const finish = () => {
      clearTimeout(timer);
      caller?.removeEventListener('abort', onCallerAbort);
    };
    if (caller?.aborted) return onCallerAbort();
    caller?.addEventListener('abort', onCallerAbort, { once: true });
    work(budget.signal).then(
      (value) => {
        finish();
        resolve(value);
      },
      (error: unknown) => {
        finish();
        reject(error);
      },
    );
  });
}
