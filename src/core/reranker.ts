/**
 * Scores how well each text answers a query, reading both together (a cross-encoder),
 * which is more precise than comparing separately made vectors and too slow to run
 * over a whole KB: the retriever runs it on its best few candidates only.
 */
export interface Reranker {
  /** The spec it was created from: 'transformers:Xenova/ms-marco-MiniLM-L-6-v2'. */
  readonly id: string;
  /**
   * One relevance score per text, in the order given; higher is more relevant.
   * Scores are comparable within one call only (a logit or a probability, by model).
   */
  rerank(query: string, texts: string[]): Promise<number[]>;
}
