import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createKnowledgeBase,
  nearestChunks,
  vectorFromSql,
  type Database,
  type KnowledgeBase,
} from '../../src/db/index.ts';
import { openMigrated, testBackends } from '../helpers/databases.ts';
import { cosineDistance, insertDocument, seededUnitVector } from '../helpers/fixtures.ts';

const dimension = 384;
const rowCount = 300;

describe.each(testBackends())('vectors on $name', (backend) => {
  let database: Database;
  let kb: KnowledgeBase;
  const vectors = new Map<string, number[]>();

  beforeAll(async () => {
    database = await openMigrated(backend);
    kb = await createKnowledgeBase(database, { name: 'vectors', embedder: 'test:384' });
    const other = await createKnowledgeBase(database, { name: 'other', embedder: 'test:384' });
    const chunks = Array.from({ length: rowCount }, (_, index) => ({
      text: `passage ${index}`,
      embedding: seededUnitVector(index + 1, dimension),
    }));
    const { chunkIds } = await insertDocument(database, { kbId: kb.id, source: 'many.md', chunks });
    chunkIds.forEach((id, index) => vectors.set(id, chunks[index]!.embedding));
    // A KB with vectors identical to the query must never leak into another KB's results.
    await insertDocument(database, {
      kbId: other.id,
      source: 'decoy.md',
      chunks: [{ text: 'decoy', embedding: seededUnitVector(42, dimension) }],
    });
  });
  afterAll(() => backend.cleanup());

  it('round-trips a vector exactly (float4 precision)', async () => {
    const [id, original] = [...vectors.entries()][0]!;
    const result = await database.query<{ embedding: string }>(
      'SELECT embedding::text AS embedding FROM chunks WHERE id = $1',
      [id],
    );
    const stored = vectorFromSql(result.rows[0]!.embedding);
    expect(stored).toHaveLength(dimension);
    stored.forEach((value, index) => expect(value).toBeCloseTo(original[index]!, 6));
  });

  it('returns the nearest rows of the KB by cosine distance', async () => {
    const query = seededUnitVector(42, dimension);
    const expected = [...vectors.entries()]
      .map(([id, vector]) => ({ id, distance: cosineDistance(query, vector) }))
      .sort((left, right) => left.distance - right.distance)
      .slice(0, 5);
    const found = await nearestChunks(database, { kbId: kb.id, vector: query, limit: 5 });
    // HNSW is approximate; on 300 rows with default ef_search it finds the exact top 5.
    expect(found.map((row) => row.chunkId)).toEqual(expected.map((row) => row.id));
    found.forEach((row, index) => expect(row.distance).toBeCloseTo(expected[index]!.distance, 4));
  });

  it('finds the same nearest rows through the HNSW index of its dimension', async () => {
    const query = seededUnitVector(7, dimension);
    const { plan, found } = await database.transaction(async (transaction) => {
      // Rule out every plan but an ordered index scan, so the HNSW index is what answers.
      await transaction.query('SET LOCAL enable_seqscan = off');
      await transaction.query('SET LOCAL enable_bitmapscan = off');
      await transaction.query('SET LOCAL enable_sort = off');
      const explained = await transaction.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN SELECT id FROM chunks WHERE kb_id = $1 AND embedding_dim = ${dimension}
          ORDER BY embedding::vector(${dimension}) <=> $2::vector(${dimension}) LIMIT 5`,
        [kb.id, `[${query.join(',')}]`],
      );
      const rows = await nearestChunks(transaction, { kbId: kb.id, vector: query, limit: 5 });
      return { plan: explained.rows.map((row) => row['QUERY PLAN']).join('\n'), found: rows };
    });
    expect(plan).toContain('chunks_embedding_384_idx');
    const expected = [...vectors.entries()]
      .map(([id, vector]) => ({ id, distance: cosineDistance(query, vector) }))
      .sort((left, right) => left.distance - right.distance)
      .slice(0, 5);
    expect(found.map((row) => row.chunkId)).toEqual(expected.map((row) => row.id));
  });

  it('refuses a vector whose dimension does not match its declared one', async () => {
    await expect(
      database.query(
        `INSERT INTO chunks (document_id, kb_id, ordinal, text, token_count, content_hash, embedding, embedding_dim)
         SELECT document_id, kb_id, 10000, 'x', 1, 'x', '[1,2,3]'::vector, 4 FROM chunks LIMIT 1`,
      ),
    ).rejects.toThrow(/check constraint/);
  });
});
