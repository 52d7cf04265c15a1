import { OrioleError } from '../core/index.ts';
import type { SqlExecutor } from './database.ts';

/** One chunk's postings: each lexical term with its frequency in the chunk. */
export interface ChunkTerms {
  chunkId: string;
  terms: Map<string, number>;
}

export interface LexicalFilters {
  documentIds?: string[];
  /** Documents whose `source` is one of these. */
  sources?: string[];
  /** Documents whose tags contain every one of these key/value pairs. */
  tags?: Record<string, string>;
}

export interface LexicalSearchInput {
  kbId: string;
  /** The query's lexical terms; a term given twice counts twice (see `queryTermWeighting`). */
  terms: string[];
  limit: number;
  filters?: LexicalFilters;
  k1?: number;
  b?: number;
}

export interface LexicalMatch {
  chunkId: string;
  documentId: string;
  score: number;
}

/**
 * BM25 parameters used when a caller gives none: the values of `bm25Defaults` in
 * src/retrieval/lexical (storage does not import retrieval; a test keeps them equal).
 */
export const lexicalSearchDefaults = { k1: 0.9, b: 0.4 } as const;

/**
 * Postings per INSERT. Arrays travel as 4 parameters whatever their length, so the
 * 65535-parameter limit never applies; the batch only bounds one statement's memory.
 */
const postingsPerStatement = 10_000;
/** The longest term a btree entry takes with room to spare (its limit is ~2700 bytes). */
const maxTermBytes = 1_000;
const maxLimit = 10_000;
const utf8 = new TextEncoder();
/**
 * Scores are rounded to 1e-9: a float sum depends on the order rows reach it, which
 * depends on the plan, and identical chunks (duplicated pages) must tie exactly so
 * the chunk-id tie-break decides, the same way on every backend and plan.
 */
const scoreScale = 1e9;

/**
 * Replaces the postings of `chunks` (all of KB `kbId`) and sets each chunk's
 * `term_count`, the document length of BM25. Call it in the transaction that
 * writes the chunks, so a query never sees chunks without their postings.
 */
export async function writeChunkTerms(executor: SqlExecutor, kbId: string, chunks: ChunkTerms[]): Promise<void> {
  if (chunks.length === 0) return;
  const chunkIds = chunks.map((chunk) => chunk.chunkId);
  const termCounts = chunks.map((chunk) => {
    let total = 0;
    for (const [term, frequency] of chunk.terms) {
      if (!Number.isInteger(frequency) || frequency < 1) {
        throw new OrioleError('invalid_request', `Term frequency must be a positive integer (chunk ${chunk.chunkId})`);
      }
      if (term.length === 0 || utf8.encode(term).length > maxTermBytes) {
        throw new OrioleError('invalid_request', `A lexical term is empty or longer than ${maxTermBytes} bytes`);
      }
      total += frequency;
    }
    return total;
  });

  const updated = await executor.query(
    `UPDATE chunks SET term_count = input.term_count
       FROM unnest($2::bigint[], $3::integer[]) AS input(id, term_count)
      WHERE chunks.id = input.id AND chunks.kb_id = $1`,
    [kbId, chunkIds, termCounts],
  );
  if (updated.rowCount !== new Set(chunkIds).size) {
    throw new OrioleError('invalid_request', `Some chunks given for lexical indexing are not in knowledge base ${kbId}`);
  }
  await executor.query(`DELETE FROM chunk_terms WHERE chunk_id = ANY($1::bigint[])`, [chunkIds]);

  let terms: string[] = [];
  let postingChunkIds: string[] = [];
  let frequencies: number[] = [];
  const flush = async (): Promise<void> => {
    if (terms.length === 0) return;
    await executor.query(
      `INSERT INTO chunk_terms (kb_id, term, chunk_id, frequency)
       SELECT $1, term, chunk_id, frequency FROM unnest($2::text[], $3::bigint[], $4::integer[]) AS input(term, chunk_id, frequency)`,
      [kbId, terms, postingChunkIds, frequencies],
    );
    terms = [];
    postingChunkIds = [];
    frequencies = [];
  };
  for (const chunk of chunks) {
    for (const [term, frequency] of chunk.terms) {
      terms.push(term);
      postingChunkIds.push(chunk.chunkId);
      frequencies.push(frequency);
      if (terms.length >= postingsPerStatement) await flush();
    }
  }
  await flush();
}

