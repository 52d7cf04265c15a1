import type { SqlExecutor } from '../../src/db/index.ts';
import { seededRandom } from '../../src/core/seeded-random.ts';
import { vectorToSql } from '../../src/db/index.ts';

/** Rows written straight into the schema, for storage tests that precede ingestion. */
export async function insertDocument(
  executor: SqlExecutor,
  input: { kbId: string; source: string; chunks: { text: string; embedding?: number[]; terms?: string[] }[] },
): Promise<{ documentId: string; chunkIds: string[] }> {
  const document = await executor.query<{ id: string }>(
    `INSERT INTO documents (kb_id, source, title, content_type, content_hash, chunk_count)
     VALUES ($1, $2, $2, 'text/markdown', md5($2), $3) RETURNING id`,
    [input.kbId, input.source, input.chunks.length],
  );
  const documentId = document.rows[0]!.id;
  const chunkIds: string[] = [];
  for (const [ordinal, chunk] of input.chunks.entries()) {
    const inserted = await executor.query<{ id: string }>(
      `INSERT INTO chunks (document_id, kb_id, ordinal, text, token_count, content_hash, embedding, embedding_dim, term_count)
       VALUES ($1, $2, $3, $4, $5, md5($4), $6::vector, $7, $8) RETURNING id`,
      [
        documentId,
        input.kbId,
        ordinal,
        chunk.text,
        chunk.text.split(/\s+/).length,
        chunk.embedding ? vectorToSql(chunk.embedding) : null,
        chunk.embedding?.length ?? null,
        chunk.terms?.length ?? 0,
      ],
    );
    const chunkId = String(inserted.rows[0]!.id);
    chunkIds.push(chunkId);
    for (const term of new Set(chunk.terms ?? [])) {
      await executor.query(`INSERT INTO chunk_terms (kb_id, term, chunk_id, frequency) VALUES ($1, $2, $3, 1)`, [
        input.kbId,
        term,
        chunkId,
      ]);
    }
  }
  return { documentId, chunkIds };
}

/** A deterministic pseudo-random unit vector (mulberry32), so failures reproduce. */
export function seededUnitVector(seed: number, dimension: number): number[] {
  const random = seededRandom(seed);
  const next = () => random() - 0.5;
  const vector = Array.from({ length: dimension }, next);
  const norm = Math.hypot(...vector);
  return vector.map((value) => value / norm);
}

export function cosineDistance(left: readonly number[], right: readonly number[]): number {
  let dot = 0;
  let leftNorm = 0;
  let rightNorm = 0;
  left.forEach((value, index) => {
    const other = right[index] ?? 0;
    dot += value * other;
    leftNorm += value * value;
    rightNorm += other * other;
  });
  return 1 - dot / Math.sqrt(leftNorm * rightNorm);
}
