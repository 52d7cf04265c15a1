import type { Logger } from 'pino';
import { createAnswerService, createChatModel, type AnswerService } from '../answer/index.ts';
import type { Config, Embedder, Reranker } from '../core/index.ts';
import type { Database } from '../db/index.ts';
import { createHybridRetriever } from '../retrieval/index.ts';

/**
 * Search and answers wired from config: the hybrid retriever over `database` with the
 * loaded models (the embedder, or why there is none; the reranker, if any), and the LLM
 * or the extractive reader.
 */
export function createAnswering(
  config: Config,
  database: Database,
  models: { embedder: Embedder | null; warning?: string; reranker?: Reranker | null },
  logger?: Pick<Logger, 'warn'>,
): AnswerService {
  const retriever = createHybridRetriever({
    database,
    embedder: models.embedder,
    ...(models.warning ? { embedderWarning: models.warning } : {}),
    reranker: models.reranker ?? null,
  });
  const chatModel =
    config.llm.spec === 'extractive'
      ? null
      : createChatModel(config.llm.spec, {
          ...(config.openai.apiKey ? { apiKey: config.openai.apiKey } : {}),
          ...(config.openai.baseUrl ? { baseUrl: config.openai.baseUrl } : {}),
        });
  return createAnswerService({
    database,
    retriever,
    chatModel,
    modelName: config.llm.spec,
    defaultKb: config.defaultKb,
    settings: { generationTimeoutMs: config.llm.timeoutMs, firstTokenTimeoutMs: config.llm.firstTokenTimeoutMs },
    onGenerationFailure: (error) =>
      logger?.warn({ err: error, llm: config.llm.spec }, 'the language model failed; answering extractively instead'),
  });
}
