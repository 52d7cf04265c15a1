import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { httpStatusOf, passageResponse } from '../api/index.ts';
import { OrioleError, type AnswerResponse, type Passage, type RetrievalInfo } from '../core/index.ts';
import type { DocumentText } from './documents.ts';

/**
 * What each tool returns: `structuredContent` for programs (matching the tool's output
 * schema) and the same as text for a model, written to be read in a context window:
 * sources numbered, URLs given, abstentions said plainly.
 */

export interface SearchResult {
  kb: string;
  query: string;
  results: {
    source: string;
    title: string | null;
    url: string | null;
    heading: string | null;
    text: string;
    score: number;
    documentId: string;
    chunkId: string;
  }[];
  retrieval: { mode: RetrievalInfo['mode']; warning?: string };
}

export function searchResult(kb: string, query: string, passages: readonly Passage[], info: RetrievalInfo): CallToolResult {
  const structured: SearchResult = {
    kb,
    query,
    // The same passage shape as POST /search.
    results: passages.map(passageResponse),
    retrieval: { mode: info.mode, ...(info.warning ? { warning: info.warning } : {}) },
  };
  const header =
    passages.length === 0
      ? `No passages in knowledge base '${kb}' match "${query}".`
      : `${passages.length} passage(s) from knowledge base '${kb}' for "${query}", best first:`;
  const entries = structured.results.map((result, index) =>
    [
      `[${index + 1}] ${[result.title ?? result.source, result.heading !== result.title ? result.heading : null].filter(Boolean).join(' › ')}`,
      `source: ${result.source}${result.url ? ` · url: ${result.url}` : ''}`,
      result.text,
    ].join('\n'),
  );
  const warning = info.warning ? [`Note: ${info.warning}`] : [];
  return { content: [{ type: 'text', text: [header, ...entries, ...warning].join('\n\n') }], structuredContent: { ...structured } };
}

export interface AnswerResult {
  answer: string;
  abstained: boolean;
  reason?: string;
  confidence: number;
  conversationId?: string;
  answerId: string;
  mode: AnswerResponse['mode'];
  citations: {
    index: number;
    source: string;
    title: string | null;
    url: string | null;
    heading: string | null;
    page: number | null;
    snippet: string;
    supported: boolean;
    documentId: string;
  }[];
  handoff?: { reason: 'abstained' | 'requested'; url?: string; email?: string; label?: string };
}

export function answerResult(response: AnswerResponse): CallToolResult {
  const structured: AnswerResult = {
    answer: response.answer,
    abstained: response.abstained,
    ...(response.reason ? { reason: response.reason } : {}),
    confidence: response.confidence,
    ...(response.conversationId ? { conversationId: response.conversationId } : {}),
    answerId: response.answerId,
    mode: response.mode,
    citations: response.citations.map((citation) => ({
      index: citation.index,
      source: citation.source,
      title: citation.title,
      url: citation.url,
      heading: citation.heading,
      page: citation.page,
      snippet: citation.snippet,
      supported: citation.supported,
      documentId: citation.documentId,
    })),
    ...(response.handoff ? { handoff: response.handoff } : {}),
  };
  return { content: [{ type: 'text', text: answerText(structured) }], structuredContent: { ...structured } };
}

function answerText(result: AnswerResult): string {
  const parts: string[] = [];
  if (result.abstained) {
    parts.push(`The help center does not answer this question (abstained: ${result.reason ?? 'insufficient evidence'}). Do not guess an answer.`);
    parts.push(`Message for the user: ${result.answer}`);
  } else {
    parts.push(result.answer);
  }
  if (result.citations.length > 0) {
    const lines = result.citations.map((citation) => {
      const where = [citation.title ?? citation.source, citation.heading !== citation.title ? citation.heading : null].filter(Boolean).join(' › ');
      const page = citation.page !== null ? `, page ${citation.page}` : '';
      return `[${citation.index}] ${where} — ${citation.url ?? citation.source}${page}${citation.supported ? '' : ' (not verified against the passage)'}`;
    });
    parts.push(['Sources:', ...lines].join('\n'));
  }
  if (result.handoff) {
    const where = [result.handoff.label, result.handoff.url, result.handoff.email].filter(Boolean).join(' · ');
    if (where) parts.push(`Hand-off to a human: ${where}`);
  }
  const footer = [`confidence: ${result.confidence.toFixed(2)}`];
  if (result.conversationId) footer.push(`conversationId: ${result.conversationId} (pass it to answer_question for a follow-up)`);
  parts.push(footer.join(' · '));
  return parts.join('\n\n');
}

export interface KnowledgeBasesResult {
  knowledgeBases: { name: string; documentCount: number; chunkCount: number; updatedAt: string; isDefault: boolean }[];
}

export function knowledgeBasesResult(result: KnowledgeBasesResult): CallToolResult {
  const lines = result.knowledgeBases.map(
    (kb) => `- ${kb.name}${kb.isDefault ? ' (default: used when a tool is called without kb)' : ''}: ${kb.documentCount} document(s), updated ${kb.updatedAt}`,
  );
  const text = lines.length === 0 ? 'No knowledge base is reachable with this connection yet.' : ['Knowledge bases:', ...lines].join('\n');
  return { content: [{ type: 'text', text }], structuredContent: { ...result } };
}

export function documentResult(document: DocumentText): CallToolResult {
  const about = [
    `Document '${document.source}' of knowledge base '${document.kb}'${document.url ? ` (${document.url})` : ''}.`,
    ...(document.status !== 'ready' ? [`Its status is ${document.status}: its text may be missing or out of date.`] : []),
    ...(document.truncated ? [`It is longer than shown: cut at a paragraph boundary; search_knowledge_base finds the rest.`] : []),
  ].join(' ');
  return {
    content: [
      { type: 'text', text: `${about}\n\n${document.markdown}` },
      { type: 'resource_link', uri: document.uri, name: document.source, mimeType: 'text/markdown', ...(document.title ? { title: document.title } : {}) },
    ],
    structuredContent: { ...document },
  };
}

/**
 * A failed call as a tool error the model can read (`isError: true`, the code and the
 * message), never a thrown error: the server stays up and the model can correct itself.
 * Failures on our side are told to `onServerError`; the client sees the code only.
 */
export function toolError(error: unknown, onServerError?: (error: OrioleError) => void): CallToolResult {
  const oriole = error instanceof OrioleError ? error : new OrioleError('internal', 'Something went wrong on our side', { cause: error });
  if (httpStatusOf(oriole.code) >= 500) onServerError?.(oriole);
  return { content: [{ type: 'text', text: `${oriole.code}: ${oriole.message}` }], isError: true };
}
