import { OrioleError, type Embedder } from '../../src/core/index.ts';
import {
  bumpKnowledgeBaseVersion,
  chunksWithoutEmbedding,
  claimEmbeddingDimension,
  countChunksWithoutEmbedding,
  setChunkEmbeddings,
  switchKnowledgeBaseEmbedder,
  type Database,
  type KnowledgeBase,
} from '../../src/db/index.ts';
import { indexText } from './fingerprints.ts';

export interface ReindexResult {
  embedded: number;
  switchedFrom: string | null;
}

/**
 * Embeds a KB's chunks that have no vector (stored while the model was unavailable,
 * or dropped by an embedder switch). Batches commit one by one, so an interrupted
 * run resumes where it stopped.
 */
export async function reindexKnowledgeBase(
  database: Database,
  kb: KnowledgeBase,
  embedder: Embedder,
  onProgress?: (done: number, total: number) => void,
): Promise<ReindexResult> {
  let switchedFrom: string | null = null;
  if (kb.embedder !== embedder.id) {
    switchedFrom = kb.embedder;
    await database.transaction((transaction) => switchKnowledgeBaseEmbedder(transaction, kb.id, embedder.id));
  }
  const total = await countChunksWithoutEmbedding(database, kb.id);
  if (total === 0) return { embedded: 0, switchedFrom };
  await claimEmbeddingDimension(database, kb.id, embedder.dimension);
  let embedded = 0;
  let after: string | null = null;
  for (;;) {
    const batch = await chunksWithoutEmbedding(database, { kbId: kb.id, afterChunkId: after, limit: embedder.maxBatchSize });
    if (batch.length === 0) break;
    const vectors = await embedder.embedDocuments(batch.map((chunk) => indexText(chunk.title, chunk)));
    if (vectors.length !== batch.length) throw new OrioleError('internal', 'The embedder returned a wrong number of vectors');
    await setChunkEmbeddings(
      database,
      batch.map((chunk, index) => ({ chunkId: chunk.chunkId, embedding: vectors[index]! })),
    );
    embedded += batch.length;
    after = batch.at(-1)!.chunkId;
    onProgress?.(embedded, total);
  }
  await bumpKnowledgeBaseVersion(database, kb.id);
  return { embedded, switchedFrom };
}
