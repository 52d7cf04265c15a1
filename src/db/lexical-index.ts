import { OrioleError, bm25Defaults } from '../core/index.ts';
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
  /** Documents whose tags contain every one of these key/value pairs (`documents.tags @> …`). */
  tags?: Record<string, string>;
}

export interface LexicalSearchInput {
  kbId: string;
  /** The query's lexical terms; repeats count once. */
  terms: string[];
  limit: number;
  filters?: LexicalFilters;
  /** BM25 parameters; `bm25Defaults` (src/core) when not given. */
  k1?: number;
  b?: number;
  /**
   * Postings (summed over the query's terms) scored exhaustively; above it, each
   * term's best postings are read first (see `searchLexical`). Only tests and
   * benchmarks set it.
   */
  exhaustivePostings?: number;
  /**
   * Postings read per term, best impact first, when the query has more than
   * `exhaustivePostings`; results are exact when no term has more. Only tests and
   * benchmarks set it.
   */
  postingsPerTerm?: number;
}

export interface LexicalMatch {
  chunkId: string;
  documentId: string;
  score: number;
}

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
 * Postings a query scores in full: a query whose terms have fewer is scored
 * exhaustively; above it, each term's best postings are read first
 * (docs/lexical-retrieval.md, "Scale"). Profiled on PostgreSQL at 10k chunks, the
 * exhaustive statement took 60–110 ms at 8k–19k postings where the impact path took
 * 15–30 ms at 30k–60k, with the same eval-set figures, so the switch comes early.
 */
const defaultExhaustivePostings = 2_000;
/**
 * Postings read per term, by descending impact, on the large-KB path. 1,000 keeps a
 * query's reads bounded (about 10 ms for six terms at 100k chunks on PostgreSQL)
 * while a rare term's list, which decides most rankings, is read whole.
 */
const defaultPostingsPerTerm = 1_000;
/** Postings the large-KB path reads per query at most (above `limit` per term): 8 terms' worth. */
const postingsReadPerQuery = 8_000;
/**
 * Candidates rescored exactly on the large-KB path: the best by their impact
 * estimate, `rescoredPerResult` per requested row and at least `minimumRescored`.
 */
const rescoredPerResult = 4;
const minimumRescored = 200;
/** Each exact pruned attempt that cannot prove its result takes this many times more postings. */
const exhaustivePostingsGrowth = 8;
/**
 * Scores are rounded to 1e-9: a float sum depends on the order rows reach it, which
 * depends on the plan, and identical chunks (duplicated pages) must tie exactly so
 * the chunk-id tie-break decides, the same way on every backend and plan.
 */
const scoreScale = 1e9;
/** Slack in the pruning bound for that rounding: far above 1e-9, far below any score gap that matters. */
const pruningSlack = 1e-6;

/**
 * Replaces the postings of `chunks` (all of KB `kbId`) and sets each chunk's
 * `term_count`, the document length of BM25. Call it in the transaction that
 * writes the chunks, so a query never sees chunks without their postings.
 * Ingestion writes new chunks with `replaceDocument`, which stores their postings
 * itself (`insertNewChunkTerms`) without this UPDATE and DELETE.
 */
export async function writeChunkTerms(executor: SqlExecutor, kbId: string, chunks: ChunkTerms[]): Promise<void> {
  if (chunks.length === 0) return;
  const chunkIds = chunks.map((chunk) => chunk.chunkId);
  if (new Set(chunkIds).size !== chunkIds.length) {
    throw new OrioleError('invalid_request', 'A chunk is given twice for lexical indexing');
  }
  const measured = chunks.map((chunk) => ({ ...chunk, termCount: lexicalLength(chunk.chunkId, chunk.terms) }));

  const updated = await executor.query(
    `UPDATE chunks SET term_count = input.term_count
       FROM unnest($2::bigint[], $3::integer[]) AS input(id, term_count)
      WHERE chunks.id = input.id AND chunks.kb_id = $1`,
    [kbId, chunkIds, measured.map((chunk) => chunk.termCount)],
  );
  if (updated.rowCount !== chunkIds.length) {
    throw new OrioleError('invalid_request', `Some chunks given for lexical indexing are not in knowledge base ${kbId}`);
  }
  await executor.query(`DELETE FROM chunk_terms WHERE chunk_id = ANY($1::bigint[])`, [chunkIds]);
  await insertPostings(executor, kbId, measured);
}

