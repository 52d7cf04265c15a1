import pgvector from 'pgvector';
import { OrioleError } from '../core/index.ts';
import type { Database } from './database.ts';

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

/** Which chunks a vector search may return; the same semantics as `LexicalFilters`. */
export interface VectorFilters {
  documentIds?: string[];
  /** Documents whose `source` is one of these. */
  sources?: string[];
  /** Documents whose tags contain every one of these key/value pairs (`documents.tags @> …`). */
  tags?: Record<string, string>;
}

export interface VectorSearchInput {
  kbId: string;
  vector: readonly number[];
  limit: number;
  filters?: VectorFilters;
}

const maxLimit = 10_000;
const maxDimension = 16_000;
/**
 * HNSW candidate list per query: at least pgvector's default of 40, and twice the
 * rows asked for so the top `limit` is drawn from a wider beam. pgvector caps it at 1000.
 */
const minimumEfSearch = 40;
const maximumEfSearch = 1_000;
const efSearchPerResult = 2;

/**
 * The `limit` chunks of a KB nearest to `vector` by cosine distance, nearest first.
 *
 * The dimension is written into the SQL as a literal so the planner can match the
 * partial HNSW index of that dimension (a parameter would hide it). The search runs
 * in a transaction of its own with `hnsw.ef_search` sized to `limit` and
 * `hnsw.iterative_scan = relaxed_order` (pgvector ≥ 0.8): when filters reject most
 * of the nearest rows, the index scan goes on until `limit` rows pass (up to
 * pgvector's `hnsw.max_scan_tuples`, 20,000 by default) instead of returning fewer.
 * Relaxed order may return rows slightly out of order; they are re-sorted by
 * distance here. When the index still yields fewer than `limit` rows (a small KB in a
 * large database, a filter keeping a rare few), the matching rows are ranked exactly,
 * so `limit` rows come back whenever that many match.
 */
export async function nearestChunks(database: Database, input: VectorSearchInput): Promise<VectorNeighbour[]> {
  const dimension = input.vector.length;
  if (!Number.isInteger(dimension) || dimension < 1 || dimension > maxDimension) {
    throw new OrioleError('invalid_request', `Unsupported vector dimension ${dimension}`);
  }
  if (!Number.isInteger(input.limit) || input.limit < 1 || input.limit > maxLimit) {
    throw new OrioleError('invalid_request', `limit must be an integer from 1 to ${maxLimit}`);
  }
  const values: unknown[] = [input.kbId, vectorToSql(input.vector), input.limit];
  const conditions = filterConditions(input.filters ?? {}, values);
  const efSearch = Math.min(maximumEfSearch, Math.max(minimumEfSearch, efSearchPerResult * input.limit));
  const iterative = await supportsIterativeScans(database);
  const indexType = (await vectorIndexTypes(database)).get(dimension) ?? 'vector';
  const rows = await database.transaction(async (transaction) => {
    // set_config(…, true) is SET LOCAL: the settings end with this transaction, whatever the pool does next.
    await transaction.query(
      iterative
        ? `SELECT set_config('hnsw.ef_search', $1, true), set_config('hnsw.iterative_scan', 'relaxed_order', true)`
        : `SELECT set_config('hnsw.ef_search', $1, true)`,
      [String(efSearch)],
    );
    const result = await transaction.query<{ id: string; document_id: string; distance: number }>(
      nearestChunksSql(dimension, conditions, indexType),
      values,
    );
    if (result.rows.length === input.limit) return result.rows;
    // Fewer than asked: either that is all there is, or the index scan gave up first (an
    // iterative scan stops after hnsw.max_scan_tuples, 20,000 by default), as it does when
    // the KB or the filters keep a rare few of the index's rows. Those few are cheap to
    // rank exactly, so the answer never depends on how rare they are.
    const exact = await transaction.query<{ id: string; document_id: string; distance: number }>(
      exactNearestChunksSql(dimension, conditions),
      values,
    );
    return exact.rows;
  });
  return rows.map((row) => ({ chunkId: String(row.id), documentId: row.document_id, distance: Number(row.distance) }));
}

const iterativeScanSupport = new WeakMap<Database, Promise<boolean>>();

/**
 * pgvector 0.7 (still supported: the README asks for ≥ 0.7) has no iterative scans: there a
 * filtered query gets the larger ef_search only, and may return fewer rows. Asked
 * once per database.
 */
function supportsIterativeScans(database: Database): Promise<boolean> {
  let known = iterativeScanSupport.get(database);
  if (!known) {
    known = database
      .query<{ version: string }>(`SELECT extversion AS version FROM pg_extension WHERE extname = 'vector'`)
      .then((result) => {
        const [major = 0, minor = 0] = (result.rows[0]?.version ?? '0.0').split('.').map(Number);
        return major > 0 || minor >= 8;
      });
    known.catch(() => iterativeScanSupport.delete(database));
    iterativeScanSupport.set(database, known);
  }
  return known;
}

