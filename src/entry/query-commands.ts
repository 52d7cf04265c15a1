import type { Logger } from 'pino';
import type { AnswerResponse, Config, Embedder, Passage, RetrievalInfo } from '../core/index.ts';
import { citationMarker } from '../answer/index.ts';
import { getKnowledgeBase, type Database } from '../db/index.ts';
import { loadEmbedder } from '../embedders/index.ts';
import { loadReranker } from '../rerankers/index.ts';
import { createAnswering } from './answering.ts';
import { embedderOptionsFrom } from './ingestion.ts';

/**
 * The answering service for one CLI command, loading the embedder only when the KB has
 * vectors to search, and the configured reranker (if any) after it.
 */
export async function answeringFor(database: Database, config: Config, kbName: string, logger: Logger) {
  const kb = await getKnowledgeBase(database, kbName);
  let embedder: { embedder: Embedder | null; warning?: string } = { embedder: null };
  if (kb.embedder !== 'none' && kb.embeddingDim !== null) {
    const loaded = await loadEmbedder(kb.embedder, embedderOptionsFrom(config), (message) => logger.warn(message));
    embedder = { embedder: loaded.embedder, ...(loaded.embedder ? {} : { warning: `Embedder '${kb.embedder}' is not loaded: keyword search only.` }) };
  }
  // After the embedder: both configure transformers.js's one global environment while loading.
  const { reranker } = await loadReranker(config.reranker.spec, embedderOptionsFrom(config), (message) =>
    logger.warn({ reranker: config.reranker.spec }, message),
  );
  return createAnswering(config, database, { ...embedder, reranker }, logger);
}

export async function runAsk(
  database: Database,
  config: Config,
  logger: Logger,
  command: { question: string; kb: string; json: boolean },
): Promise<AnswerResponse> {
  const answering = await answeringFor(database, config, command.kb, logger);
  const response = await answering.answer({ question: command.question, kb: command.kb, metadata: { channel: 'cli' } });
  console.log(command.json ? JSON.stringify(response, null, 2) : formatAnswer(response));
  return response;
}

export async function runSearch(
  database: Database,
  config: Config,
  logger: Logger,
  command: { query: string; kb: string; k: number; json: boolean },
): Promise<void> {
  const answering = await answeringFor(database, config, command.kb, logger);
  const { passages, info } = await answering.search({ query: command.query, kb: command.kb, topK: command.k });
  if (command.json) {
    const results = passages.map(({ chunkId, documentId, source, title, url, heading, text, score }) => ({
      chunkId,
      documentId,
      source,
      title,
      url,
      heading,
      text,
      score,
    }));
    console.log(JSON.stringify({ results, retrieval: info }, null, 2));
    return;
  }
  console.log(formatPassages(passages, info));
}

export function formatAnswer(response: AnswerResponse): string {
  const lines = [response.answer, ''];
  if (response.citations.length > 0) {
    lines.push('Sources:');
    for (const citation of response.citations) {
      const where = [citation.title ?? citation.source, citation.heading !== citation.title ? citation.heading : null]
        .filter(Boolean)
        .join(' › ');
      const page = citation.page ? `, page ${citation.page}` : '';
      const check = citation.supported ? '' : ' (not verified against the passage)';
      lines.push(`  ${citationMarker(citation.index)} ${where} — ${citation.url ?? citation.source}${page}${check}`);
    }
    lines.push('');
  }
  if (response.abstained) lines.push(`(abstained: ${response.reason ?? 'insufficient evidence'})`);
  lines.push(
    `${response.mode} · ${response.model} · ${response.retrieval.mode} retrieval · ${Math.round(response.timings.totalMs)} ms` +
      (response.retrieval.warning ? `\nnote: ${response.retrieval.warning}` : ''),
  );
  return lines.join('\n');
}

function formatPassages(passages: Passage[], info: RetrievalInfo): string {
  if (passages.length === 0) return `No passages match '${info.query}'.`;
  const lines = passages.map((passage, index) => {
    const where = [passage.source, passage.heading].filter(Boolean).join(' › ');
    const text = passage.text.replace(/\s+/g, ' ').slice(0, 200);
    return `${String(index + 1).padStart(2)}. ${passage.score.toFixed(3).padStart(8)}  ${where}\n      ${text}${passage.text.length > 200 ? '…' : ''}`;
  });
  lines.push(`(${info.mode} retrieval${info.warning ? `; ${info.warning}` : ''})`);
  return lines.join('\n');
}
