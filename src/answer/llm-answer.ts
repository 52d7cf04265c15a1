import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { isOrioleError, webUrlOrNull, type OrioleError, type TokenUsage } from '../core/index.ts';
import type { AnswerEvent, ChatTurn, Citation, Passage } from '../core/index.ts';
import { decideAbstention, isModelDecline, type AbstentionDecision } from './abstention.ts';
import {
  abstained,
  abstentionEvidence,
  assessAnswer,
  cappedForConflicts,
  conflictAbstention,
  emitWhole,
  extractiveOutcome,
  lowConfidence,
  outcomeConfidence,
  sourceConflicts,
  type Evidence,
  type GenerationOutcome,
} from './answer-outcome.ts';
import { createMarkupSanitizer, safeMarkdown } from './answer-markup.ts';
import { stripMarkers } from './citation-markers.ts';
import { resolveCitations } from './citations.ts';
import { streamGeneration } from './generation/index.ts';
import { groundedAnswerMessages } from './prompt.ts';
import { conflictNote } from './source-conflicts.ts';
import { createMarkerRewriter } from './stream-markers.ts';
import { createSupportGate } from './supported-sentences.ts';
import { supportingSpan } from './support.ts';

export interface LlmAnswerDependencies {
  chatModel: BaseChatModel;
  /** Reported as the answer's `model`: the LLM spec ('openai:gpt-4o-mini'). */
  modelName: string;
  /** The whole generation, retries included; past it the extractive answer is served. */
  generationTimeoutMs: number;
  /** From request to first token; a model slower than this is treated as down. */
  firstTokenTimeoutMs: number;
  /** Told when the LLM failed and the extractive reader answered instead (for the log). */
  onGenerationFailure?: (error: OrioleError) => void;
  /** Told the token counts the model reports for the generation. */
  onUsage?: (usage: TokenUsage) => void;
}

/**
 * The LLM's answer, streamed as deltas and provisional citations with checked markers;
 * the extractive answer when the LLM is unavailable. Returns the outcome `done` reports.
 */
export async function* streamLlmAnswer(
  evidence: Evidence,
  question: string,
  history: ChatTurn[],
  signal: AbortSignal | undefined,
  llm: LlmAnswerDependencies,
): AsyncGenerator<AnswerEvent, GenerationOutcome, undefined> {
  const answer = createAnswerPipeline(evidence.passages);
  const messages = groundedAnswerMessages({
    question,
    passages: evidence.passages,
    history,
    language: evidence.language,
    ...(evidence.voice?.persona ? { persona: evidence.voice.persona } : {}),
    languageFixed: evidence.voice?.languageFixed ?? false,
  });
  let raw = '';
  let streamed = '';
  let pushed = 0;
  let decided = false;
  const emit = function* (delta: { text: string; newCitations: Array<{ index: number; passageIndex: number }> }) {
    if (delta.text.length > 0) {
      streamed += delta.text;
      yield { type: 'delta', text: delta.text } as const;
    }
    for (const { index, passageIndex } of delta.newCitations) {
      yield { type: 'citation', citation: provisionalCitation(index, evidence.passages[passageIndex]!, streamed) } as const;
    }
  };
  try {
    for await (const text of streamGeneration(llm.chatModel, messages, {
      timeoutMs: llm.generationTimeoutMs,
      firstTokenTimeoutMs: llm.firstTokenTimeoutMs,
      ...(signal ? { signal } : {}),
      ...(llm.onUsage ? { onUsage: llm.onUsage } : {}),
    })) {
      raw += text;
      // A decline is not streamed as if it were an answer: the opening is held until it is clear.
      if (!decided) {
        if (couldBeDecline(raw)) continue;
        decided = true;
      }
      yield* emit(answer.push(raw.slice(pushed)));
      pushed = raw.length;
    }
  } catch (error) {
    if (signal?.aborted) throw error;
    if (!isOrioleError(error) || error.code !== 'upstream_unavailable') throw error;
    llm.onGenerationFailure?.(error);
    const fallback = extractiveOutcome(evidence);
    // The client may have seen part of the failed answer; `done` carries the whole extractive one.
    if (streamed.length === 0) yield* emitWhole(fallback.resolved?.text ?? fallback.text, fallback.resolved?.citations ?? []);
    return fallback;
  }
  if (isModelDecline(raw, evidence.language)) {
    const decision: AbstentionDecision = { abstain: true, reason: 'model_declined' };
    const outcome = abstained(evidence, decision, llm.modelName, 'generative');
    if (streamed.length === 0) yield { type: 'delta', text: outcome.text };
    return outcome;
  }
  yield* emit(answer.push(raw.slice(pushed)));
  yield* emit(answer.flush());
  const droppedSentences = answer.droppedSentences();
  const resolved = resolveCitations(answer.keptText(), evidence.passages);
  // The model's answer is assessed as it will be served; when nothing of it survived, abstained() assesses the reader's instead.
  const assessment = resolved.text.length === 0 ? undefined : assessAnswer(evidence, resolved);
  const checked: AbstentionDecision =
    resolved.text.length === 0 ? { abstain: true, reason: 'unsupported' } : decideAbstention(abstentionEvidence(evidence, resolved));
  // Nothing of the model's answer survived: the client sees the abstention, not an empty answer.
  const withheld = function* (outcome: GenerationOutcome) {
    if (streamed.length === 0) yield { type: 'delta', text: outcome.text } as const;
    return outcome;
  };
  if (checked.abstain || assessment === undefined) {
    return yield* withheld({ ...abstained(evidence, checked, llm.modelName, 'generative', assessment), droppedSentences });
  }
  // Sources that disagree on the value asked (source-conflicts.ts): unless the model said both, a withheld answer or a note.
  const conflicts = sourceConflicts(evidence, resolved);
  if (conflicts.action === 'abstain') {
    return yield* withheld({ ...conflictAbstention(evidence, conflicts.conflicts, llm.modelName, 'generative', assessment), droppedSentences });
  }
  const trusted = conflicts.action === 'note' ? cappedForConflicts(assessment, conflicts.conflicts) : assessment;
  const tooUnsure = lowConfidence(evidence, trusted.confidence);
  const noted = conflicts.action === 'note' ? { conflicts: conflicts.conflicts } : {};
  if (tooUnsure) return yield* withheld({ ...abstained(evidence, tooUnsure, llm.modelName, 'generative', trusted), droppedSentences, ...noted });
  let served = resolved;
  if (conflicts.action === 'note') {
    yield* emit(answer.append(`\n\n${conflictNote(conflicts.unstated, evidence.language)}`));
    served = resolveCitations(answer.keptText(), evidence.passages);
  }
  return { text: served.text, resolved: served, decision: checked, mode: 'generative', model: llm.modelName, droppedSentences, ...outcomeConfidence(trusted), ...noted };
}

