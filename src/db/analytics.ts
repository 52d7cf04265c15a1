import { evalAnswerChannel, type SourceConflict } from '../core/index.ts';
import type { SqlExecutor } from './database.ts';

/**
 * The SQL behind analytics (GET /analytics/summary, `oriole report`). Every query reads
 * the answers of one KB asked in [from, to), leaving out eval runs (`channel = 'eval'`):
 * they are QA's questions, not users'. Feedback counts by its latest rating per answer.
 */
export interface AnalyticsScope {
  kbId: string;
  from: Date;
  to: Date;
}

export interface AnswerTotals {
  answers: number;
  abstained: number;
  /** Answers whose latest rating is up / down. */
  feedbackUp: number;
  feedbackDown: number;
}

export interface QuestionCount {
  question: string;
  count: number;
  abstainedCount: number;
  lastAskedAt: Date;
}

export interface LowRatedAnswer {
  answerId: string;
  question: string;
  answer: string;
  citations: Array<{ source: string; title: string | null }>;
  comment: string | null;
  ratedAt: Date;
}

export interface UncitedDocument {
  documentId: string;
  source: string;
  title: string | null;
}

// $1 kb id, $2 from, $3 to; `a` is the answers table.
const inScope = `a.kb_id = $1 AND a.created_at >= $2::timestamptz AND a.created_at < $3::timestamptz
  AND a.channel IS DISTINCT FROM '${evalAnswerChannel}'`;

const scopeValues = (scope: AnalyticsScope) => [scope.kbId, scope.from.toISOString(), scope.to.toISOString()];

// The latest rating of answer `a`, or no row.
const latestFeedback = `SELECT f.rating, f.comment, f.created_at FROM feedback f
  WHERE f.answer_id = a.id ORDER BY f.created_at DESC, f.id DESC LIMIT 1`;

export async function answerTotals(executor: SqlExecutor, scope: AnalyticsScope): Promise<AnswerTotals> {
  const result = await executor.query<{ answers: string; abstained: string; up: string; down: string }>(
    `SELECT count(*) AS answers,
            count(*) FILTER (WHERE a.abstained) AS abstained,
            count(*) FILTER (WHERE latest.rating = 'up') AS up,
            count(*) FILTER (WHERE latest.rating = 'down') AS down
       FROM answers a
       LEFT JOIN LATERAL (${latestFeedback}) latest ON true
      WHERE ${inScope}`,
    scopeValues(scope),
  );
  const row = result.rows[0]!;
  return { answers: Number(row.answers), abstained: Number(row.abstained), feedbackUp: Number(row.up), feedbackDown: Number(row.down) };
}

/**
 * Distinct questions as asked, most asked first, at most `limit`. With `abstainedOnly`,
 * only the times the answer abstained are counted (and `lastAskedAt` is the last of those).
 */
export async function questionCounts(
  executor: SqlExecutor,
  scope: AnalyticsScope & { abstainedOnly: boolean; limit: number },
): Promise<QuestionCount[]> {
  const result = await executor.query<{ question: string; count: string; abstained_count: string; last_asked_at: Date }>(
    `SELECT a.question, count(*) AS count, count(*) FILTER (WHERE a.abstained) AS abstained_count,
            max(a.created_at) AS last_asked_at
       FROM answers a
      WHERE ${inScope} ${scope.abstainedOnly ? 'AND a.abstained' : ''}
      GROUP BY a.question
      ORDER BY count(*) DESC, max(a.created_at) DESC, a.question COLLATE "C"
      LIMIT $4`,
    [...scopeValues(scope), scope.limit],
  );
  return result.rows.map((row) => ({
    question: row.question,
    count: Number(row.count),
    abstainedCount: Number(row.abstained_count),
    lastAskedAt: row.last_asked_at,
  }));
}

/** Answers whose latest rating is down, most recently rated first, with that rating's comment. */
export async function lowRatedAnswers(executor: SqlExecutor, scope: AnalyticsScope & { limit: number }): Promise<LowRatedAnswer[]> {
  const result = await executor.query<{
    id: string;
    question: string;
    answer: string;
    citations: Array<{ source?: unknown; title?: unknown }>;
    comment: string | null;
    rated_at: Date;
  }>(
    `SELECT a.id, a.question, a.answer, a.citations, latest.comment, latest.created_at AS rated_at
       FROM answers a
       JOIN LATERAL (${latestFeedback}) latest ON true
      WHERE ${inScope} AND latest.rating = 'down'
      ORDER BY latest.created_at DESC, a.id
      LIMIT $4`,
    [...scopeValues(scope), scope.limit],
  );
  return result.rows.map((row) => ({
    answerId: row.id,
    question: row.question,
    answer: row.answer,
    citations: citedDocuments(row.citations),
    comment: row.comment,
    ratedAt: row.rated_at,
  }));
}

/**
 * The KB's ready documents (those that existed before the period ended) that no answer
 * of the period cites, by source, at most `limit`, with how many there are in all and
 * how many documents were considered. Matched by source, which survives re-ingestion.
 */
