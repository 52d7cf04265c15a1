import type { Logger } from 'pino';
import { createAnswerService, createChatModel, type AnswerService } from '../answer/index.ts';
import { evalAnswerChannel, noopMetrics, type Config, type Embedder, type OrioleError, type Reranker, type ServiceMetrics } from '../core/index.ts';
import type { Database } from '../db/index.ts';
import { createHybridRetriever } from '../retrieval/index.ts';

/**
 * Search and answers wired from config: the hybrid retriever over `database` with the
 * loaded models (the embedder, or why there is none; the reranker, if any), and the LLM
 * or the extractive reader. `metrics` hears of each answer, LLM failure and failed
 * query embedding; answers of eval runs (channel 'eval') are left out, so the
 * abstention rate is the customers'.
 */
export function createAnswering(
  config: Config,
  database: Database,
  models: { embedder: Embedder | null; warning?: string; reranker?: Reranker | null },
  logger?: Pick<Logger, 'warn'>,
  metrics: ServiceMetrics = noopMetrics,
): AnswerService {
  const retriever = createHybridRetriever({
    database,
    embedder: models.embedder,
    onEmbedderError: () => metrics.observeEmbedderError(),
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
    onGenerationFailure: (error) => {
      metrics.observeGenerationFailure(generationFailureCode(error));
      logger?.warn({ err: error, llm: config.llm.spec }, 'the language model failed; answering extractively instead');
    },
    onAnswered: ({ request, response, kb }) => {
      if (request.metadata?.channel === evalAnswerChannel) return;
      metrics.observeAnswer({
        mode: response.mode,
        abstained: response.abstained,
        retrievalSeconds: response.timings.retrievalMs / 1000,
        generationSeconds: response.timings.generationMs / 1000,
        kb,
      });
    },
  });
}

/** A short, bounded reason for the metric label: 'timeout', 'connection', 'http_429', or the error code. */
export function generationFailureCode(error: OrioleError): string {
  const details = error.details ?? {};
  if (details.reason === 'http_status' && typeof details.status === 'number') return `http_${details.status}`;
  if (details.reason === 'timeout' || details.reason === 'connection' || details.reason === 'error') return details.reason;
  return error.code;
}