/**
 * A chunk's BM25 length, the sum of its term frequencies, once its terms are checked:
 * each frequency a positive integer, each term non-empty and short enough for a btree.
 */
export function lexicalLength(chunkId: string, terms: ReadonlyMap<string, number>): number {
  let total = 0;
  for (const [term, frequency] of terms) {
    if (!Number.isInteger(frequency) || frequency < 1) {
      throw new OrioleError('invalid_request', `Term frequency must be a positive integer (chunk ${chunkId})`);
    }
    // UTF-8 takes at most 3 bytes per UTF-16 unit, so only long terms need measuring.
    if (term.length === 0 || (term.length * 3 > maxTermBytes && utf8.encode(term).length > maxTermBytes)) {
      throw new OrioleError('invalid_request', `A lexical term is empty or longer than ${maxTermBytes} bytes`);
    }
    total += frequency;
  }
  return total;
}

/**
 * The postings of chunks inserted in this transaction with `term_count` already set
 * to `lexicalLength` of their terms (replaceDocument): no chunk to update, no old
 * posting to delete.
 */
export async function insertNewChunkTerms(
  executor: SqlExecutor,
  kbId: string,
  chunks: readonly (ChunkTerms & { termCount: number })[],
): Promise<void> {
  await insertPostings(executor, kbId, chunks);
}

/**
 * INSERTs of up to `postingsPerStatement` postings, sorted by term then chunk: the
 * two (kb_id, term, …) btrees then take them in key order, which on PostgreSQL cut
 * the cost of a document's postings by about a quarter (docs/ingestion.md, "Speed").
 * lexical_impact (migration 004) orders each term's postings for searches on large KBs.
 */
async function insertPostings(
  executor: SqlExecutor,
  kbId: string,
  chunks: readonly (ChunkTerms & { termCount: number })[],
): Promise<void> {
  const postings: { term: string; chunk: number; frequency: number }[] = [];
  chunks.forEach((chunk, index) => {
    for (const [term, frequency] of chunk.terms) postings.push({ term, chunk: index, frequency });
  });
  // The position stands in for the chunk id: new chunks' ids ascend with it, and elsewhere the order only matters for speed.
  postings.sort((left, right) => (left.term < right.term ? -1 : left.term > right.term ? 1 : left.chunk - right.chunk));
  for (let start = 0; start < postings.length; start += postingsPerStatement) {
    const batch = postings.slice(start, start + postingsPerStatement);
    await executor.query(
      `INSERT INTO chunk_terms (kb_id, term, chunk_id, frequency, impact)
       SELECT $1, term, chunk_id, frequency, lexical_impact(frequency, chunk_length)
         FROM unnest($2::text[], $3::bigint[], $4::integer[], $5::integer[]) AS input(term, chunk_id, frequency, chunk_length)`,
      [
        kbId,
        batch.map((posting) => posting.term),
        batch.map((posting) => chunks[posting.chunk]!.chunkId),
        batch.map((posting) => posting.frequency),
        batch.map((posting) => chunks[posting.chunk]!.termCount),
      ],
    );
  }
}

interface TermStatistics {
  term: string;
  documentFrequency: number;
  idf: number;
}