export async function uncitedDocuments(
  executor: SqlExecutor,
  scope: AnalyticsScope & { limit: number },
): Promise<{ documents: UncitedDocument[]; total: number; documentCount: number }> {
  const result = await executor.query<{
    documents: Array<{ id: string; source: string; title: string | null }>;
    total: string;
    document_count: string;
  }>(
    `WITH cited AS (
       SELECT DISTINCT citation->>'source' AS source
         FROM answers a CROSS JOIN LATERAL jsonb_array_elements(a.citations) AS citation
        WHERE ${inScope}
     ), candidates AS (
       SELECT d.id, d.source, d.title, EXISTS (SELECT 1 FROM cited WHERE cited.source = d.source) AS is_cited
         FROM documents d
        WHERE d.kb_id = $1 AND d.status = 'ready' AND d.created_at < $3::timestamptz
     )
     SELECT (SELECT count(*) FROM candidates) AS document_count,
            (SELECT count(*) FROM candidates WHERE NOT is_cited) AS total,
            (SELECT coalesce(json_agg(json_build_object('id', page.id, 'source', page.source, 'title', page.title)
                                      ORDER BY page.source COLLATE "C"), '[]'::json)
               FROM (SELECT id, source, title FROM candidates WHERE NOT is_cited
                      ORDER BY source COLLATE "C" LIMIT $4) page) AS documents`,
    [...scopeValues(scope), scope.limit],
  );
  const row = result.rows[0]!;
  return {
    documents: row.documents.map((document) => ({ documentId: document.id, source: document.source, title: document.title })),
    total: Number(row.total),
    documentCount: Number(row.document_count),
  };
}

/** A logged answer whose sources disagreed (answers.conflicts, docs/answers.md). */
export interface LoggedConflict {
  question: string;
  askedAt: Date;
  conflicts: SourceConflict[];
}

/** The answers of the period whose sources disagreed, most recent first, at most `limit`. */
export async function loggedConflicts(executor: SqlExecutor, scope: AnalyticsScope & { limit: number }): Promise<LoggedConflict[]> {
  const result = await executor.query<{ question: string; created_at: Date; conflicts: SourceConflict[] }>(
    `SELECT a.question, a.created_at, a.conflicts
       FROM answers a
      WHERE ${inScope} AND a.conflicts IS NOT NULL
      ORDER BY a.created_at DESC, a.id
      LIMIT $4`,
    [...scopeValues(scope), scope.limit],
  );
  return result.rows.map((row) => ({ question: row.question, askedAt: row.created_at, conflicts: Array.isArray(row.conflicts) ? row.conflicts : [] }));
}

/** Answers and abstentions per UTC day (`YYYY-MM-DD`), only days with answers. */
export async function answersByDay(
  executor: SqlExecutor,
  scope: AnalyticsScope,
): Promise<Array<{ day: string; answers: number; abstained: number }>> {
  const result = await executor.query<{ day: string; answers: string; abstained: string }>(
    `SELECT to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
            count(*) AS answers, count(*) FILTER (WHERE a.abstained) AS abstained
       FROM answers a
      WHERE ${inScope}
      GROUP BY 1
      ORDER BY 1`,
    scopeValues(scope),
  );
  return result.rows.map((row) => ({ day: row.day, answers: Number(row.answers), abstained: Number(row.abstained) }));
}

export interface ConversationDay {
  day: string;
  conversations: number;
  resolved: number;
  handedOff: number;
  abstained: number;
}

/**
 * Conversations started per UTC day of [from, to) in one KB, by their outcome now (docs/conversations.md);
 * only days with conversations.
 */
export async function conversationsByDay(executor: SqlExecutor, scope: { kbId: string; from: Date; to: Date }): Promise<ConversationDay[]> {
  const result = await executor.query<{ day: string; conversations: string; resolved: string; handed_off: string; abstained: string }>(
    `SELECT to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*) AS conversations,
            count(*) FILTER (WHERE c.outcome = 'resolved') AS resolved,
            count(*) FILTER (WHERE c.outcome = 'handed_off') AS handed_off,
            count(*) FILTER (WHERE c.outcome = 'abstained') AS abstained
       FROM conversations c
      WHERE c.kb_id = $1 AND c.created_at >= $2::timestamptz AND c.created_at < $3::timestamptz
      GROUP BY 1
      ORDER BY 1`,
    [scope.kbId, scope.from.toISOString(), scope.to.toISOString()],
  );
  return result.rows.map((row) => ({
    day: row.day,
    conversations: Number(row.conversations),
    resolved: Number(row.resolved),
    handedOff: Number(row.handed_off),
    abstained: Number(row.abstained),
  }));
}

/** The documents an answer cites, once each, in citation order. */
function citedDocuments(citations: Array<{ source?: unknown; title?: unknown }>): Array<{ source: string; title: string | null }> {
  const seen = new Map<string, { source: string; title: string | null }>();
  for (const citation of Array.isArray(citations) ? citations : []) {
    if (typeof citation.source !== 'string' || seen.has(citation.source)) continue;
    seen.set(citation.source, { source: citation.source, title: typeof citation.title === 'string' ? citation.title : null });
  }
  return [...seen.values()];
}

export interface CuratedAnswerHits {
  id: string;
  /** Its first phrasing. */
  question: string;
  enabled: boolean;
  /** Answers served from it since it was written (its counter). */
  hits: number;
  /** Of those, answers of the period (from the answers log, eval runs left out). */
  periodHits: number;
}

/** The KB's curated answers, most served in the period first, then by all-time hits. */
export async function curatedAnswerHits(executor: SqlExecutor, scope: AnalyticsScope & { limit: number }): Promise<CuratedAnswerHits[]> {
  const result = await executor.query<{ id: string; question: string; enabled: boolean; hits: string; period_hits: string }>(
    `SELECT c.id, c.questions->>0 AS question, c.enabled, c.hits,
            (SELECT count(*) FROM answers a WHERE ${inScope} AND a.retrieval->>'curatedAnswerId' = c.id::text) AS period_hits
       FROM curated_answers c
      WHERE c.kb_id = $1
      ORDER BY period_hits DESC, c.hits DESC, c.position
      LIMIT $4`,
    [...scopeValues(scope), scope.limit],
  );
  return result.rows.map((row) => ({
    id: row.id,
    question: row.question,
    enabled: row.enabled,
    hits: Number(row.hits),
    periodHits: Number(row.period_hits),
  }));
}
