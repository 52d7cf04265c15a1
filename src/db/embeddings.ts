import type { SqlExecutor } from './database.ts';
import { vectorToSql } from './vectors.ts';

export interface ChunkToEmbed {
  chunkId: string;
  title: string | null;
  headingPath: string[];
  text: string;
}

/** The next chunks of a KB that have no vector, in id order so a batch loop always advances. */
export async function chunksWithoutEmbedding(
  executor: SqlExecutor,
  input: { kbId: string; afterChunkId: string | null; limit: number },
): Promise<ChunkToEmbed[]> {
  const result = await executor.query<{ id: string; title: string | null; heading_path: string[]; text: string }>(
    `SELECT c.id, d.title, c.heading_path, c.text
       FROM chunks c JOIN documents d ON d.id = c.document_id
      WHERE c.kb_id = $1 AND c.embedding IS NULL AND ($2::bigint IS NULL OR c.id > $2::bigint)
      ORDER BY c.id
      LIMIT $3`,
    [input.kbId, input.afterChunkId, input.limit],
  );
  return result.rows.map((row) => ({ chunkId: String(row.id), title: row.title, headingPath: row.heading_path, text: row.text }));
}

export async function countChunksWithoutEmbedding(executor: SqlExecutor, kbId: string): Promise<number> {
  const result = await executor.query<{ n: string }>(
    `SELECT count(*) AS n FROM chunks WHERE kb_id = $1 AND embedding IS NULL`,
    [kbId],
  );
  return Number(result.rows[0]?.n ?? 0);
}

export async function setChunkEmbeddings(
  executor: SqlExecutor,
  rows: readonly { chunkId: string; embedding: readonly number[] }[],
): Promise<void> {
  if (rows.length === 0) return;
  await executor.query(
    `UPDATE chunks SET embedding = item.embedding::vector, embedding_dim = vector_dims(item.embedding::vector)
       FROM unnest($1::bigint[], $2::text[]) AS item(id, embedding)
      WHERE chunks.id = item.id`,
    [rows.map((row) => row.chunkId), rows.map((row) => vectorToSql(row.embedding))],
  );
}

/**
 * Points a KB at another embedder: its old vectors are dropped at once (two
 * embedders' vectors must never be compared) and re-embedded by the caller.
 */
export async function switchKnowledgeBaseEmbedder(transaction: SqlExecutor, kbId: string, embedder: string): Promise<void> {
  await transaction.query(`UPDATE chunks SET embedding = NULL, embedding_dim = NULL WHERE kb_id = $1`, [kbId]);
  await transaction.query(
    `UPDATE knowledge_bases SET embedder = $2, embedding_dim = NULL, version = version + 1, updated_at = now() WHERE id = $1`,
    [kbId, embedder],
  );
}
