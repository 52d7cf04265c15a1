/**
 * Turns text into vectors. Compatible with LangChain's `EmbeddingsInterface`
 * (`embedDocuments`, `embedQuery`), so LangChain embeddings plug in too.
 * Implementations add any model-specific prefixes (e5's 'query: '/'passage: ',
 * bge's query instruction) themselves; callers pass plain text.
 */
export interface Embedder {
  /** The spec it was created from, recorded on the KB: 'transformers:Xenova/bge-small-en-v1.5'. */
  readonly id: string;
  /** Length of every vector it returns. */
  readonly dimension: number;
  /** Most texts per `embedDocuments` call; callers batch to this. */
  readonly maxBatchSize: number;
  embedDocuments(texts: string[]): Promise<number[][]>;
  embedQuery(text: string): Promise<number[]>;
}
