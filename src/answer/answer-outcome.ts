import type { AnswerEvent, AnswerLanguage, AnswerMode, Citation, Passage, RetrievalInfo } from '../core/index.ts';
import { safeMarkdown } from './answer-markup.ts';
import { abstentionAnswer, decideAbstention, type AbstentionDecision } from './abstention.ts';
import { resolveCitations, type ResolvedAnswer } from './citations.ts';
import { confidenceFeatures, confidenceFromFeatures, type ConfidenceFeatures } from './confidence.ts';
import { extractiveAnswer } from './extractive.ts';
import type { AnswerVoice } from './kb-answer-settings.ts';
import {
  askedValueKinds,
  conflictConfidenceCap,
  conflictDetail,
  conflictNote,
  findSourceConflicts,
  quotedStatements,
  resolveSourceConflicts,
  type ConflictResolution,
  type DetectedConflict,
} from './source-conflicts.ts';

/** What an answer is written from: the (standalone) question, its language and the retrieved passages. */
export interface Evidence {
  question: string;
  language: AnswerLanguage;
  passages: Passage[];
  info: RetrievalInfo;
  /** The KB's (or the request's) persona and abstention text; none: the built-in voice. */
  voice?: AnswerVoice;
  /** Below this `confidence` the answer is withheld (`low_confidence`); undefined: never for that reason. */
  minConfidence?: number;
}

/** How far an answer is to be trusted: its `confidence` and the evidence features it came from. */
export interface Assessment {
  confidence: number;
  features?: ConfidenceFeatures;
}

/** How an answer came out: its text, checked citations, abstention decision, and who wrote it. */
export interface GenerationOutcome {
  text: string;
  resolved?: ResolvedAnswer;
  decision?: AbstentionDecision;
  mode: AnswerMode;
  model: string;
  /** Generated sentences dropped before they reached the client because no retrieved passage supports them. */
  droppedSentences?: number;
  /**
   * The estimated probability that the answer is correct and supported (confidence.ts). On an
   * abstention, the same estimate for the answer that was withheld (the model's answer when it
   * wrote one, else the extractive reader's answer on the same passages); 0 without passages.
   */
  confidence: number;
  /** The evidence features behind `confidence`, for evals and refitting; not part of the response. */
  confidenceFeatures?: ConfidenceFeatures;
  /** Sources of the answer that disagree on the value asked: noted in the answer, or why it abstained (source-conflicts.ts). */
  conflicts?: DetectedConflict[];
}

/** The `model` of answers the extractive reader wrote. */
export const extractiveModelName = 'extractive';

/**
 * The extractive reader's answer, or an abstention when it finds no supported sentence.
 * When its sources disagree on the value asked (source-conflicts.ts) it abstains with
 * `conflicting_sources`, or ends with a note quoting the other value, by the rule of
 * resolveSourceConflicts.
 */
export function extractiveOutcome(evidence: Evidence): GenerationOutcome {
  const { extracted, resolved, readerConfidence } = extractiveResolved(evidence);
  const assessment = assessAnswer(evidence, resolved);
  const decision = decideAbstention(abstentionEvidence(evidence, resolved, readerConfidence));
  if (decision.abstain || resolved.text.length === 0) {
    const declined = decision.abstain ? decision : ({ abstain: true, reason: 'unsupported' } as const);
    return abstained(evidence, declined, extractiveModelName, 'extractive', assessment);
  }
  const resolution = sourceConflicts(evidence, resolved);
  if (resolution.action === 'abstain') return conflictAbstention(evidence, resolution.conflicts, extractiveModelName, 'extractive', assessment);
  const conflicts = resolution.action === 'note' ? { conflicts: resolution.conflicts } : {};
  const trusted = resolution.action === 'note' ? cappedForConflicts(assessment, resolution.conflicts) : assessment;
  const tooUnsure = lowConfidence(evidence, trusted.confidence);
  if (tooUnsure) return { ...abstained(evidence, tooUnsure, extractiveModelName, 'extractive', trusted), ...conflicts };
  const answer = resolution.action === 'note' ? resolveCitations(safeMarkdown(notedAnswer(extracted.text, resolution, evidence.language)), evidence.passages) : resolved;
  return { text: answer.text, resolved: answer, decision, mode: 'extractive', model: extractiveModelName, ...outcomeConfidence(trusted), ...conflicts };
}

/**
 * The reader's answer with the note on the values it does not state; when it states a
 * value fewer documents give, the answer is the statement of the value most give, then
 * the note quoting the others (the reader's among them).
 */
function notedAnswer(text: string, resolution: Extract<ConflictResolution, { action: 'note' }>, language: Evidence['language']): string {
  if (resolution.answerStatesPreferred) return `${text}\n\n${conflictNote(resolution.unstated, language)}`;
  return `${quotedStatements(resolution.preferred, language)}\n\n${conflictNote(resolution.others, language)}`;
}

