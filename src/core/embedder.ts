import { OrioleError } from './errors.ts';

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

/**
 * Refuses to use a knowledge base with an embedder other than the one its vectors came
 * from: vectors of two models live in different spaces, so searching or adding to the
 * KB would compare or mix them (`embedder_mismatch` until `oriole reindex`; docs/embedders.md).
 * One rule and one message for ingest, upload and search.
 */
export function assertEmbedderMatches(kb: { name: string; embedder: string }, configuredEmbedder: string): void {
  if (kb.embedder === configuredEmbedder) return;
  throw new OrioleError(
    'embedder_mismatch',
    `Knowledge base '${kb.name}' was embedded with '${kb.embedder}', but this server uses '${configuredEmbedder}'. ` +
      `Set ORIOLE_EMBEDDER=${kb.embedder}, or re-embed the KB with 'oriole reindex --kb ${kb.name} --embedder ${configuredEmbedder}'.`,
    { details: { kb: kb.name, kbEmbedder: kb.embedder, configured: configuredEmbedder } },
  );
}
