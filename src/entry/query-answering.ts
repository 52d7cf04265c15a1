import path from 'node:path';
import type { Logger } from 'pino';
import type { AnswerService, AnswerSettings } from '../answer/index.ts';
import type { Config, Embedder, Reranker, Verifier } from '../core/index.ts';
import { getKnowledgeBase } from '../db/index.ts';
import { loadEmbedder, type EmbedderOptions } from '../embedders/index.ts';
import { loadReranker, type RerankerStatus } from '../rerankers/index.ts';
import { loadVerifierModel, parseVerifierSpec } from '../verifiers/index.ts';
import { createAnswering, loadConfiguredChatModel } from './answering.ts';
import type { StorageNode } from './node.ts';

/**
 * Search and answers for one CLI query (`oriole search`, `oriole ask`): the answer service
 * and what it needs, and nothing else. No ingestion (parsers, the parse pool), eval or
 * HTTP code is imported, so a query on a small KB is mostly the query.
 */

/** For one query on `kbName`: loads the KB's own embedder only when the KB has vectors, then the reranker; `settings` over the configured ones. */
export async function answersForKb(node: StorageNode, kbName: string, settings?: Partial<AnswerSettings>): Promise<AnswerService> {
  const { config, database, logger } = node;
  const kb = await getKnowledgeBase(database, kbName);
  let embedder: { embedder: Embedder | null; warning?: string } = { embedder: null };
  if (kb.embedder !== 'none' && kb.embeddingDim !== null) {
    const loaded = await loadEmbedder(kb.embedder, embedderOptionsFrom(config), (message) => logger.warn(message));
    embedder = { embedder: loaded.embedder, ...(loaded.embedder ? {} : { warning: `Embedder '${kb.embedder}' is not loaded: keyword search only.` }) };
  }
  const { reranker } = await loadConfiguredReranker(config, logger);
  const verifier = await loadConfiguredVerifier(config, logger);
  const chatModel = await loadConfiguredChatModel(config);
  return createAnswering(config, { database, logger, ...embedder, reranker, chatModel, ...(verifier ? { verifier } : {}), ...(settings ? { settings } : {}) });
}

/** Where in-process models are read from and cached, and the OpenAI-compatible endpoint, from config. */
export function embedderOptionsFrom(config: Config): EmbedderOptions {
  return {
    ...(config.embedder.modelsDir ? { modelsDir: config.embedder.modelsDir } : {}),
    // Outside node_modules by default, so `npm ci` does not throw downloaded models away.
    cacheDir: config.embedder.cacheDir ?? path.join(config.dataDir, 'models'),
    openai: {
      ...(config.openai.apiKey ? { apiKey: config.openai.apiKey } : {}),
      ...(config.openai.baseUrl ? { baseUrl: config.openai.baseUrl } : {}),
    },
  };
}

/**
 * ORIOLE_RERANKER's model, or null: by configuration ('none'), or because it cannot be
 * loaded (offline and not cached), which is logged as a warning while search keeps its
 * fused order.
 */
export async function loadConfiguredReranker(
  config: Config,
  logger: Pick<Logger, 'info' | 'warn'>,
): Promise<{ reranker: Reranker | null; status: RerankerStatus }> {
  if (config.reranker.spec !== 'none') logger.info({ reranker: config.reranker.spec }, 'loading the reranker model');
  return loadReranker(config.reranker.spec, embedderOptionsFrom(config), (message) =>
    logger.warn({ reranker: config.reranker.spec }, message),
  );
}

/**
 * ORIOLE_VERIFIER's in-process model when it names one (`transformers:<model>`), else null
 * (`none`; `llm` is built on the answering LLM by createAnswering). One that cannot be
 * loaded stops the command with `upstream_unavailable` and the fix (src/verifiers/load-verifier.ts).
 */
export async function loadConfiguredVerifier(config: Config, logger: Pick<Logger, 'info'>): Promise<Verifier | null> {
  if (parseVerifierSpec(config.verifier.spec).kind !== 'transformers') return null;
  logger.info({ verifier: config.verifier.spec }, 'loading the verifier model');
  return loadVerifierModel(config.verifier.spec, embedderOptionsFrom(config));
}
