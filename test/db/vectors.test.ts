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

/** `database`, with every statement run in its transactions recorded (what nearestChunks runs there). */
function recordingTransactions(database: Database): { database: Database; statements: { text: string; values: readonly unknown[] }[] } {
  const statements: { text: string; values: readonly unknown[] }[] = [];
  const wrapped: Database = {
    backend: database.backend,
    query: (text, values) => database.query(text, values),
    transaction: (work) =>
      database.transaction((transaction) =>
        work({
          query: (text, values) => {
            statements.push({ text, values: values ?? [] });
            return transaction.query(text, values);
          },
        }),
      ),
    close: () => database.close(),
  };
  return { database: wrapped, statements };
}

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

  const recording = () => recordingTransactions(database);

  async function planOf(statement: { text: string; values: readonly unknown[] }, settings: string[]): Promise<string> {
    return database.transaction(async (transaction) => {
      for (const setting of settings) await transaction.query(setting);
      const explained = await transaction.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${statement.text}`, statement.values);
      return explained.rows.map((row) => row['QUERY PLAN']).join('\n');
    });
  }

  const exactNearest = (query: number[], allowed: (id: string) => boolean, limit: number) =>
    [...vectors.entries()]
      .filter(([id]) => allowed(id))
      .map(([id, vector]) => ({ id, distance: cosineDistance(query, vector) }))
      .sort((left, right) => left.distance - right.distance)
      .slice(0, limit);

  it('answers through the HNSW index of its dimension, with ef_search and iterative scans set', async () => {
    const query = seededUnitVector(7, dimension);
    const { database: recorded, statements } = recording();
    const found = await nearestChunks(recorded, { kbId: kb.id, vector: query, limit: 5 });
    expect(found.map((row) => row.chunkId)).toEqual(exactNearest(query, () => true, 5).map((row) => row.id));

    const [settings, search] = statements;
    expect(settings!.text).toContain('hnsw.iterative_scan');
    expect(settings!.values).toEqual(['40']);
    // Rule out every plan but an ordered index scan, so the plan shows the index can answer this exact statement.
    const plan = await planOf(search!, ['SET LOCAL enable_seqscan = off', 'SET LOCAL enable_bitmapscan = off']);
    expect(plan).toContain('chunks_embedding_384_idx');

    const filtered = recording();
    await nearestChunks(filtered.database, { kbId: kb.id, vector: query, limit: 5, filters: { sources: ['many.md'] } });
    const filteredPlan = await planOf(filtered.statements[1]!, ['SET LOCAL enable_seqscan = off', 'SET LOCAL enable_bitmapscan = off']);
    expect(filteredPlan).toContain('chunks_embedding_384_idx');
  });

  it('sizes ef_search to the limit', async () => {
    const { database: recorded, statements } = recording();
    const found = await nearestChunks(recorded, { kbId: kb.id, vector: seededUnitVector(3, dimension), limit: 60 });
    expect(found).toHaveLength(60);
    expect(statements[0]!.values).toEqual(['120']);
    const distances = found.map((row) => row.distance);
    expect(distances).toEqual([...distances].sort((left, right) => left - right));
  });

  describe('with filters that reject most chunks', () => {
    const filteredRows = 200;
    const allowedEvery = 10;
    let filteredKb: KnowledgeBase;
    const filteredVectors = new Map<string, number[]>();
    const allowedIds = new Set<string>();
    const documentIds: string[] = [];

    beforeAll(async () => {
      filteredKb = await createKnowledgeBase(database, { name: 'filtered', embedder: 'test:384' });
      // 200 chunks in 20 documents of 10; the filters below allow one document in ten, 20 chunks.
      for (let documentIndex = 0; documentIndex < filteredRows / 10; documentIndex += 1) {
        const chunks = Array.from({ length: 10 }, (_, offset) => ({
          text: `filtered ${documentIndex}.${offset}`,
          embedding: seededUnitVector(1_000 + documentIndex * 10 + offset, dimension),
        }));
        const source = documentIndex % allowedEvery === 0 ? `allowed/${documentIndex}.md` : `other/${documentIndex}.md`;
        const { documentId, chunkIds } = await insertDocument(database, { kbId: filteredKb.id, source, chunks });
        documentIds.push(documentId);
        chunkIds.forEach((id, index) => {
          filteredVectors.set(id, chunks[index]!.embedding);
          if (source.startsWith('allowed/')) allowedIds.add(id);
        });
        if (source.startsWith('allowed/')) {
          await database.query('UPDATE documents SET tags = $1 WHERE id = $2', [JSON.stringify({ audience: 'admin' }), documentId]);
        }
      }
      await database.query('ANALYZE chunks');
    });

    const nearestAllowed = (query: number[], limit: number) =>
      [...filteredVectors.entries()]
        .filter(([id]) => allowedIds.has(id))
        .map(([id, vector]) => ({ id, distance: cosineDistance(query, vector) }))
        .sort((left, right) => left.distance - right.distance)
        .slice(0, limit)
        .map((row) => row.id);

    it('still returns `limit` rows, nearest first, by source, tags or document', async () => {
      const query = seededUnitVector(4242, dimension);
      const sources = ['allowed/0.md', 'allowed/10.md'];
      const documents = [documentIds[0]!, documentIds[10]!];
      for (const filters of [{ sources }, { tags: { audience: 'admin' } }, { documentIds: documents }]) {
        const found = await nearestChunks(database, { kbId: filteredKb.id, vector: query, limit: 10, filters });
        expect(found).toHaveLength(10);
        expect(found.every((row) => allowedIds.has(row.chunkId))).toBe(true);
        // 20 rows pass the filter; HNSW may miss one, but the order is always by distance.
        const distances = found.map((row) => row.distance);
        expect(distances).toEqual([...distances].sort((left, right) => left - right));
        const overlap = found.filter((row) => nearestAllowed(query, 10).includes(row.chunkId)).length;
        expect(overlap).toBeGreaterThanOrEqual(9);
      }
    });

    it('ranks the matching rows exactly when the index scan gives up before finding `limit`', async () => {
      // pgvector's iterative scan stops after hnsw.max_scan_tuples (20,000) index tuples, so a filter
      // keeping a rare few rows of a large index gets fewer rows than exist; a 200-row index never
      // gets there, so the index's answer is cut short here, as a large one would be.
      const shortIndex: Database = {
        ...database,
        backend: database.backend,
        query: (text, values) => database.query(text, values),
        transaction: (work) =>
          database.transaction((transaction) =>
            work({
              query: async <Row extends object>(text: string, values?: readonly unknown[]) => {
                const result = await transaction.query<Row>(text, values);
                return text.includes('WITH nearest') ? { rows: result.rows.slice(0, 3), rowCount: 3 } : result;
              },
            }),
          ),
        close: () => database.close(),
      };
      const query = seededUnitVector(4243, dimension);
      const found = await nearestChunks(shortIndex, { kbId: filteredKb.id, vector: query, limit: 10, filters: { tags: { audience: 'admin' } } });
      expect(found.map((row) => row.chunkId)).toEqual(nearestAllowed(query, 10));
      found.forEach((row) => expect(row.distance).toBeCloseTo(cosineDistance(query, filteredVectors.get(row.chunkId)!), 5));
    });

    it('returns every matching row when fewer than `limit` match', async () => {
      const found = await nearestChunks(database, {
        kbId: filteredKb.id,
        vector: seededUnitVector(5, dimension),
        limit: 50,
        filters: { sources: ['allowed/0.md', 'allowed/10.md'] },
      });
      expect(found.map((row) => row.chunkId).sort()).toEqual([...allowedIds].sort());
      const none = await nearestChunks(database, {
        kbId: filteredKb.id,
        vector: seededUnitVector(5, dimension),
        limit: 5,
        filters: { tags: { audience: 'nobody' } },
      });
      expect(none).toEqual([]);
    });
  });

  it('refuses an invalid limit', async () => {
    await expect(nearestChunks(database, { kbId: kb.id, vector: seededUnitVector(1, dimension), limit: 0 })).rejects.toThrow(
      /limit/,
    );
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

describe.each(testBackends())('a halfvec index on $name', (backend) => {
  let database: Database;
  let kb: KnowledgeBase;
  const vectors = new Map<string, number[]>();

  beforeAll(async () => {
    database = await openMigrated(backend);
    kb = await createKnowledgeBase(database, { name: 'half', embedder: 'test:384' });
    const chunks = Array.from({ length: rowCount }, (_, index) => ({ text: `passage ${index}`, embedding: seededUnitVector(index + 7, dimension) }));
    const { chunkIds } = await insertDocument(database, { kbId: kb.id, source: 'many.md', chunks });
    chunkIds.forEach((id, index) => vectors.set(id, chunks[index]!.embedding));
    // What docs/scaling.md tells an operator to run to halve the index: same name, half precision.
    await database.query(
      `CREATE INDEX chunks_embedding_384_half ON chunks USING hnsw ((embedding::halfvec(384)) halfvec_cosine_ops) WHERE embedding_dim = 384`,
    );
    await database.query(`DROP INDEX chunks_embedding_384_idx`);
    await database.query(`ALTER INDEX chunks_embedding_384_half RENAME TO chunks_embedding_384_idx`);
  });
  afterAll(() => backend.cleanup());

  it('is searched through, returning the nearest rows with their exact distances', async () => {
    const query = seededUnitVector(99, dimension);
    const expected = [...vectors.entries()]
      .map(([id, vector]) => ({ id, distance: cosineDistance(query, vector) }))
      .sort((left, right) => left.distance - right.distance)
      .slice(0, 5);
    const { database: recorded, statements } = recordingTransactions(database);
    const found = await nearestChunks(recorded, { kbId: kb.id, vector: query, limit: 5 });
    expect(found.map((row) => row.chunkId)).toEqual(expected.map((row) => row.id));
    // Exact, not half-precision, distances: halfvec alone would agree to about three digits only.
    found.forEach((row, index) => expect(row.distance).toBeCloseTo(expected[index]!.distance, 6));

    const plan = await database.transaction(async (transaction) => {
      await transaction.query('SET LOCAL enable_seqscan = off');
      await transaction.query('SET LOCAL enable_bitmapscan = off');
      const search = statements[1]!;
      const explained = await transaction.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${search.text}`, search.values);
      return explained.rows.map((row) => row['QUERY PLAN']).join('\n');
    });
    expect(plan).toContain('Index Scan using chunks_embedding_384_idx');
    expect(plan).toContain('halfvec');
  });
});
