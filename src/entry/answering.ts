import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { Logger } from 'pino';
import { createAnswerService, type AnswerService, type AnswerSettings } from '../answer/index.ts';
import {
  evalAnswerChannel,
  noopMetrics,
  type Config,
  type Embedder,
  type OrioleError,
  type Reranker,
  type ServiceMetrics,
  type Verifier,
} from '../core/index.ts';
import type { Database } from '../db/index.ts';
import { createHybridRetriever, type LexicalSearcher } from '../retrieval/index.ts';
import { createLlmVerifier, parseVerifierSpec } from '../verifiers/index.ts';

/** What an answer service is built from besides config; each part has a default. */
export interface AnsweringParts {
  database: Database;
  /** Where the retriever reads passages and vectors (a router over read replicas); `database` when unset. */
  readDatabase?: Database;
  /**
   * The lexical leg; default BM25 in SQL. Node compositions pass one in-process index
   * for all their answer services (compose.ts); the Workers entry keeps SQL.
   */
  lexical?: LexicalSearcher;
  /** The query embedder; null: keyword search only. */
  embedder: Embedder | null;
  /** Why there is no embedder, said in every answer. */
  warning?: string;
  reranker?: Reranker | null;
  /**
   * ORIOLE_VERIFIER's in-process model (`transformers:`, loaded by the caller), or a stand-in
   * (tests). Absent: with `llm`, a verifier on the answering LLM; otherwise none.
   */
  verifier?: Verifier | null;
  /** Instead of ORIOLE_LLM's model (tests: a model on a fake server); `null` answers extractively. */
  /** ORIOLE_LLM's chat model (`loadConfiguredChatModel`), or null for the extractive reader. */
  chatModel: ChatModelPart | null;
  /** Over the timeouts configured in ORIOLE_LLM_TIMEOUT_MS and ORIOLE_LLM_FIRST_TOKEN_TIMEOUT_MS. */
  settings?: Partial<AnswerSettings>;
  logger?: Pick<Logger, 'warn'>;
  metrics?: ServiceMetrics;
}

/**
 * Search and answers wired from config: the hybrid retriever over `database` with the
 * loaded models (the embedder, or why there is none; the reranker, if any), and the LLM
 * or the extractive reader. `metrics` hears of each answer, LLM failure and failed
 * query embedding; answers of eval runs (channel 'eval') are left out, so the
 * abstention rate is the customers'.
 */
export function createAnswering(config: Config, parts: AnsweringParts): AnswerService {
  const { database, logger, metrics = noopMetrics } = parts;
  const retriever = createHybridRetriever({
    database: parts.readDatabase ?? database,
    ...(parts.lexical ? { lexical: parts.lexical } : {}),
    embedder: parts.embedder,
    onEmbedderError: () => metrics.observeEmbedderError(),
    ...(parts.warning ? { embedderWarning: parts.warning } : {}),
    reranker: parts.reranker ?? null,
  });
  const llm = parts.chatModel;
  const verifier = parts.verifier !== undefined ? parts.verifier : llmVerifier(config, llm);
  return createAnswerService({
    database,
    retriever,
    chatModel: llm?.model ?? null,
    embedder: parts.embedder,
    modelName: llm?.name ?? 'extractive',
    defaultKb: config.defaultKb,
    settings: {
      generationTimeoutMs: config.llm.timeoutMs,
      firstTokenTimeoutMs: config.llm.firstTokenTimeoutMs,
      verifierTimeoutMs: config.verifier.timeoutMs,
      ...parts.settings,
    },
    verifier,
    onVerification: (result, error) => {
      metrics.observeVerification(result);
      if (result !== 'verified') logger?.warn({ err: error, verifier: verifier?.id }, `the verifier gave no verdict (${result}); answering without it`);
    },
    onGenerationFailure: (error) => {
      metrics.observeGenerationFailure(generationFailureCode(error));
      logger?.warn({ err: error, llm: llm?.name }, 'the language model failed; answering extractively instead');
    },
    onAnswered: ({ request, response, kb }) => {
      if (request.metadata?.channel === evalAnswerChannel) return;
      metrics.observeAnswer({
        mode: response.mode,
        abstained: response.abstained,
        retrievalSeconds: response.timings.retrievalMs / 1000,
        generationSeconds: response.timings.generationMs / 1000,
        kb,
        ...(response.cached ? { cached: true } : {}),
      });
    },
    onAnswerCacheLookup: (result) => metrics.observeAnswerCache(result),
  });
}

/** With ORIOLE_VERIFIER=llm, a verifier asking the answering LLM; else none (a `transformers:` one is loaded by the caller). */
function llmVerifier(config: Config, llm: { model: BaseChatModel } | null): Verifier | null {
  if (parseVerifierSpec(config.verifier.spec).kind !== 'llm' || !llm) return null;
  return createLlmVerifier(llm.model, { timeoutMs: config.verifier.timeoutMs });
}

export interface ChatModelPart {
  model: BaseChatModel;
  name: string;
}

/**
 * ORIOLE_LLM's chat model, or null for the extractive reader. The factory is imported
 * only here, when a model is named: it loads the OpenAI client and LangChain (~500
 * modules, about a second of a command's start), which extractive answers never use.
 */
export async function loadConfiguredChatModel(config: Config): Promise<ChatModelPart | null> {
  if (config.llm.spec === 'extractive') return null;
  const { createChatModel } = await import('../answer/generation/chat-model.ts');
  const model = createChatModel(config.llm.spec, {
    ...(config.openai.apiKey ? { apiKey: config.openai.apiKey } : {}),
    ...(config.openai.baseUrl ? { baseUrl: config.openai.baseUrl } : {}),
  });
  return { model, name: config.llm.spec };
}

/** A short, bounded reason for the metric label: 'timeout', 'connection', 'http_429', or the error code. */
export function generationFailureCode(error: OrioleError): string {
  const details = error.details ?? {};
  if (details.reason === 'http_status' && typeof details.status === 'number') return `http_${details.status}`;
  if (details.reason === 'timeout' || details.reason === 'connection' || details.reason === 'error') return details.reason;
  return error.code;
}
