import pgvector from 'pgvector';
import { OrioleError } from '../core/index.ts';
import type { SqlExecutor } from './database.ts';

/** pgvector's text form, `[0.1,0.2,…]`, which both backends accept as a parameter. */
export function vectorToSql(vector: readonly number[]): string {
  for (const value of vector) {
    if (!Number.isFinite(value)) throw new OrioleError('invalid_request', 'A vector holds a non-finite number');
  }
  return pgvector.toSql(Array.from(vector)) as string;
}

export function vectorFromSql(text: string): number[] {
  return pgvector.fromSql(text) as number[];
}

export interface VectorNeighbour {
  chunkId: string;
  documentId: string;
  /** Cosine distance in [0, 2]; smaller is nearer. */
  distance: number;
}

/**
 * The `limit` chunks of a KB nearest to `vector` by cosine distance. The dimension
 * is written into the SQL as a literal so the planner can match the partial HNSW
 * index of that dimension (a parameter would hide it).
 */
export async function nearestChunks(
  executor: SqlExecutor,
  input: { kbId: string; vector: readonly number[]; limit: number },
): Promise<VectorNeighbour[]> {
  const dimension = input.vector.length;
  if (!Number.isInteger(dimension) || dimension < 1 || dimension > 16000) {
    throw new OrioleError('invalid_request', `Unsupported vector dimension ${dimension}`);
  }
  const result = await executor.query<{ id: string; document_id: string; distance: number }>(
    `SELECT id, document_id, embedding::vector(${dimension}) <=> $2::vector(${dimension}) AS distance
       FROM chunks
      WHERE kb_id = $1 AND embedding_dim = ${dimension}
      ORDER BY embedding::vector(${dimension}) <=> $2::vector(${dimension})
      LIMIT $3`,
    [input.kbId, vectorToSql(input.vector), input.limit],
  );
  return result.rows.map((row) => ({
    chunkId: String(row.id),
    documentId: row.document_id,
    distance: Number(row.distance),
  }));
}
