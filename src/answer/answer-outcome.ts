import type { AnswerEvent, AnswerLanguage, AnswerMode, Citation, Passage, RetrievalInfo } from '../core/index.ts';
import { safeMarkdown } from './answer-markup.ts';
import { abstentionAnswer, decideAbstention, type AbstentionDecision } from './abstention.ts';
import { resolveCitations, type ResolvedAnswer } from './citations.ts';
import { extractiveAnswer } from './extractive.ts';
import type { AnswerVoice } from './kb-answer-settings.ts';

/** What an answer is written from: the (standalone) question, its language and the retrieved passages. */
export interface Evidence {
  question: string;
  language: AnswerLanguage;
  passages: Passage[];
  info: RetrievalInfo;
  /** The KB's (or the request's) persona and abstention text; none: the built-in voice. */
  voice?: AnswerVoice;
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
}

/** The `model` of answers the extractive reader wrote. */
export const extractiveModelName = 'extractive';

/** The extractive reader's answer, or an abstention when it finds no supported sentence. */
export function extractiveOutcome(evidence: Evidence): GenerationOutcome {
  const extracted = extractiveAnswer(evidence.question, evidence.passages);
  const resolved = resolveCitations(safeMarkdown(extracted.text), evidence.passages);
  const decision = decideAbstention(abstentionEvidence(evidence, resolved, extracted.confidence));
  if (decision.abstain || resolved.text.length === 0) {
    return abstained(evidence, decision.abstain ? decision : { abstain: true, reason: 'unsupported' }, extractiveModelName, 'extractive');
  }
  return { text: resolved.text, resolved, decision, mode: 'extractive', model: extractiveModelName };
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

/** An abstention in the answer's language: the KB's own text when it set one, else the built-in one for the reason. */
export function abstained(
  evidence: Pick<Evidence, 'language' | 'voice'>,
  decision: AbstentionDecision,
  model: string,
  mode: AnswerMode,
): GenerationOutcome {
  const text = evidence.voice?.abstentionMessage ?? abstentionAnswer(evidence.language, decision.reason ?? 'unsupported');
  return { text, decision, mode, model };
}

/** A whole answer as one delta, then its citations, for answers that are not streamed token by token. */
export function* emitWhole(text: string, citations: Citation[]): Generator<AnswerEvent, void, undefined> {
  yield { type: 'delta', text };
  for (const citation of citations) yield { type: 'citation', citation };
}
