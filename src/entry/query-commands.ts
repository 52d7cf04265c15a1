import type { AnswerResponse, Passage, RetrievalInfo } from '../core/index.ts';
import { citationMarker } from '../answer/index.ts';
import type { StorageNode } from './node.ts';
import { answersForKb } from './query-answering.ts';

/** `oriole ask`: loads the KB's embedder only when the KB has vectors to search. */
export async function runAsk(node: StorageNode, command: { question: string; kb: string; json: boolean }): Promise<AnswerResponse> {
  const answering = await answersForKb(node, command.kb);
  const response = await answering.answer({ question: command.question, kb: command.kb, metadata: { channel: 'cli' } });
  console.log(command.json ? JSON.stringify(response, null, 2) : formatAnswer(response));
  return response;
}

/** `oriole search`: loads the KB's embedder only when the KB has vectors to search. */
export async function runSearch(node: StorageNode, command: { query: string; kb: string; k: number; json: boolean }): Promise<void> {
  const answering = await answersForKb(node, command.kb);
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