/**
 * The `limit` chunks of a KB that score highest under Okapi BM25 for `terms`, best
 * first, ties broken by chunk id. Everything is computed at query time: N and the
 * average chunk length from the KB's chunks, each term's document frequency from
 * the primary key of chunk_terms, then
 *   idf(t) = ln(1 + (N − df + 0.5) / (df + 0.5))
 *   score  = Σ idf(t) · tf · (k1 + 1) / (tf + k1 · (1 − b + b · dl / avgdl))
 * Filters restrict the chunks before ranking, so `limit` rows come back whenever
 * that many matching chunks exist.
 */
export async function searchLexical(executor: SqlExecutor, input: LexicalSearchInput): Promise<LexicalMatch[]> {
  const k1 = input.k1 ?? lexicalSearchDefaults.k1;
  const b = input.b ?? lexicalSearchDefaults.b;
  if (!Number.isFinite(k1) || k1 < 0 || !Number.isFinite(b) || b < 0 || b > 1) {
    throw new OrioleError('invalid_request', 'BM25 needs k1 ≥ 0 and b between 0 and 1', { details: { k1, b } });
  }
  if (!Number.isInteger(input.limit) || input.limit < 1 || input.limit > maxLimit) {
    throw new OrioleError('invalid_request', `limit must be an integer from 1 to ${maxLimit}`);
  }
  const weights = new Map<string, number>();
  for (const term of input.terms) {
    if (term.length > 0) weights.set(term, (weights.get(term) ?? 0) + 1);
  }
  if (weights.size === 0) return [];

  const values: unknown[] = [input.kbId, [...weights.keys()], [...weights.values()], k1, b, input.limit];
  const conditions: string[] = [];
  const filters = input.filters ?? {};
  if (filters.documentIds) {
    values.push(filters.documentIds);
    conditions.push(`c.document_id = ANY($${values.length}::uuid[])`);
  }
  if (filters.sources) {
    values.push(filters.sources);
    conditions.push(`d.source = ANY($${values.length}::text[])`);
  }
  if (filters.tags && Object.keys(filters.tags).length > 0) {
    values.push(JSON.stringify(filters.tags));
    conditions.push(`d.tags @> $${values.length}::jsonb`);
  }
  const joinsDocuments = conditions.some((condition) => condition.startsWith('d.'));

  const result = await executor.query<{ id: string; document_id: string; score: number }>(
    `WITH query_terms AS (
       SELECT term, weight FROM unnest($2::text[], $3::float8[]) AS q(term, weight)
     ),
     postings AS MATERIALIZED (
       SELECT p.term, p.chunk_id, p.frequency
         FROM query_terms q JOIN chunk_terms p ON p.kb_id = $1 AND p.term = q.term
     ),
     collection AS MATERIALIZED (
       SELECT count(*)::float8 AS chunk_count, coalesce(avg(term_count), 0)::float8 AS average_length
         FROM chunks WHERE kb_id = $1
     ),
     term_weights AS MATERIALIZED (
       SELECT q.term, q.weight * ln(1 + (collection.chunk_count - df.df + 0.5) / (df.df + 0.5)) AS idf
         FROM (SELECT term, count(*)::float8 AS df FROM postings GROUP BY term) AS df
         JOIN query_terms q ON q.term = df.term
        CROSS JOIN collection
     ),
     candidates AS MATERIALIZED (
       SELECT c.id, c.document_id,
              $4::float8 * (1 - $5::float8 + $5::float8 *
                CASE WHEN collection.average_length > 0 THEN c.term_count / collection.average_length ELSE 1 END)
                AS length_penalty
         FROM (SELECT DISTINCT chunk_id FROM postings) AS matched
         JOIN chunks c ON c.id = matched.chunk_id
         ${joinsDocuments ? 'JOIN documents d ON d.id = c.document_id' : ''}
        CROSS JOIN collection
        ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''}
     )
     SELECT c.id, c.document_id,
            round(sum(w.idf * p.frequency * ($4::float8 + 1) / (p.frequency + c.length_penalty)) * ${scoreScale}) / ${scoreScale}
              AS score
       FROM postings p
       JOIN term_weights w ON w.term = p.term
       JOIN candidates c ON c.id = p.chunk_id
      GROUP BY c.id, c.document_id
      ORDER BY score DESC, c.id
      LIMIT $6`,
    values,
  );
  return result.rows.map((row) => ({ chunkId: String(row.id), documentId: row.document_id, score: Number(row.score) }));
}
