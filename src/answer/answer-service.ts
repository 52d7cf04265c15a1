import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { isOrioleError, OrioleError } from '../core/index.ts';
import type {
  AnswerEvent,
  AnswerLanguage,
  AnswerMode,
  AnswerRequest,
  AnswerResponse,
  ChatTurn,
  Citation,
  Passage,
  RetrievalInfo,
  RetrievalResult,
  Retriever,
  SearchFilters,
} from '../core/index.ts';
import { getKnowledgeBase, logAnswer, type Database, type KnowledgeBase } from '../db/index.ts';
import { abstentionAnswer, decideAbstention, isModelDecline, type AbstentionDecision } from './abstention.ts';
import { stripMarkers } from './citation-markers.ts';
import { resolveCitations, type ResolvedAnswer } from './citations.ts';
import { extractiveAnswer } from './extractive.ts';
import { followUpRewriteMessages, isFollowUp, rewriteFollowUp } from './follow-up.ts';
import { generateText, streamGeneration } from './generation/index.ts';
import { detectLanguage } from './language.ts';
import { groundedAnswerMessages } from './prompt.ts';
import { createMarkerRewriter } from './stream-markers.ts';
import { supportingSpan } from './support.ts';

export interface AnswerSettings {
  /** Passages retrieved for an answer when the request names no topK. */
  defaultTopK: number;
  /** The whole generation, retries included; past it the extractive answer is served. */
  generationTimeoutMs: number;
  /** From request to first token; a model slower than this is treated as down. */
  firstTokenTimeoutMs: number;
  /** The LLM rewrite of a follow-up; past it the heuristic rewrite is used. */
  rewriteTimeoutMs: number;
}

export const defaultAnswerSettings: AnswerSettings = {
  defaultTopK: 5,
  generationTimeoutMs: 30_000,
  firstTokenTimeoutMs: 10_000,
  rewriteTimeoutMs: 5_000,
};

export interface AnswerServiceDependencies {
  database: Database;
  retriever: Retriever;
  /** The LLM; null answers extractively. */
  chatModel: BaseChatModel | null;
  /** Reported as each answer's `model`: the LLM spec ('openai:gpt-4o-mini'). */
  modelName: string;
  defaultKb: string;
  settings?: Partial<AnswerSettings>;
  /** Told when the LLM failed and the extractive reader answered instead (for the log). */
  onGenerationFailure?: (error: OrioleError) => void;
  /** Told about each answer as it is served (`done`), for metrics; `kb` is the knowledge base's name. */
  onAnswered?: (answered: { request: AnswerRequest; response: AnswerResponse; kb: string }) => void;
}

export interface SearchRequest {
  query: string;
  kb?: string;
  topK: number;
  filters?: SearchFilters;
}

export interface AnswerService {
  search(request: SearchRequest): Promise<RetrievalResult>;
  /** The answer events in order: sources, delta/citation…, done (or an error thrown). */
  stream(request: AnswerRequest, signal?: AbortSignal): AsyncGenerator<AnswerEvent, void, undefined>;
  answer(request: AnswerRequest, signal?: AbortSignal): Promise<AnswerResponse>;
  /** The knowledge base requests without `kb` use. */
  readonly defaultKb: string;
}

const extractiveModelName = 'extractive';

