import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { evalAnswerChannel, isOrioleError, OrioleError } from '../core/index.ts';
import type {
  AnswerEvent,
  AnswerRequest,
  AnswerResponse,
  AnswerTimings,
  ChatTurn,
  Embedder,
  Passage,
  RetrievalInfo,
  RetrievalResult,
  Retriever,
  SearchFilters,
  TokenUsage,
  Verifier,
} from '../core/index.ts';
import { getKnowledgeBase, logAnswer, type AnswerLogEntry, type Database, type KnowledgeBase } from '../db/index.ts';
import { decideAbstention, isModelDecline } from './abstention.ts';
import { createCuratedAnswers } from './curated/curated-lookup.ts';
import { AnswerCache, answerCacheKey, defaultAnswerCacheEntries, type CachedAnswer } from './answer-cache.ts';
import {
  abstained,
  abstentionEvidence,
  conflictBeforeGenerating,
  emitWhole,
  extractiveModelName,
  extractiveOutcome,
  type Evidence,
  type GenerationOutcome,
} from './answer-outcome.ts';
import { minConfidenceSetting } from './confidence.ts';
import { openConversationTurn, type ConversationTurnScope } from './conversations.ts';
import { followUpRewriteMessages, isFollowUp, rewriteFollowUp } from './follow-up.ts';
import { generateText } from './generation/index.ts';
import { answerHandoff, notRetrieved, requestedHandoffOutcome } from './handoff.ts';
import { asksForHuman } from './human-request.ts';
import { applyKbSettings } from './kb-answer-settings.ts';
import { detectLanguage } from './language.ts';
import { streamLlmAnswer } from './llm-answer.ts';
import { verifyOutcome, type AnswerVerification, type VerificationResult } from './verification.ts';
import { reportedConflicts } from './source-conflicts.ts';

export interface AnswerSettings {
  /** Passages retrieved for an answer when the request names no topK. */
  defaultTopK: number;
  /** The whole generation, retries included; past it the extractive answer is served. */
  generationTimeoutMs: number;
  /** From request to first token; a model slower than this is treated as down. */
  firstTokenTimeoutMs: number;
  /** The LLM rewrite of a follow-up; past it the heuristic rewrite is used. */
  rewriteTimeoutMs: number;
  /** Answers remembered for repeated questions (answer-cache.ts); 0: no cache. */
  answerCacheEntries: number;
  /** Withhold answers under this confidence (`low_confidence`) on KBs whose settings name no `minConfidence`; undefined: never. */
  minConfidence?: number;
  /** What the verifier may add to an answer; past it the answer goes on unverified (ORIOLE_VERIFIER_TIMEOUT_MS). */
  verifierTimeoutMs: number;
  /**
   * false: no answer is withheld for its confidence, whatever the KB's `minConfidence`.
   * `oriole calibrate` must see, and score, the answers a threshold would withhold.
   */
  withholdLowConfidence: boolean;
}

export const defaultAnswerSettings: AnswerSettings = {
  defaultTopK: 5,
  withholdLowConfidence: true,
  generationTimeoutMs: 30_000,
  firstTokenTimeoutMs: 10_000,
  rewriteTimeoutMs: 5_000,
  answerCacheEntries: defaultAnswerCacheEntries,
  verifierTimeoutMs: 5_000,
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
  /** Told whether each cacheable answer was found in the answer cache, for metrics. */
  onAnswerCacheLookup?: (result: 'hit' | 'miss') => void;
  /** The loaded query embedder, for matching curated answers by vector too; none: lexically only. */
  embedder?: Embedder | null;
  /** Checks each written answer against its cited passages (verification.ts); none: the lexical checks only. */
  verifier?: Verifier | null;
  /** Told how each verification went ('verified', 'timeout', 'error'), for metrics and the log. */
  onVerification?: (result: VerificationResult, error?: unknown) => void;
}

export interface SearchRequest {
  query: string;
  kb?: string;
  topK: number;
  filters?: SearchFilters;
}

export interface AnswerService {
  search(request: SearchRequest): Promise<RetrievalResult>;
  /**
   * The answer events in order: sources, delta/citation…, then done or error. A failure
   * before `sources` (unknown KB, storage down) is thrown; one after it ends the stream
   * with an `error` event; an aborted stream throws its abort.
   */
  stream(request: AnswerRequest, signal?: AbortSignal): AsyncGenerator<AnswerEvent, void, undefined>;
  /** The response `done` carries; a failure, before or after `sources`, is thrown. */
  answer(request: AnswerRequest, signal?: AbortSignal): Promise<AnswerResponse>;
}