/**
 * The `limit` chunks of a KB that score highest under Okapi BM25 for `terms`, best
 * first, ties broken by chunk id:
 *   idf(t) = ln(1 + (N − df + 0.5) / (df + 0.5))
 *   score  = Σ idf(t) · tf · (k1 + 1) / (tf + k1 · (1 − b + b · dl / avgdl))
 * N and avgdl come from the KB's row in lexical_statistics, df from lexical_terms,
 * and scores are computed in SQL at query time. Filters restrict the chunks, not the
 * statistics, so a filtered score equals the unfiltered one and `limit` rows come
 * back whenever that many match.
 *
 * Small queries (postings ≤ `exhaustivePostings`) are scored exhaustively. Above
 * that, each term's `postingsPerTerm` best postings by stored impact are read, the
 * chunks they name are ranked by their impact sum, and the best of them are rescored
 * exactly. This is exact when no term has more postings than that; otherwise a chunk
 * that holds only the common terms of a query, none of them among its best postings,
 * can be missed. When filters leave fewer than `limit` of those candidates, an exact
 * search (rarest terms first, MaxScore) answers instead.
 */
export async function searchLexical(executor: SqlExecutor, input: LexicalSearchInput): Promise<LexicalMatch[]> {
  const k1 = input.k1 ?? bm25Defaults.k1;
  const b = input.b ?? bm25Defaults.b;
  if (!Number.isFinite(k1) || k1 < 0 || !Number.isFinite(b) || b < 0 || b > 1) {
    throw new OrioleError('invalid_request', 'BM25 needs k1 ≥ 0 and b between 0 and 1', { details: { k1, b } });
  }
  if (!Number.isInteger(input.limit) || input.limit < 1 || input.limit > maxLimit) {
    throw new OrioleError('invalid_request', `limit must be an integer from 1 to ${maxLimit}`);
  }
  if (input.exhaustivePostings !== undefined && !(input.exhaustivePostings >= 1)) {
    throw new OrioleError('invalid_request', 'exhaustivePostings must be at least 1');
  }
  if (input.postingsPerTerm !== undefined && !(Number.isInteger(input.postingsPerTerm) && input.postingsPerTerm >= 1)) {
    throw new OrioleError('invalid_request', 'postingsPerTerm must be a positive integer');
  }
  const uniqueTerms = [...new Set(input.terms.filter((term) => term.length > 0))];
  if (uniqueTerms.length === 0) return [];

  const { terms, averageLength } = await termStatistics(executor, input.kbId, uniqueTerms);
  if (terms.length === 0) return [];
  const scoring = { terms, k1, b, averageLength };

  const exhaustivePostings = input.exhaustivePostings ?? defaultExhaustivePostings;
  const postings = terms.reduce((sum, term) => sum + term.documentFrequency, 0);
  if (postings <= exhaustivePostings) {
    const outcome = await scoreChunks(executor, input, { ...scoring, essentialCount: terms.length, commonBound: 0 });
    return outcome.matches;
  }
  // A long question reads fewer postings per term, so its reads stay about constant.
  const perTermShare = Math.floor(postingsReadPerQuery / terms.length);
  const postingsPerTerm = Math.max(input.postingsPerTerm ?? Math.min(defaultPostingsPerTerm, perTermShare), input.limit);
  const truncated = terms.some((term) => term.documentFrequency > postingsPerTerm);
  const rescored = truncated ? Math.max(minimumRescored, input.limit * rescoredPerResult) : null;
  const found = await scoreBestPostings(executor, input, { ...scoring, postingsPerTerm, rescored });
  if (!truncated || found.length === input.limit) return found;
  return exactSearch(executor, input, scoring, exhaustivePostings);
}

interface TermStatistics {
  term: string;
  documentFrequency: number;
  idf: number;
}

interface Scoring {
  /** Rarest first; only terms that occur in the KB. */
  terms: TermStatistics[];
  k1: number;
  b: number;
  averageLength: number;
}

