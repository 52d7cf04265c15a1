import { OrioleError, evalSetName, notFound } from '../core/index.ts';
import type { SqlExecutor } from './database.ts';
import { isUuid } from './documents.ts';
import { jobColumns, jobFromRow, type Job, type JobRow } from './jobs.ts';

/**
 * Stored eval sets (one per KB and name) and eval jobs. The cases are kept as the JSON
 * the API validated: this stage stores them, the evals stage knows their shape.
 */
export interface EvalSetSummary {
  id: string;
  kbId: string;
  name: string;
  caseCount: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface EvalSet extends EvalSetSummary {
  cases: unknown[];
}

interface EvalSetRow {
  id: string;
  kb_id: string;
  name: string;
  case_count: number;
  created_at: Date;
  updated_at: Date;
  cases?: unknown[];
}

const summaryColumns = 'id, kb_id, name, case_count, created_at, updated_at';

/** Stores a set under its name, replacing the cases of a set of that name; `replaced` says which happened. */
export async function saveEvalSet(
  executor: SqlExecutor,
  input: { kbId: string; name: string; cases: readonly unknown[] },
): Promise<{ evalSet: EvalSetSummary; replaced: boolean }> {
  assertValidName(input.name);
  // xmax is 0 on a freshly inserted row and set on one the upsert updated: one statement, no race.
  const result = await executor.query<EvalSetRow & { inserted: boolean }>(
    `INSERT INTO eval_sets (kb_id, name, cases, case_count) VALUES ($1, $2, $3, $4)
     ON CONFLICT (kb_id, name) DO UPDATE
        SET cases = excluded.cases, case_count = excluded.case_count, updated_at = now()
     RETURNING ${summaryColumns}, (xmax = 0) AS inserted`,
    [input.kbId, input.name, JSON.stringify(input.cases), input.cases.length],
  );
  const row = result.rows[0]!;
  return { evalSet: fromRow(row), replaced: !row.inserted };
}

export async function getEvalSet(executor: SqlExecutor, input: { kbId: string; name: string }): Promise<EvalSet> {
  const result = await executor.query<EvalSetRow>(
    `SELECT ${summaryColumns}, cases FROM eval_sets WHERE kb_id = $1 AND name = $2`,
    [input.kbId, input.name],
  );
  if (!result.rows[0]) throw evalSetNotFound(input.name);
  return { ...fromRow(result.rows[0]), cases: result.rows[0].cases ?? [] };
}

/** A set without its cases (a set may hold megabytes of them). */
export async function getEvalSetSummary(
  executor: SqlExecutor,
  input: { kbId: string; name: string },
): Promise<EvalSetSummary> {
  const result = await executor.query<EvalSetRow>(
    `SELECT ${summaryColumns} FROM eval_sets WHERE kb_id = $1 AND name = $2`,
    [input.kbId, input.name],
  );
  if (!result.rows[0]) throw evalSetNotFound(input.name);
  return fromRow(result.rows[0]);
}

/** The KB's sets by name, without their cases. */
export async function listEvalSets(executor: SqlExecutor, kbId: string): Promise<EvalSetSummary[]> {
  const result = await executor.query<EvalSetRow>(
    `SELECT ${summaryColumns} FROM eval_sets WHERE kb_id = $1 ORDER BY name`,
    [kbId],
  );
  return result.rows.map(fromRow);
}

export async function deleteEvalSet(executor: SqlExecutor, input: { kbId: string; name: string }): Promise<void> {
  const result = await executor.query(`DELETE FROM eval_sets WHERE kb_id = $1 AND name = $2`, [input.kbId, input.name]);
  if (result.rowCount === 0) throw evalSetNotFound(input.name);
}

/** Queues an eval run; `total` is the number of cases, shown as progress until a worker takes it. */
export async function createEvalJob(
  executor: SqlExecutor,
  input: { kbId: string; payload: Record<string, unknown>; total: number },
): Promise<Job> {
  const result = await executor.query<JobRow>(
    `INSERT INTO jobs (kb_id, kind, payload, progress_total) VALUES ($1, 'eval', $2, $3) RETURNING ${jobColumns}`,
    [input.kbId, JSON.stringify(input.payload), input.total],
  );
  return jobFromRow(result.rows[0]!);
}

/** An eval job with its KB's name; any other id (unknown, malformed, an ingestion job's) is not found. */
export async function getEvalJob(executor: SqlExecutor, id: string): Promise<Job & { kbName: string }> {
  const result = isUuid(id)
    ? await executor.query<JobRow & { kb_name: string }>(
        `SELECT ${jobColumns}, (SELECT name FROM knowledge_bases WHERE id = jobs.kb_id) AS kb_name
           FROM jobs WHERE id = $1 AND kind = 'eval'`,
        [id],
      )
    : { rows: [] };
  if (!result.rows[0]) throw notFound('eval', id);
  return { ...jobFromRow(result.rows[0]), kbName: result.rows[0].kb_name };
}

/** An eval run as listed: its report's summary metrics only (a whole report can be megabytes; GET /evals/:id has it). */
export type EvalJobSummary = Omit<Job, 'result'> & { kbName: string; summary: Record<string, number | null> | null };

/** A KB's eval runs, newest first, at most `limit`. */
export async function listEvalJobs(executor: SqlExecutor, input: { kbId: string; limit: number }): Promise<EvalJobSummary[]> {
  const columns = jobColumns.replace('result, ', '');
  const result = await executor.query<Omit<JobRow, 'result'> & { kb_name: string; summary: Record<string, number | null> | null }>(
    `SELECT ${columns}, result -> 'summary' AS summary,
            (SELECT name FROM knowledge_bases WHERE id = jobs.kb_id) AS kb_name
       FROM jobs WHERE kb_id = $1 AND kind = 'eval'
      ORDER BY created_at DESC, id DESC
      LIMIT $2`,
    [input.kbId, input.limit],
  );
  return result.rows.map((row) => {
    const { result: _report, ...job } = jobFromRow({ ...row, result: null });
    return { ...job, kbName: row.kb_name, summary: row.summary ?? null };
  });
}

function evalSetNotFound(name: string): OrioleError {
  return new OrioleError('not_found', `Eval set '${name}' does not exist in this knowledge base`, {
    details: { evalSet: name },
  });
}

function assertValidName(name: string): void {
  if (!evalSetName.pattern.test(name)) {
    throw new OrioleError(
      'invalid_request',
      `Invalid eval set name '${name.slice(0, 120)}': use ${evalSetName.description}`,
      { details: { name: name.slice(0, 120) } },
    );
  }
}

function fromRow(row: EvalSetRow): EvalSetSummary {
  return {
    id: String(row.id),
    kbId: String(row.kb_id),
    name: row.name,
    caseCount: row.case_count,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