/** Retrieve → (rewrite) → generate or extract → check citations → abstain or answer → log. */
export function createAnswerService(dependencies: AnswerServiceDependencies): AnswerService {
  const settings = { ...defaultAnswerSettings, ...dependencies.settings };
  const { database, retriever, chatModel } = dependencies;
  const cache = new AnswerCache(settings.answerCacheEntries);
  const curatedAnswers = createCuratedAnswers({ database, embedder: dependencies.embedder ?? null });
  const verification: AnswerVerification | undefined = dependencies.verifier
    ? { verifier: dependencies.verifier, timeoutMs: settings.verifierTimeoutMs, ...(dependencies.onVerification ? { onResult: dependencies.onVerification } : {}) }
    : undefined;

  const knowledgeBase = (name: string | undefined) => getKnowledgeBase(database, name ?? dependencies.defaultKb);
  // The version read with the KB lets the in-process index and the remembered passages check it without a query of their own.
  const retrievalKb = (kb: KnowledgeBase) => ({ id: kb.id, name: kb.name, embedder: kb.embedder, version: kb.version });

  async function standaloneQuery(
    question: string,
    history: ChatTurn[],
    signal: AbortSignal | undefined,
    onGenerationFailure: (error: OrioleError) => void,
    onUsage: (usage: TokenUsage) => void,
  ): Promise<string> {
    if (!isFollowUp(question, history)) return question;
    if (chatModel) {
      try {
        const rewritten = await generateText(chatModel, followUpRewriteMessages(question, history), {
          timeoutMs: settings.rewriteTimeoutMs,
          maxAttempts: 1,
          onUsage,
          ...(signal ? { signal } : {}),
        });
        const cleaned = rewritten.trim().replace(/^["“「]|["”」]$/g, '');
        const usable = cleaned.length > 0 && cleaned.length <= question.length * 4 + 300 && !isModelDecline(cleaned, detectLanguage(question));
        if (usable) return cleaned;
      } catch (error) {
        if (signal?.aborted) throw error;
        if (isOrioleError(error)) onGenerationFailure(error);
      }
    }
    return rewriteFollowUp(question, history);
  }

  async function* stream(asked: AnswerRequest, signal?: AbortSignal): AsyncGenerator<AnswerEvent, void, undefined> {
    const started = performance.now();
    // The conversation's stored turns become the history (conversations.ts), so they join the cache key as sent history does.
    const turn = await openConversationTurn(database, asked, knowledgeBase);
    const { kb, request } = turn;
    const history = request.history ?? [];
    // A request for a human is answered with the KB's hand-off, not from its documents.
    if (asksForHuman(request.question)) return yield* handOffToHuman(request, kb, started, turn);
    const applied = applyKbSettings(request, kb.settings, settings.defaultTopK);
    const { topK } = applied;
    // Before the cache: a curated answer added since an answer was cached wins at once (docs/curated-answers.md).
    const curated = await curatedAnswers.answerFor(kb, request);
    if (curated) return yield* replay(curated, turn, started, { cached: false });
    // The KB's versions are read above on every request: a cached answer never outlives a change to its content or settings.
    const cacheKey = isCacheable(request)
      ? answerCacheKey(request, { kbId: kb.id, kbVersion: kb.version, settingsVersion: kb.settingsVersion, topK, model: dependencies.modelName })
      : undefined;
    if (cacheKey !== undefined) {
      const cached = cache.get(cacheKey);
      dependencies.onAnswerCacheLookup?.(cached ? 'hit' : 'miss');
      if (cached) return yield* replay(cached, turn, started, { cached: true });
    }
    // An answer made while the LLM failed (the extractive fallback, a heuristic rewrite) is served but not remembered.
    let failed = false;
    const onGenerationFailure = (error: OrioleError) => {
      failed = true;
      dependencies.onGenerationFailure?.(error);
    };
    const { language, voice } = applied;
    // Every model call made for this answer counts: the follow-up rewrite and the generation.
    const usage = createUsageCounter();
    const query = await standaloneQuery(request.question, history, signal, onGenerationFailure, usage.add);
    const retrieval = await retriever.retrieve({ kb: retrievalKb(kb), query, topK, ...(applied.filters ? { filters: applied.filters } : {}) });
    const retrievalMs = performance.now() - started;
    const { passages } = retrieval;
    yield { type: 'sources', passages };
    try {
      const minConfidence = settings.withholdLowConfidence ? minConfidenceSetting(kb.settings, settings.minConfidence) : undefined;
      const evidence: Evidence = { question: query, language, passages, info: retrieval.info, voice, ...(minConfidence !== undefined ? { minConfidence } : {}) };
      const generationStarted = performance.now();
      const written = yield* writeAnswer(evidence, request, signal, onGenerationFailure, usage.add);
      const outcome = verification ? (await verifyOutcome(written, evidence, verification, signal)).outcome : written;
      const generationMs = performance.now() - generationStarted;
      const timings = { retrievalMs: round(retrievalMs), generationMs: round(generationMs), totalMs: round(performance.now() - started) };
      const response = turn.stamp(withAbstentionHandoff(answerResponse(outcome, kb, retrieval.info, timings, request.answerId, usage.total()), kb));
      await logAnswer(database, answerLogEntry(request, kb, response, passages));
      await turn.record(response);
      // A missing embedder (lexical-only on a KB with vectors) is not a failure of this answer: the
      // embedder is loaded, or not, once for the life of this service and its cache, so every later
      // answer would be made the same way (a failing query embedding fails the retrieval instead).
      if (cacheKey !== undefined && !failed) cache.set(cacheKey, { passages, response });
      dependencies.onAnswered?.({ request, response, kb: kb.name });
      yield { type: 'done', response };
    } catch (error) {
      // The client has the sources already: the stream ends with what went wrong, not a torn connection.
      if (signal?.aborted) throw error;
      yield { type: 'error', error };
    }
  }

  /**
   * A cached (or curated) answer, served as a fresh one would be: its sources, its text and
   * citations (one delta), then `done`. It is a new answer to a new request: its own
   * answerId, logged like any other (so feedback on it works and analytics count it), with
   * this request's timings and `cached: true` when it came from the cache.
   */
  async function* replay(
    cached: CachedAnswer,
    turn: ConversationTurnScope,
    started: number,
    origin: { cached: boolean },
  ): AsyncGenerator<AnswerEvent, void, undefined> {
    const { request, kb } = turn;
    yield { type: 'sources', passages: cached.passages };
    try {
      yield* emitWhole(cached.response.answer, cached.response.citations);
      // No model was called for it: the tokens the first answer cost are not this one's.
      const { usage: _firstAnswersUsage, ...cachedResponse } = cached.response;
      const totalMs = round(performance.now() - started);
      const response: AnswerResponse = turn.stamp({
        ...cachedResponse,
        answerId: request.answerId ?? randomUUID(),
        cached: origin.cached,
        timings: origin.cached ? { retrievalMs: 0, generationMs: 0, totalMs } : { ...cached.response.timings, totalMs },
      });
      await logAnswer(database, answerLogEntry(request, kb, response, cached.passages));
      await turn.record(response);
      dependencies.onAnswered?.({ request, response, kb: kb.name });
      yield { type: 'done', response };
    } catch (error) {
      yield { type: 'error', error };
    }
  }

  /**
   * The answer to a request for a human ("talk to a person", "转人工"): the KB's hand-off and
   * a short reply saying where to reach one, logged like any answer; nothing is retrieved.
   */
  async function* handOffToHuman(
    request: AnswerRequest,
    kb: KnowledgeBase,
    started: number,
    turn: ConversationTurnScope,
  ): AsyncGenerator<AnswerEvent, void, undefined> {
    const { language } = applyKbSettings(request, kb.settings, settings.defaultTopK);
    const handoff = answerHandoff(kb.settings, 'requested')!;
    const response: AnswerResponse = turn.stamp({
      ...answerResponse(requestedHandoffOutcome(handoff, language), kb, notRetrieved(request.question), {
        retrievalMs: 0,
        generationMs: 0,
        totalMs: round(performance.now() - started),
      }, request.answerId, undefined),
      handoff,
    });
    yield { type: 'sources', passages: [] };
    try {
      yield { type: 'delta', text: response.answer };
      await logAnswer(database, answerLogEntry(request, kb, response, []));
      await turn.record(response);
      dependencies.onAnswered?.({ request, response, kb: kb.name });
      yield { type: 'done', response };
    } catch (error) {
      yield { type: 'error', error };
    }
  }

  /** Eval runs are not served from the cache: they measure the whole pipeline, timings included. */
  function isCacheable(request: AnswerRequest): boolean {
    return cache.enabled && request.metadata?.channel !== evalAnswerChannel;
  }

  /** The answer's text and citations as they are written: an abstention, the LLM's answer, or the reader's. */
  async function* writeAnswer(
    evidence: Evidence,
    request: AnswerRequest,
    signal: AbortSignal | undefined,
    onGenerationFailure: (error: OrioleError) => void,
    onUsage: (usage: TokenUsage) => void,
  ): AsyncGenerator<AnswerEvent, GenerationOutcome, undefined> {
    const before = decideAbstention(abstentionEvidence(evidence, undefined));
    if (before.abstain) {
      const outcome = abstained(evidence, before, extractiveModelName, 'extractive');
      yield { type: 'delta', text: outcome.text };
      return outcome;
    }
    if (chatModel) {
      const conflicting = conflictBeforeGenerating(evidence);
      if (conflicting) {
        yield { type: 'delta', text: conflicting.text };
        return conflicting;
      }
      return yield* streamLlmAnswer(evidence, request.question, request.history ?? [], signal, {
        chatModel,
        modelName: dependencies.modelName,
        generationTimeoutMs: settings.generationTimeoutMs,
        firstTokenTimeoutMs: settings.firstTokenTimeoutMs,
        onGenerationFailure,
        onUsage,
      });
    }
    const outcome = extractiveOutcome(evidence);
    yield* emitWhole(outcome.resolved?.text ?? outcome.text, outcome.resolved?.citations ?? []);
    return outcome;
  }

  return {
    async search(request) {
      const kb = await knowledgeBase(request.kb);
      return retriever.retrieve({ kb: retrievalKb(kb), query: request.query, topK: request.topK, ...(request.filters ? { filters: request.filters } : {}) });
    },
    stream,
    async answer(request, signal) {
      for await (const event of stream(request, signal)) {
        if (event.type === 'done') return event.response;
        if (event.type === 'error') throw event.error;
      }
      throw new OrioleError('internal', 'The answer stream ended without a response');
    },
  };
}