/** df and idf of each term (rarest first) and the KB's average chunk length: one statement, no counting. */
async function termStatistics(
  executor: SqlExecutor,
  kbId: string,
  uniqueTerms: string[],
): Promise<{ terms: TermStatistics[]; averageLength: number }> {
  const statistics = await executor.query<{
    term: string;
    document_frequency: string;
    idf: number;
    average_length: number;
  }>(
    `SELECT t.term, t.document_frequency, totals.average_length,
            ln(1 + (greatest(totals.chunk_count, t.document_frequency) - t.document_frequency + 0.5)
                   / (t.document_frequency + 0.5)) AS idf
       FROM lexical_terms t
      CROSS JOIN (
        SELECT coalesce(max(chunk_count), 0)::float8 AS chunk_count,
               coalesce(max(term_total::float8 / nullif(chunk_count, 0)), 0) AS average_length
          FROM lexical_statistics WHERE kb_id = $1
      ) AS totals
      WHERE t.kb_id = $1 AND t.term = ANY($2::text[]) AND t.document_frequency > 0`,
    [kbId, uniqueTerms],
  );
  // Rarest first: the highest idf, so the highest possible contribution, and the fewest postings.
  const terms = statistics.rows
    .map((row) => ({ term: row.term, documentFrequency: Number(row.document_frequency), idf: Number(row.idf) }))
    .sort((left, right) => left.documentFrequency - right.documentFrequency || (left.term < right.term ? -1 : 1));
  return { terms, averageLength: Number(statistics.rows[0]?.average_length ?? 0) };
}

/**
 * Exact top `limit` on a large KB: the rarest terms are scored first; a common term
 * adds at most idf·(k1 + 1) to a chunk, so once the essential scores show `limit`
 * chunks that no chunk with common terms alone can reach, only the chunks that can
 * still reach the top are completed with the common terms (MaxScore). When that
 * cannot be shown, more terms become essential, up to all of them.
 */
async function exactSearch(
  executor: SqlExecutor,
  input: LexicalSearchInput,
  scoring: Scoring,
  exhaustivePostings: number,
): Promise<LexicalMatch[]> {
  const { terms, k1 } = scoring;
  let budget = exhaustivePostings;
  let previousCount = 0;
  for (;;) {
    // Each attempt takes the rarest terms within the budget, and at least one more than the last.
    let essentialCount = 0;
    let postings = 0;
    while (essentialCount < terms.length) {
      postings += terms[essentialCount]!.documentFrequency;
      if (essentialCount > previousCount && postings > budget) break;
      essentialCount += 1;
    }
    previousCount = essentialCount;
    const complete = essentialCount === terms.length;
    // What the common terms can add to one chunk at most: tf·(k1+1)/(tf + k1·norm) < k1 + 1.
    const commonBound = terms.slice(essentialCount).reduce((sum, term) => sum + term.idf * (k1 + 1), 0);
    const outcome = await scoreChunks(executor, input, { ...scoring, essentialCount, commonBound });
    if (complete || outcome.proven) return outcome.matches;
    budget *= exhaustivePostingsGrowth;
  }
}

/**
 * `c.…` / `d.…` conditions for the filters, their values appended to `values`. The
 * in-process lexical index (src/db/lexical-snapshot.ts) filters documents with the
 * same conditions, naming the document id `d.id`.
 */
export function filterConditions(
  filters: LexicalFilters,
  values: unknown[],
  columns: { documentId: string } = { documentId: 'c.document_id' },
): { conditions: string[]; joinsDocuments: boolean } {
  const conditions: string[] = [];
  if (filters.documentIds) {
    values.push(filters.documentIds);
    conditions.push(`${columns.documentId} = ANY($${values.length}::uuid[])`);
  }
  if (filters.sources) {
    values.push(filters.sources);
    conditions.push(`d.source = ANY($${values.length}::text[])`);
  }
  if (filters.tags && Object.keys(filters.tags).length > 0) {
    values.push(JSON.stringify(filters.tags));
    conditions.push(`d.tags @> $${values.length}::jsonb`);
  }
  return { conditions, joinsDocuments: conditions.some((condition) => condition.startsWith('d.')) };
}

const bm25Contribution = (idf: string, frequency: string, lengthPenalty: string, k1: string) =>
  `${idf} * ${frequency} * (${k1} + 1) / (${frequency} + ${lengthPenalty})`;

/**
 * The large-KB path, one statement: each term's `postingsPerTerm` best postings by
 * impact (an index range scan of chunk_terms_impact_idx that stops early), their
 * chunks ranked by Σ idf·impact, filters applied, the best `rescored` of them (all
 * when `rescored` is null) scored with exact BM25, the top `limit` returned.
 */
