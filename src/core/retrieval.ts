/** Restricts a search to some documents of a KB. */
export interface SearchFilters {
  /** Documents whose `source` is one of these. */
  sources?: string[];
  /** Documents whose tags contain every one of these key/value pairs. */
  tags?: Record<string, string>;
}

/** A retrieved chunk with what a reader and a citation need. */
export interface Passage {
  chunkId: string;
  documentId: string;
  source: string;
  title: string | null;
  /**
   * Where the passage is on the web: its document's url with the section's anchor
   * (`…/cors#usage`) or, for a PDF or a presentation, `#page=N` (see `passageUrl`); null without a web url.
   */
  url: string | null;
  /** The innermost heading above the chunk, if any. */
  heading: string | null;
  headingPath: string[];
  /** Pages of the document the chunk spans (PDF), empty when the format has none. */
  pages: number[];
  /** 0-based position of the chunk in its document. */
  ordinal: number;
  text: string;
  /**
   * The fused retrieval score, or the reranker's relevance score when one ran; higher is
   * better, comparable only within one result.
   */
  score: number;
  /** BM25 score of the lexical leg, when it found the chunk. */
  lexicalScore?: number;
  /** Cosine similarity (1 − distance) of the vector leg, when it found the chunk. */
  vectorSimilarity?: number;
}

export type RetrievalMode = 'hybrid' | 'lexical' | 'vector';

/** How a result was produced, reported with every search and answer. */
export interface RetrievalInfo {
  mode: RetrievalMode;
  /** The KB's embedder spec, or null when the vector leg did not run. */
  embedder: string | null;
  /** The cross-encoder that reordered the candidates ('transformers:<model>'), or null when none ran. */
  reranker?: string | null;
  /** Why the vector leg did not run ("embedder unavailable: …"), when it did not. */
  warning?: string;
  /** The query that was searched: the question, or its standalone rewrite. */
  query: string;
  /** The query's lexical terms that occur in at least one chunk of the KB. */
  matchedTerms: string[];
  /** All of the query's lexical terms. */
  queryTerms: string[];
  lexicalMs: number;
  vectorMs: number;
}

/** The KB a retrieval runs on, as stored: its id and the embedder its vectors came from. */
export interface RetrievalKnowledgeBase {
  id: string;
  name: string;
  embedder: string;
  /**
   * The KB's content version when the caller read it with the KB (knowledge_bases.version):
   * an in-process lexical index then checks it without a query of its own.
   */
  version?: number;
}

export interface RetrievalRequest {
  kb: RetrievalKnowledgeBase;
  query: string;
  topK: number;
  filters?: SearchFilters;
}

export interface RetrievalResult {
  passages: Passage[];
  info: RetrievalInfo;
}

export interface Retriever {
  retrieve(request: RetrievalRequest): Promise<RetrievalResult>;
}
