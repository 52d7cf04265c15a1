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
  /** Documents whose tags contain every one of these key/value pairs (`documents.tags @> …`). */
  tags?: Record<string, string>;
}

export interface LexicalSearchInput {
  kbId: string;
  /** The query's lexical terms; repeats count once. */
  terms: string[];
  limit: number;
  filters?: LexicalFilters;
  k1?: number;
  b?: number;
  /**
   * Postings scored in full before the rarest-terms-first pruning starts; results are
   * exact either way. Only tests and benchmarks set it.
   */
  exhaustivePostings?: number;
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
export const lexicalSearchDefaults = { k1: 1.2, b: 0.4 } as const;

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
 * Postings a query scores in full before pruning: a query whose terms have fewer
 * (every query on a KB of a few thousand chunks) is scored exhaustively; above it,
 * the rarest terms' postings are scored first and the common terms only for the
 * chunks that can still reach the top (docs/lexical-retrieval.md, "Scale").
 */
const defaultExhaustivePostings = 20_000;
/** Each pruned attempt that cannot prove its result takes this many times more postings. */
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
 */
export async function writeChunkTerms(executor: SqlExecutor, kbId: string, chunks: ChunkTerms[]): Promise<void> {
  if (chunks.length === 0) return;
  const chunkIds = chunks.map((chunk) => chunk.chunkId);
  if (new Set(chunkIds).size !== chunkIds.length) {
    throw new OrioleError('invalid_request', 'A chunk is given twice for lexical indexing');
  }
  const termCounts = chunks.map((chunk) => {
    let total = 0;
    for (const [term, frequency] of chunk.terms) {
      if (!Number.isInteger(frequency) || frequency < 1) {
        throw new OrioleError('invalid_request', `Term frequency must be a positive integer (chunk ${chunk.chunkId})`);
      }
      // UTF-8 takes at most 3 bytes per UTF-16 unit, so only long terms need measuring.
      if (term.length === 0 || (term.length * 3 > maxTermBytes && utf8.encode(term).length > maxTermBytes)) {
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
  if (updated.rowCount !== chunkIds.length) {
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
 * N and avgdl come from the KB's row in lexical_statistics, df from counting each
 * term's postings on the primary key of chunk_terms, and scores are computed in SQL
 * at query time. Filters restrict the chunks, not the statistics, so a filtered score
 * equals the unfiltered one and `limit` rows come back whenever that many match.
 *
 * Large KBs: when the query's terms have more postings than `exhaustivePostings`,
 * the rarest terms ("essential") are scored first; a common term can add at most
 * idf·(k1 + 1) to a chunk, so once the essential scores show `limit` chunks that no
 * chunk with common terms alone can reach, only the chunks that can still reach the
 * top are completed with the common terms (MaxScore). When that cannot be shown,
 * more terms become essential, up to all of them: the result is always exact.
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
  if (input.exhaustivePostings !== undefined && !(input.exhaustivePostings >= 1)) {
    throw new OrioleError('invalid_request', 'exhaustivePostings must be at least 1');
  }
  const uniqueTerms = [...new Set(input.terms.filter((term) => term.length > 0))];
  if (uniqueTerms.length === 0) return [];

  const statistics = await executor.query<{
    term: string;
    document_frequency: string;
    idf: number;
    average_length: number;
  }>(
    `SELECT q.term, df.document_frequency, totals.average_length,
            ln(1 + (greatest(totals.chunk_count, df.document_frequency) - df.document_frequency + 0.5)
                   / (df.document_frequency + 0.5)) AS idf
       FROM unnest($2::text[]) AS q(term)
      CROSS JOIN LATERAL (
        SELECT count(*) AS document_frequency FROM chunk_terms WHERE kb_id = $1 AND term = q.term
      ) AS df
      CROSS JOIN (
        SELECT coalesce(max(chunk_count), 0)::float8 AS chunk_count,
               coalesce(max(term_total::float8 / nullif(chunk_count, 0)), 0) AS average_length
          FROM lexical_statistics WHERE kb_id = $1
      ) AS totals`,
    [input.kbId, uniqueTerms],
  );
  const averageLength = Number(statistics.rows[0]?.average_length ?? 0);
  // Rarest first: the highest idf, so the highest possible contribution, and the fewest postings.
  const terms: TermStatistics[] = statistics.rows
    .map((row) => ({ term: row.term, documentFrequency: Number(row.document_frequency), idf: Number(row.idf) }))
    .filter((term) => term.documentFrequency > 0)
    .sort((left, right) => left.documentFrequency - right.documentFrequency || (left.term < right.term ? -1 : 1));
  if (terms.length === 0) return [];

  let budget = input.exhaustivePostings ?? defaultExhaustivePostings;
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
    const outcome = await scoreChunks(executor, input, { terms, essentialCount, commonBound, k1, b, averageLength });
    if (complete || outcome.proven) return outcome.matches;
    budget *= exhaustivePostingsGrowth;
  }
}

interface ScoringPlan {
  terms: TermStatistics[];
  /** The first `essentialCount` terms are scored for every chunk that has them. */
  essentialCount: number;
  commonBound: number;
  k1: number;
  b: number;
  averageLength: number;
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
  const contribution = (idf: string, frequency: string, lengthPenalty: string) =>
    `${idf} * ${frequency} * ($5::float8 + 1) / (${frequency} + ${lengthPenalty})`;

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