async function scoreBestPostings(
  executor: SqlExecutor,
  input: LexicalSearchInput,
  plan: Scoring & { postingsPerTerm: number; rescored: number | null },
): Promise<LexicalMatch[]> {
  const values: unknown[] = [
    input.kbId,
    plan.terms.map((term) => term.term),
    plan.terms.map((term) => term.idf),
    plan.k1,
    plan.b,
    plan.averageLength,
    plan.postingsPerTerm,
    plan.rescored,
    input.limit,
  ];
  const { conditions, joinsDocuments } = filterConditions(input.filters ?? {}, values);
  // Filters apply before the shortlist, so a filtered query rescores its best allowed candidates.
  const allowed =
    conditions.length === 0
      ? `SELECT chunk_id, estimate FROM candidates`
      : `SELECT k.chunk_id, k.estimate FROM candidates k JOIN chunks c ON c.id = k.chunk_id
           ${joinsDocuments ? 'JOIN documents d ON d.id = c.document_id' : ''}
          WHERE ${conditions.join(' AND ')}`;
  const result = await executor.query<{ id: string; document_id: string; score: number }>(
    `WITH weights AS (
       SELECT term, idf FROM unnest($2::text[], $3::float8[]) AS w(term, idf)
     ),
     best_postings AS MATERIALIZED (
       SELECT top.chunk_id, w.idf * top.impact AS estimate
         FROM weights w
        CROSS JOIN LATERAL (
          SELECT p.chunk_id, p.impact FROM chunk_terms p
           WHERE p.kb_id = $1 AND p.term = w.term
           ORDER BY p.impact DESC, p.chunk_id
           LIMIT $7
        ) AS top
     ),
     candidates AS MATERIALIZED (
       SELECT chunk_id, sum(estimate) AS estimate FROM best_postings GROUP BY chunk_id
     ),
     allowed AS MATERIALIZED (${allowed}),
     shortlist AS MATERIALIZED (
       SELECT chunk_id FROM allowed ORDER BY estimate DESC, chunk_id LIMIT $8
     ),
     scored AS (
       SELECT c.id, c.document_id,
              round(sum(${bm25Contribution('w.idf', 'p.frequency', 'length_penalty.value', '$4::float8')}) * ${scoreScale}) / ${scoreScale} AS score
         FROM shortlist s
         JOIN chunks c ON c.id = s.chunk_id
        CROSS JOIN LATERAL (
          SELECT $4::float8 * (1 - $5::float8 + $5::float8 *
                   CASE WHEN $6::float8 > 0 THEN c.term_count / $6::float8 ELSE 1 END) AS value
        ) AS length_penalty
        CROSS JOIN weights w
        -- LIMIT 1 keeps this a primary-key probe per (candidate, term), never a scan of a term's postings.
        CROSS JOIN LATERAL (
          SELECT frequency FROM chunk_terms
           WHERE kb_id = $1 AND term = w.term AND chunk_id = c.id LIMIT 1
        ) AS p
        GROUP BY c.id, c.document_id
     )
     SELECT id, document_id, score FROM scored ORDER BY score DESC, id LIMIT $9`,
    values,
  );
  return result.rows.map((row) => ({ chunkId: String(row.id), documentId: row.document_id, score: Number(row.score) }));
}

interface ScoringPlan extends Scoring {
  /** The first `essentialCount` terms are scored for every chunk that has them. */
  essentialCount: number;
  commonBound: number;
}