function extractiveResolved(evidence: Evidence) {
  const extracted = extractiveAnswer(evidence.question, evidence.passages);
  return { extracted, resolved: resolveCitations(safeMarkdown(extracted.text), evidence.passages), readerConfidence: extracted.confidence };
}

/** What the answer does about its cited documents disagreeing with the other top passages (resolveSourceConflicts). */
export function sourceConflicts(evidence: Evidence, resolved: ResolvedAnswer): ConflictResolution {
  const conflicts = findSourceConflicts({
    question: evidence.question,
    passages: evidence.passages,
    citedDocumentIds: resolved.citations.map((citation) => citation.documentId),
  });
  return resolveSourceConflicts(conflicts, resolved.text);
}

/**
 * Before a model is asked: when the passages the extractive reader would cite disagree
 * with the other top passages on the value asked and none can be preferred, the answer
 * is withheld (`conflicting_sources`) without a model call, as a generated answer from
 * them would be.
 */
export function conflictBeforeGenerating(evidence: Evidence): GenerationOutcome | undefined {
  if (askedValueKinds(evidence.question).length === 0) return undefined;
  const { resolved } = extractiveResolved(evidence);
  if (resolved.citations.length === 0) return undefined;
  const resolution = sourceConflicts(evidence, { ...resolved, text: '' });
  if (resolution.action !== 'abstain') return undefined;
  return conflictAbstention(evidence, resolution.conflicts, extractiveModelName, 'extractive', assessAnswer(evidence, resolved));
}

/** The `conflicting_sources` abstention, its confidence that of the answer withheld, capped for the disagreement. */
export function conflictAbstention(
  evidence: Evidence,
  conflicts: DetectedConflict[],
  model: string,
  mode: AnswerMode,
  withheld: Assessment,
): GenerationOutcome {
  const decision: AbstentionDecision = { abstain: true, reason: 'conflicting_sources', detail: conflictDetail(conflicts) };
  return { ...abstained(evidence, decision, model, mode, cappedForConflicts(withheld, conflicts)), conflicts };
}

/** An answer whose sources disagree is trusted at most 1/k for k values stated (conflictConfidenceCap), whatever the fitted model says. */
export function cappedForConflicts(assessment: Assessment, conflicts: readonly DetectedConflict[]): Assessment {
  return { ...assessment, confidence: Math.min(assessment.confidence, conflictConfidenceCap(conflicts)) };
}

/** The confidence of an answer with these checked sentences and citations (confidence.ts). */
export function assessAnswer(evidence: Evidence, resolved: ResolvedAnswer): Assessment {
  if (evidence.passages.length === 0) return { confidence: 0 };
  const features = confidenceFeatures({
    question: evidence.question,
    questionTerms: evidence.info.queryTerms,
    matchedTerms: evidence.info.matchedTerms,
    passages: evidence.passages,
    sentences: resolved.sentences,
    citations: resolved.citations,
  });
  return { confidence: confidenceFromFeatures(features), features };
}

/**
 * An answer confident enough by every other check is still withheld when its confidence
 * is under the KB's minConfidence: the operator chose fewer answers over wrong ones.
 */
export function lowConfidence(evidence: Evidence, confidence: number): AbstentionDecision | undefined {
  if (evidence.minConfidence === undefined || confidence >= evidence.minConfidence) return undefined;
  return { abstain: true, reason: 'low_confidence', detail: `confidence ${confidence.toFixed(2)} < ${evidence.minConfidence}` };
}

export function outcomeConfidence(assessment: Assessment): Pick<GenerationOutcome, 'confidence' | 'confidenceFeatures'> {
  return { confidence: assessment.confidence, ...(assessment.features ? { confidenceFeatures: assessment.features } : {}) };
}

export function abstentionEvidence(evidence: Evidence, resolved: ResolvedAnswer | undefined, readerConfidence?: number) {
  return {
    questionTerms: evidence.info.queryTerms,
    matchedTerms: evidence.info.matchedTerms,
    passages: evidence.passages,
    ...(resolved ? { sentences: resolved.sentences } : {}),
    ...(readerConfidence !== undefined ? { readerConfidence } : {}),
  };
}

/**
 * An abstention in the answer's language: the KB's own text when it set one, else the
 * built-in one for the reason. Its confidence is the estimate for the answer withheld
 * (`withheld`), else for the extractive reader's answer on the same passages.
 */
export function abstained(
  evidence: Evidence,
  decision: AbstentionDecision,
  model: string,
  mode: AnswerMode,
  withheld?: Assessment,
): GenerationOutcome {
  const text = evidence.voice?.abstentionMessage ?? abstentionAnswer(evidence.language, decision.reason ?? 'unsupported');
  const assessment = withheld ?? assessAnswer(evidence, extractiveResolved(evidence).resolved);
  return { text, decision, mode, model, ...outcomeConfidence(assessment) };
}

/** A whole answer as one delta, then its citations, for answers that are not streamed token by token. */
export function* emitWhole(text: string, citations: Citation[]): Generator<AnswerEvent, void, undefined> {
  yield { type: 'delta', text };
  for (const citation of citations) yield { type: 'citation', citation };
}