/** Retrieve → (rewrite) → generate or extract → check citations → abstain or answer → log. */
export function createAnswerService(dependencies: AnswerServiceDependencies): AnswerService {
  const settings = { ...defaultAnswerSettings, ...dependencies.settings };
  const { database, retriever, chatModel } = dependencies;

  const knowledgeBase = (name: string | undefined) => getKnowledgeBase(database, name ?? dependencies.defaultKb);
  const retrievalKb = (kb: KnowledgeBase) => ({ id: kb.id, name: kb.name, embedder: kb.embedder });

  async function standaloneQuery(question: string, history: ChatTurn[], signal: AbortSignal | undefined): Promise<string> {
    if (!isFollowUp(question, history)) return question;
    if (chatModel) {
      try {
        const rewritten = await generateText(chatModel, followUpRewriteMessages(question, history), {
          timeoutMs: settings.rewriteTimeoutMs,
          maxAttempts: 1,
          ...(signal ? { signal } : {}),
        });
        const cleaned = rewritten.trim().replace(/^["“「]|["”」]$/g, '');
        const usable = cleaned.length > 0 && cleaned.length <= question.length * 4 + 300 && !isModelDecline(cleaned, detectLanguage(question));
        if (usable) return cleaned;
      } catch (error) {
        if (signal?.aborted) throw error;
        if (isOrioleError(error)) dependencies.onGenerationFailure?.(error);
      }
    }
    return rewriteFollowUp(question, history);
  }

  async function* stream(request: AnswerRequest, signal?: AbortSignal): AsyncGenerator<AnswerEvent, void, undefined> {
    const started = performance.now();
    const history = request.history ?? [];
    const kb = await knowledgeBase(request.kb);
    const language = detectLanguage(request.question);
    const query = await standaloneQuery(request.question, history, signal);
    const retrieval = await retriever.retrieve({
      kb: retrievalKb(kb),
      query,
      topK: request.topK ?? settings.defaultTopK,
      ...(request.filters ? { filters: request.filters } : {}),
    });
    const retrievalMs = performance.now() - started;
    const { passages } = retrieval;
    yield { type: 'sources', passages };

    const evidence = { question: query, language, passages, info: retrieval.info };
    const generationStarted = performance.now();
    let outcome: GenerationOutcome;
    const before = decideAbstention(abstentionEvidence(evidence, undefined));
    if (before.abstain) {
      outcome = abstained(language, before, extractiveModelName, 'extractive');
      yield { type: 'delta', text: outcome.text };
    } else if (chatModel) {
      outcome = yield* generate(evidence, request.question, history, signal);
    } else {
      outcome = extract(evidence);
      yield* emitWhole(outcome.resolved?.text ?? outcome.text, outcome.resolved?.citations ?? []);
    }
    const generationMs = performance.now() - generationStarted;

    const response: AnswerResponse = {
      answerId: randomUUID(),
      answer: outcome.resolved?.text ?? outcome.text,
      grounded: isGrounded(outcome),
      abstained: outcome.decision?.abstain ?? false,
      ...(outcome.decision?.abstain && outcome.decision.reason ? { reason: outcome.decision.reason } : {}),
      citations: outcome.resolved?.citations ?? [],
      mode: outcome.mode,
      model: outcome.model,
      kbVersion: kb.version,
      timings: {
        retrievalMs: round(retrievalMs),
        generationMs: round(generationMs),
        totalMs: round(performance.now() - started),
      },
      retrieval: retrieval.info,
    };
    await logAnswer(database, {
      id: response.answerId,
      kbId: kb.id,
      kbVersion: kb.version,
      question: request.question,
      history,
      answer: response.answer,
      abstained: response.abstained,
      reason: response.reason ?? null,
      mode: response.mode,
      model: response.model,
      citations: response.citations,
      retrieval: {
        ...retrieval.info,
        passages: passages.map((passage) => ({ chunkId: passage.chunkId, source: passage.source, score: passage.score })),
      },
      timings: { ...response.timings },
      userId: request.metadata?.userId ?? null,
      channel: request.metadata?.channel ?? null,
    });
    dependencies.onAnswered?.({ request, response, kb: kb.name });
    yield { type: 'done', response };
  }

  /** The LLM's answer, streamed with checked markers; the extractive answer when the LLM fails. */
  async function* generate(
    evidence: Evidence,
    question: string,
    history: ChatTurn[],
    signal: AbortSignal | undefined,
  ): AsyncGenerator<AnswerEvent, GenerationOutcome, undefined> {
    const rewriter = createMarkerRewriter(evidence.passages);
    const messages = groundedAnswerMessages({ question, passages: evidence.passages, history, language: evidence.language });
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
      for await (const text of streamGeneration(chatModel!, messages, {
        timeoutMs: settings.generationTimeoutMs,
        firstTokenTimeoutMs: settings.firstTokenTimeoutMs,
        ...(signal ? { signal } : {}),
      })) {
        raw += text;
        // A decline is not streamed as if it were an answer: the opening is held until it is clear.
        if (!decided) {
          if (couldBeDecline(raw)) continue;
          decided = true;
        }
        yield* emit(rewriter.push(raw.slice(pushed)));
        pushed = raw.length;
      }
    } catch (error) {
      if (signal?.aborted) throw error;
      if (!isOrioleError(error) || error.code !== 'upstream_unavailable') throw error;
      dependencies.onGenerationFailure?.(error);
      const fallback = extract(evidence);
      // The client may have seen part of the failed answer; `done` carries the whole extractive one.
      if (streamed.length === 0) yield* emitWhole(fallback.resolved?.text ?? fallback.text, fallback.resolved?.citations ?? []);
      return fallback;
    }
    if (isModelDecline(raw, evidence.language)) {
      const decision: AbstentionDecision = { abstain: true, reason: 'model_declined' };
      const outcome = abstained(evidence.language, decision, dependencies.modelName, 'generative');
      if (streamed.length === 0) yield { type: 'delta', text: outcome.text };
      return outcome;
    }
    yield* emit(rewriter.push(raw.slice(pushed)));
    yield* emit(rewriter.flush());
    const resolved = resolveCitations(raw, evidence.passages);
    const decision = decideAbstention(abstentionEvidence(evidence, resolved));
    if (decision.abstain) return abstained(evidence.language, decision, dependencies.modelName, 'generative');
    return { text: resolved.text, resolved, decision, mode: 'generative', model: dependencies.modelName };
  }

  function extract(evidence: Evidence): GenerationOutcome {
    const extracted = extractiveAnswer(evidence.question, evidence.passages);
    const resolved = resolveCitations(extracted.text, evidence.passages);
    const decision = decideAbstention(abstentionEvidence(evidence, resolved, extracted.confidence));
    if (decision.abstain || resolved.text.length === 0) {
      return abstained(evidence.language, decision.abstain ? decision : { abstain: true, reason: 'unsupported' }, extractiveModelName, 'extractive');
    }
    return { text: resolved.text, resolved, decision, mode: 'extractive', model: extractiveModelName };
  }

  return {
    defaultKb: dependencies.defaultKb,
    async search(request) {
      const kb = await knowledgeBase(request.kb);
      return retriever.retrieve({ kb: retrievalKb(kb), query: request.query, topK: request.topK, ...(request.filters ? { filters: request.filters } : {}) });
    },
    stream,
    async answer(request, signal) {
      for await (const event of stream(request, signal)) {
        if (event.type === 'done') return event.response;
      }
      throw new OrioleError('internal', 'The answer stream ended without a response');
    },
  };
}

