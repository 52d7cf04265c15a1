import { isUuid } from './documents.ts';
import type { SqlExecutor } from './database.ts';
import { loadPassages, type StoredPassage } from './passages.ts';

/** A curated answer as stored (docs/curated-answers.md). */
export interface CuratedAnswer {
  id: string;
  kbId: string;
  questions: string[];
  answer: string;
  citations: { source: string }[];
  tags: string[];
  enabled: boolean;
  hits: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface CuratedAnswerInput {
  questions: string[];
  answer: string;
  citations: { source: string }[];
  tags: string[];
  enabled: boolean;
}

interface CuratedAnswerRow {
  id: string;
  kb_id: string;
  questions: string[];
  answer: string;
  citations: { source: string }[];
  tags: string[];
  enabled: boolean;
  hits: string;
  created_at: Date;
  updated_at: Date;
}

const columns = 'id, kb_id, questions, answer, citations, tags, enabled, hits, created_at, updated_at';

/**
 * Every write below bumps the KB's `curated_version` in the same statement, so each
 * replica refreshes its snapshot of the KB's curated answers on its next request. The
 * KB's content `version` is left alone: it would reload the lexical index.
 */
const bumpCuratedVersion = `bumped AS (UPDATE knowledge_bases SET curated_version = curated_version + 1 WHERE id = $1)`;

export async function insertCuratedAnswer(executor: SqlExecutor, kbId: string, input: CuratedAnswerInput): Promise<CuratedAnswer> {
  const result = await executor.query<CuratedAnswerRow>(
    `WITH ${bumpCuratedVersion}
     INSERT INTO curated_answers (kb_id, questions, answer, citations, tags, enabled)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${columns}`,
    [kbId, JSON.stringify(input.questions), input.answer, JSON.stringify(input.citations), JSON.stringify(input.tags), input.enabled],
  );
  return fromRow(result.rows[0]!);
}

/** The KB's curated answers, oldest first. */
export async function listCuratedAnswers(
  executor: SqlExecutor,
  kbId: string,
  options: { enabledOnly?: boolean } = {},
): Promise<CuratedAnswer[]> {
  const result = await executor.query<CuratedAnswerRow>(
    `SELECT ${columns} FROM curated_answers WHERE kb_id = $1 ${options.enabledOnly ? 'AND enabled' : ''} ORDER BY position`,
    [kbId],
  );
  return result.rows.map(fromRow);
}

/** The curated answer `id` of KB `kbId`, or undefined (a malformed id included). */
export async function findCuratedAnswer(executor: SqlExecutor, kbId: string, id: string): Promise<CuratedAnswer | undefined> {
  if (!isUuid(id)) return undefined;
  const result = await executor.query<CuratedAnswerRow>(`SELECT ${columns} FROM curated_answers WHERE kb_id = $1 AND id = $2`, [kbId, id]);
  return result.rows[0] ? fromRow(result.rows[0]) : undefined;
}

/** Replaces the given fields; undefined when there is no such answer. */
export async function updateCuratedAnswer(
  executor: SqlExecutor,
  kbId: string,
  id: string,
  changes: Partial<CuratedAnswerInput>,
): Promise<CuratedAnswer | undefined> {
  if (!isUuid(id)) return undefined;
  const result = await executor.query<CuratedAnswerRow>(
    `WITH ${bumpCuratedVersion}
     UPDATE curated_answers
        SET questions = coalesce($3::jsonb, questions),
            answer = coalesce($4, answer),
            citations = coalesce($5::jsonb, citations),
            tags = coalesce($6::jsonb, tags),
            enabled = coalesce($7, enabled),
            updated_at = now()
      WHERE kb_id = $1 AND id = $2
      RETURNING ${columns}`,
    [
      kbId,
      id,
      changes.questions ? JSON.stringify(changes.questions) : null,
      changes.answer ?? null,
      changes.citations ? JSON.stringify(changes.citations) : null,
      changes.tags ? JSON.stringify(changes.tags) : null,
      changes.enabled ?? null,
    ],
  );
  return result.rows[0] ? fromRow(result.rows[0]) : undefined;
}

/** Whether there was such an answer to delete. */
export async function deleteCuratedAnswer(executor: SqlExecutor, kbId: string, id: string): Promise<boolean> {
  if (!isUuid(id)) return false;
  const result = await executor.query(
    `WITH ${bumpCuratedVersion} DELETE FROM curated_answers WHERE kb_id = $1 AND id = $2`,
    [kbId, id],
  );
  return result.rowCount > 0;
}

/** Counts one answer served from it; atomic, so concurrent answers on several replicas all count. */
export async function countCuratedHit(executor: SqlExecutor, id: string): Promise<void> {
  await executor.query(`UPDATE curated_answers SET hits = hits + 1 WHERE id = $1`, [id]);
}

/** The KB's curated-answers version (knowledge_bases.curated_version). */
export async function readCuratedVersion(executor: SqlExecutor, kbId: string): Promise<number> {
  const result = await executor.query<{ curated_version: string }>(`SELECT curated_version FROM knowledge_bases WHERE id = $1`, [kbId]);
  return Number(result.rows[0]?.curated_version ?? 0);
}

/** Which of `sources` name no document of the KB. */
export async function missingSources(executor: SqlExecutor, kbId: string, sources: readonly string[]): Promise<string[]> {
  if (sources.length === 0) return [];
  const result = await executor.query<{ source: string }>(
    `SELECT source FROM documents WHERE kb_id = $1 AND source = ANY($2::text[])`,
    [kbId, [...new Set(sources)]],
  );
  const present = new Set(result.rows.map((row) => row.source));
  return sources.filter((source) => !present.has(source));
}

/**
 * The first chunk of each named document of the KB, in the order named (documents that
 * are gone, or have no chunk yet, are left out): what a curated answer's citations point at.
 */
export async function firstPassagesOfSources(executor: SqlExecutor, kbId: string, sources: readonly string[]): Promise<StoredPassage[]> {
  if (sources.length === 0) return [];
  const result = await executor.query<{ id: string; source: string }>(
    `SELECT DISTINCT ON (d.source) c.id, d.source
       FROM documents d JOIN chunks c ON c.document_id = d.id
      WHERE d.kb_id = $1 AND d.source = ANY($2::text[])
      ORDER BY d.source, c.ordinal`,
    [kbId, [...new Set(sources)]],
  );
  const chunkIdBySource = new Map(result.rows.map((row) => [row.source, String(row.id)]));
  const passages = await loadPassages(executor, kbId, [...chunkIdBySource.values()]);
  return sources
    .map((source) => passages.get(chunkIdBySource.get(source) ?? ''))
    .filter((passage): passage is StoredPassage => passage !== undefined);
}

function fromRow(row: CuratedAnswerRow): CuratedAnswer {
  return {
    id: row.id,
    kbId: String(row.kb_id),
    questions: row.questions,
    answer: row.answer,
    citations: row.citations,
    tags: row.tags,
    enabled: row.enabled,
    hits: Number(row.hits),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