function answerResponse(
  outcome: GenerationOutcome,
  kb: KnowledgeBase,
  info: RetrievalInfo,
  timings: AnswerTimings,
  answerId: string | undefined,
  usage: TokenUsage | undefined,
): AnswerResponse {
  return {
    answerId: answerId ?? randomUUID(),
    answer: outcome.resolved?.text ?? outcome.text,
    grounded: isGrounded(outcome),
    abstained: outcome.decision?.abstain ?? false,
    ...(outcome.decision?.abstain && outcome.decision.reason ? { reason: outcome.decision.reason } : {}),
    citations: outcome.resolved?.citations ?? [],
    ...(outcome.droppedSentences !== undefined ? { droppedSentences: outcome.droppedSentences } : {}),
    confidence: outcome.confidence,
    mode: outcome.mode,
    model: outcome.model,
    kbVersion: kb.version,
    cached: false,
    timings,
    retrieval: info,
    ...(usage ? { usage } : {}),
    ...(outcome.conflicts && outcome.conflicts.length > 0 ? { conflicts: reportedConflicts(outcome.conflicts) } : {}),
  };
}

/** Sums the token counts of an answer's model calls; `total()` is undefined when no model reported any. */
function createUsageCounter() {
  let sum: TokenUsage | undefined;
  return {
    add: (usage: TokenUsage) => {
      sum = {
        inputTokens: (sum?.inputTokens ?? 0) + usage.inputTokens,
        outputTokens: (sum?.outputTokens ?? 0) + usage.outputTokens,
        totalTokens: (sum?.totalTokens ?? 0) + usage.totalTokens,
      };
    },
    total: () => sum,
  };
}