/**
 * What the model writes on its way to the client, in order: unsafe links and HTML
 * removed (safeMarkdown, holding an incomplete link back), unsupported sentences
 * dropped (createSupportGate, sentence by sentence), markers renumbered
 * (createMarkerRewriter). The kept text is what resolveCitations turns into `done`.
 */
function createAnswerPipeline(passages: readonly Passage[]) {
  const markup = createMarkupSanitizer();
  const gate = createSupportGate(passages);
  const rewriter = createMarkerRewriter(passages);
  let appended = '';
  return {
    push: (text: string) => rewriter.push(gate.push(markup.push(text))),
    flush: () => {
      const lastOfGate = gate.push(markup.flush()) + gate.flush();
      const rewritten = rewriter.push(lastOfGate);
      const rest = rewriter.flush();
      return { text: rewritten.text + rest.text, newCitations: [...rewritten.newCitations, ...rest.newCitations] };
    },
    /**
     * Text of Oriole's own added after the model's (the note on sources that disagree):
     * made of quotes of the passages it cites, so not held to the support gate, but
     * sanitised and renumbered like the rest.
     */
    append: (text: string) => {
      const safe = safeMarkdown(text);
      appended += safe;
      const rewritten = rewriter.push(safe);
      const rest = rewriter.flush();
      return { text: rewritten.text + rest.text, newCitations: [...rewritten.newCitations, ...rest.newCitations] };
    },
    keptText: () => gate.keptText + appended,
    droppedSentences: () => gate.dropped,
  };
}

/** The citation event sent as a marker streams; `done` carries the checked list. */
function provisionalCitation(index: number, passage: Passage, textSoFar: string): Citation {
  const sentence = textSoFar.split(/(?<=[.!?。！？\n])/u).filter((part) => stripMarkers(part).trim().length > 0).at(-1) ?? '';
  return {
    index,
    documentId: passage.documentId,
    chunkId: passage.chunkId,
    source: passage.source,
    title: passage.title,
    url: webUrlOrNull(passage.url),
    heading: passage.heading,
    page: passage.pages[0] ?? null,
    snippet: supportingSpan(stripMarkers(sentence), passage.text),
    score: passage.score,
    supported: false,
  };
}

/** Whether the text so far could still turn out to be the model's "I don't know". */
function couldBeDecline(text: string): boolean {
  const opening = text.trim().toLowerCase().replace(/[’`]/g, "'");
  if (opening.length > declineHoldCharacters) return false;
  return opening.length === 0 || declineOpenings.some((decline) => decline.startsWith(opening) || opening.startsWith(decline));
}

/** Openings of a decline ("I don't know", "我不知道"); an answer that starts otherwise streams at once. */
const declineOpenings = ["i don't know", 'i do not know', "i couldn't find", 'i could not find', 'sorry', '我不知道', '抱歉', '很抱歉'];
/** Text held back at most while it may be a decline; longer text is an answer. */
const declineHoldCharacters = 48;