type IndexType = 'vector' | 'halfvec';

interface KnownIndexTypes {
  readAt: number;
  types: Promise<Map<number, IndexType>>;
}

const indexTypes = new WeakMap<Database, KnownIndexTypes>();
/** How long a reading of the indexes' types is trusted: an operator's switch is picked up within a minute, no restart. */
const indexTypesTtlMs = 60_000;

/**
 * What each dimension's HNSW index (`chunks_embedding_<dimension>_idx`) stores: `vector`, as
 * migration 001 builds it, or `halfvec` when an operator rebuilt it at half precision to
 * halve its size (docs/scaling.md, "halfvec"). A query must use the index's own expression
 * for the planner to use the index, so this decides the statement's casts.
 */
function vectorIndexTypes(database: Database): Promise<Map<number, IndexType>> {
  const known = indexTypes.get(database);
  if (known && Date.now() - known.readAt < indexTypesTtlMs) return known.types;
  const types = database
    .query<{ name: string; operators: string }>(
      `SELECT index_class.relname AS name, operator_class.opcname AS operators
         FROM pg_index i
         JOIN pg_class index_class ON index_class.oid = i.indexrelid
         JOIN pg_opclass operator_class ON operator_class.oid = i.indclass[0]
        WHERE i.indrelid = 'chunks'::regclass AND index_class.relname LIKE 'chunks\\_embedding\\_%\\_idx'`,
    )
    .then((result) => {
      const byDimension = new Map<number, IndexType>();
      for (const row of result.rows) {
        const dimension = /^chunks_embedding_(\d+)_idx$/.exec(row.name)?.[1];
        if (dimension) byDimension.set(Number(dimension), row.operators.startsWith('halfvec') ? 'halfvec' : 'vector');
      }
      return byDimension;
    });
  types.catch(() => indexTypes.delete(database));
  indexTypes.set(database, { readAt: Date.now(), types });
  return types;
}

/**
 * The statement of `nearestChunks`. The
 * filters become `document_id = ANY(ARRAY(…))`, computed once before the index scan,
 * so the plan stays an ordered HNSW scan with a filter rather than a join. With a
 * `halfvec` index the order comes from half-precision distances (what the index holds)
 * and the distance returned is still the exact one.
 */
function nearestChunksSql(dimension: number, conditions: string[], indexType: IndexType): string {
  const exactDistance = `embedding::vector(${dimension}) <=> $2::vector(${dimension})`;
  const indexedDistance = `embedding::${indexType}(${dimension}) <=> $2::${indexType}(${dimension})`;
  return `WITH nearest AS MATERIALIZED (
       SELECT id, document_id, ${exactDistance} AS distance
         FROM chunks
        WHERE kb_id = $1 AND embedding_dim = ${dimension}${conditions.map((condition) => ` AND ${condition}`).join('')}
        ORDER BY ${indexedDistance}
        LIMIT $3
     )
     SELECT id, document_id, distance FROM nearest ORDER BY distance, id`;
}

/**
 * The exact nearest rows: the matching rows are gathered first (a materialized CTE, which
 * no HNSW index can serve), through the btree indexes on kb_id and document_id, then ranked.
 */
function exactNearestChunksSql(dimension: number, conditions: string[]): string {
  return `WITH matching AS MATERIALIZED (
       SELECT id, document_id, embedding
         FROM chunks
        WHERE kb_id = $1 AND embedding_dim = ${dimension}${conditions.map((condition) => ` AND ${condition}`).join('')}
     )
     SELECT id, document_id, embedding::vector(${dimension}) <=> $2::vector(${dimension}) AS distance
       FROM matching
      ORDER BY distance, id
      LIMIT $3`;
}

/** Conditions on `chunks` for the filters, their values appended to `values`. */
function filterConditions(filters: VectorFilters, values: unknown[]): string[] {
  const conditions: string[] = [];
  if (filters.documentIds) {
    values.push(filters.documentIds);
    conditions.push(`document_id = ANY($${values.length}::uuid[])`);
  }
  const documentConditions: string[] = [];
  if (filters.sources) {
    values.push(filters.sources);
    documentConditions.push(`source = ANY($${values.length}::text[])`);
  }
  if (filters.tags && Object.keys(filters.tags).length > 0) {
    values.push(JSON.stringify(filters.tags));
    documentConditions.push(`tags @> $${values.length}::jsonb`);
  }
  if (documentConditions.length > 0) {
    conditions.push(
      `document_id = ANY(ARRAY(SELECT id FROM documents WHERE kb_id = $1 AND ${documentConditions.join(' AND ')}))`,
    );
  }
  return conditions;
}