/** An abstention carries the KB's hand-off when it has one set. */
function withAbstentionHandoff(response: AnswerResponse, kb: KnowledgeBase): AnswerResponse {
  const handoff = answerHandoff(kb.settings, response.abstained ? 'abstained' : undefined);
  return handoff ? { ...response, handoff } : response;
}

/** The answers-log row: what was asked and answered, from which passages, by whom. */
function answerLogEntry(request: AnswerRequest, kb: KnowledgeBase, response: AnswerResponse, passages: Passage[]): AnswerLogEntry {
  return {
    id: response.answerId,
    kbId: kb.id,
    kbVersion: kb.version,
    settingsVersion: kb.settingsVersion,
    question: request.question,
    history: request.history ?? [],
    answer: response.answer,
    abstained: response.abstained,
    reason: response.reason ?? null,
    confidence: response.confidence,
    mode: response.mode,
    model: response.model,
    citations: response.citations,
    conflicts: response.conflicts ?? null,
    retrieval: {
      ...response.retrieval,
      ...(response.curatedAnswerId ? { curatedAnswerId: response.curatedAnswerId } : {}),
      passages: passages.map((passage) => ({ chunkId: passage.chunkId, source: passage.source, score: passage.score })),
    },
    timings: { ...response.timings },
    userId: request.metadata?.userId ?? null,
    channel: request.metadata?.channel ?? null,
  };
}

/** Grounded: an answer, not an abstention, whose every citation was checked to support it. */
function isGrounded(outcome: GenerationOutcome): boolean {
  if (outcome.decision?.abstain) return false;
  const citations = outcome.resolved?.citations ?? [];
  return citations.length > 0 && citations.every((citation) => citation.supported);
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