async function scoreChunks(
  executor: SqlExecutor,
  input: LexicalSearchInput,
  plan: ScoringPlan,
): Promise<{ matches: LexicalMatch[]; proven: boolean }> {
  const values: unknown[] = [
    input.kbId,
    plan.terms.map((term) => term.term),
    plan.terms.map((term) => term.idf),
    plan.terms.map((_, index) => index < plan.essentialCount),
    plan.k1,
    plan.b,
    plan.averageLength,
    input.limit,
    plan.commonBound + pruningSlack,
    plan.essentialCount === plan.terms.length,
  ];
  const { conditions, joinsDocuments } = filterConditions(input.filters ?? {}, values);
  const contribution = (idf: string, frequency: string, lengthPenalty: string) =>
    bm25Contribution(idf, frequency, lengthPenalty, '$5::float8');

  // $9: the most the common terms can add, plus slack. $10: every term is essential,
  // so every candidate survives and the statement is plain exhaustive BM25.
  const result = await executor.query<{ id: string; document_id: string; score: number; proven: boolean }>(
    `WITH weights AS (
       SELECT term, idf, essential FROM unnest($2::text[], $3::float8[], $4::boolean[]) AS w(term, idf, essential)
     ),
     essential_postings AS MATERIALIZED (
       SELECT p.chunk_id, w.idf, p.frequency
         FROM weights w JOIN chunk_terms p ON p.kb_id = $1 AND p.term = w.term
        WHERE w.essential
     ),
     candidates AS MATERIALIZED (
       SELECT c.id, c.document_id,
              $5::float8 * (1 - $6::float8 + $6::float8 *
                CASE WHEN $7::float8 > 0 THEN c.term_count / $7::float8 ELSE 1 END) AS length_penalty
         FROM (SELECT DISTINCT chunk_id FROM essential_postings) AS matched
         JOIN chunks c ON c.id = matched.chunk_id
         ${joinsDocuments ? 'JOIN documents d ON d.id = c.document_id' : ''}
        ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''}
     ),
     partial AS MATERIALIZED (
       SELECT c.id, c.document_id, c.length_penalty,
              round(sum(${contribution('p.idf', 'p.frequency', 'c.length_penalty')}) * ${scoreScale}) / ${scoreScale} AS score
         FROM essential_postings p JOIN candidates c ON c.id = p.chunk_id
        GROUP BY c.id, c.document_id, c.length_penalty
     ),
     leaders AS MATERIALIZED (
       SELECT * FROM partial ORDER BY score DESC, id LIMIT $8
     ),
     leaders_common AS (
       SELECT l.id, sum(${contribution('w.idf', 'p.frequency', 'l.length_penalty')}) AS score
         FROM leaders l
         JOIN weights w ON NOT w.essential
         JOIN chunk_terms p ON p.kb_id = $1 AND p.term = w.term AND p.chunk_id = l.id
        GROUP BY l.id
     ),
     -- The leaders' full scores: the limit-th of them is a score the final limit-th reaches.
     threshold AS MATERIALIZED (
       SELECT count(*) AS ranked, coalesce(min(l.score + coalesce(lc.score, 0)), 0) AS score
         FROM leaders l LEFT JOIN leaders_common lc ON lc.id = l.id
     ),
     survivors AS MATERIALIZED (
       SELECT partial.* FROM partial CROSS JOIN threshold
        WHERE $10::boolean OR (partial.score + $9::float8 >= threshold.score AND $9::float8 < threshold.score)
     ),
     survivors_common AS (
       SELECT s.id, sum(${contribution('w.idf', 'p.frequency', 's.length_penalty')}) AS score
         FROM survivors s
         JOIN weights w ON NOT w.essential
         JOIN chunk_terms p ON p.kb_id = $1 AND p.term = w.term AND p.chunk_id = s.id
        GROUP BY s.id
     )
     SELECT s.id, s.document_id,
            round((s.score + coalesce(sc.score, 0)) * ${scoreScale}) / ${scoreScale} AS score,
            threshold.ranked >= $8 AND $9::float8 < threshold.score AS proven
       FROM threshold
       LEFT JOIN (survivors s LEFT JOIN survivors_common sc ON sc.id = s.id) ON true
      ORDER BY 3 DESC NULLS LAST, s.id
      LIMIT $8`,
    values,
  );
  const proven = result.rows[0]?.proven ?? false;
  const matches = result.rows
    .filter((row) => row.id !== null)
    .map((row) => ({ chunkId: String(row.id), documentId: row.document_id, score: Number(row.score) }));
  return { matches, proven };
}