interface Evidence {
  question: string;
  language: AnswerLanguage;
  passages: Passage[];
  info: RetrievalInfo;
}

interface GenerationOutcome {
  text: string;
  resolved?: ResolvedAnswer;
  decision?: AbstentionDecision;
  mode: AnswerMode;
  model: string;
}

function abstentionEvidence(evidence: Evidence, resolved: ResolvedAnswer | undefined, readerConfidence?: number) {
  return {
    questionTerms: evidence.info.queryTerms,
    matchedTerms: evidence.info.matchedTerms,
    passages: evidence.passages,
    ...(resolved ? { sentences: resolved.sentences } : {}),
    ...(readerConfidence !== undefined ? { readerConfidence } : {}),
  };
}

function abstained(language: AnswerLanguage, decision: AbstentionDecision, model: string, mode: AnswerMode): GenerationOutcome {
  return { text: abstentionAnswer(language, decision.reason ?? 'unsupported'), decision, mode, model };
}

/** Grounded: an answer, not an abstention, whose every citation was checked to support it. */
function isGrounded(outcome: GenerationOutcome): boolean {
  if (outcome.decision?.abstain) return false;
  const citations = outcome.resolved?.citations ?? [];
  return citations.length > 0 && citations.every((citation) => citation.supported);
}

/** A whole answer as one delta, then its citations, for answers that are not streamed token by token. */
function* emitWhole(text: string, citations: Citation[]): Generator<AnswerEvent, void, undefined> {
  yield { type: 'delta', text };
  for (const citation of citations) yield { type: 'citation', citation };
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
    url: passage.url,
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

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
