import { notFound } from '../core/index.ts';
import type { SqlExecutor } from './database.ts';
import { isUuid } from './documents.ts';

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed';

/** What a job does; each kind has its own workers (ingestion, crawls and source syncs; evals). */
export type JobKind = 'ingest' | 'eval' | 'crawl' | 'sync';

export interface Job {
  id: string;
  kbId: string;
  kind: JobKind;
  status: JobStatus;
  payload: Record<string, unknown>;
  result: Record<string, unknown> | null;
  progress: { done: number; total: number };
  error: string | null;
  attempts: number;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

export interface JobItemInput {
  source: string;
  content: Uint8Array;
  contentType: string | null;
  title: string | null;
  url: string | null;
  metadata: Record<string, unknown>;
  tags: Record<string, string>;
  documentId: string | null;
}

/** What became of a job's document: `skipped` when it had no text to index (nothing was written). */
export type JobItemOutcome = 'added' | 'updated' | 'unchanged' | 'skipped';

export interface JobItem extends Omit<JobItemInput, 'content'> {
  jobId: string;
  ordinal: number;
  status: 'queued' | 'succeeded' | 'failed';
  outcome: JobItemOutcome | null;
  error: string | null;
  /** Why a skipped document was skipped; null otherwise. */
  reason: string | null;
}

export interface JobRow {
  id: string;
  kb_id: string;
  kind: JobKind;
  status: JobStatus;
  payload: Record<string, unknown>;
  result: Record<string, unknown> | null;
  progress_done: number;
  progress_total: number;
  error: string | null;
  attempts: number;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

export const jobColumns =
  'id, kb_id, kind, status, payload, result, progress_done, progress_total, error, attempts, created_at, updated_at, finished_at';

export async function createIngestJob(
  transaction: SqlExecutor,
  input: { kbId: string; items: readonly JobItemInput[] },
): Promise<Job> {
  const created = await transaction.query<JobRow>(
    `INSERT INTO jobs (kb_id, kind, progress_total) VALUES ($1, 'ingest', $2) RETURNING ${jobColumns}`,
    [input.kbId, input.items.length],
  );
  const job = jobFromRow(created.rows[0]!);
  for (const [ordinal, item] of input.items.entries()) {
    await transaction.query(
      `INSERT INTO job_items (job_id, ordinal, document_id, source, content, content_type, title, url, metadata, tags)
       VALUES ($1, $2, $3, $4, decode($5, 'base64'), $6, $7, $8, $9, $10)`,
      [
        job.id,
        ordinal,
        item.documentId,
        item.source,
        // Bytes travel as base64 text, decoded by the server: PGlite serialises a bytea
        // parameter byte by byte on the event loop (22 MB: 14 s, against 1 s this way),
        // and pg sends bytea as hex, twice the size.
        Buffer.from(item.content.buffer, item.content.byteOffset, item.content.byteLength).toString('base64'),
        item.contentType,
        item.title,
        item.url,
        JSON.stringify(item.metadata),
        JSON.stringify(item.tags),
      ],
    );
  }
  return job;
}

/**
 * A crawl job: what to crawl is in its payload; its pages become documents as the worker
 * finds them, so it has no job items, and its total is the page budget until it ends.
 */
export async function createCrawlJob(
  executor: SqlExecutor,
  input: { kbId: string; url: string; maxPages: number; maxDepth: number },
): Promise<Job> {
  const created = await executor.query<JobRow>(
    `INSERT INTO jobs (kb_id, kind, payload, progress_total) VALUES ($1, 'crawl', $2, $3) RETURNING ${jobColumns}`,
    [input.kbId, JSON.stringify({ url: input.url, maxPages: input.maxPages, maxDepth: input.maxDepth }), input.maxPages],
  );
  return jobFromRow(created.rows[0]!);
}

export async function getJob(executor: SqlExecutor, id: string): Promise<Job> {
  const result = isUuid(id)
    ? await executor.query<JobRow>(`SELECT ${jobColumns} FROM jobs WHERE id = $1`, [id])
    : { rows: [] };
  if (!result.rows[0]) throw notFound('job', id);
  return jobFromRow(result.rows[0]);
}

/**
 * Claims the oldest runnable job of one of `kinds` (every kind when omitted): a queued
 * one, or a running one whose worker's lease lapsed (the worker died). SKIP LOCKED lets
 * any number of workers share the queue without waiting on each other.
 */
export async function claimNextJob(
  executor: SqlExecutor,
  input: { workerId: string; leaseSeconds: number; kinds?: readonly JobKind[] },
): Promise<Job | undefined> {
  const result = await executor.query<JobRow>(
    `UPDATE jobs
        SET status = 'running', locked_by = $1, locked_until = now() + make_interval(secs => $2),
            attempts = attempts + 1, updated_at = now()
      WHERE id = (
        SELECT id FROM jobs
         WHERE ((status = 'queued' AND run_after <= now())
                OR (status = 'running' AND locked_until < now()))
           AND ($3::text[] IS NULL OR kind = ANY($3::text[]))
         ORDER BY created_at
         LIMIT 1
         FOR UPDATE SKIP LOCKED)
      RETURNING ${jobColumns}`,
    [input.workerId, input.leaseSeconds, input.kinds ? [...input.kinds] : null],
  );
  return result.rows[0] ? jobFromRow(result.rows[0]) : undefined;
}

/** Extends a running job's lease; false when another worker has taken it over. */
export async function renewJobLease(
  executor: SqlExecutor,
  input: { jobId: string; workerId: string; leaseSeconds: number },
): Promise<boolean> {
  const result = await executor.query(
    `UPDATE jobs SET locked_until = now() + make_interval(secs => $3), updated_at = now()
      WHERE id = $1 AND locked_by = $2 AND status = 'running'`,
    [input.jobId, input.workerId, input.leaseSeconds],
  );
  return result.rowCount === 1;
}

/** Hands a job back to the queue (a worker shutting down mid-job). */
export async function releaseJob(executor: SqlExecutor, input: { jobId: string; workerId: string }): Promise<void> {
  await executor.query(
    `UPDATE jobs SET status = 'queued', locked_by = NULL, locked_until = NULL, attempts = greatest(attempts - 1, 0),
            updated_at = now()
      WHERE id = $1 AND locked_by = $2 AND status = 'running'`,
    [input.jobId, input.workerId],
  );
}

/** Records how far a running job got; ignored once another worker holds the job. */
export async function updateJobProgress(
  executor: SqlExecutor,
  input: { jobId: string; workerId: string; done: number; total: number },
): Promise<void> {
  await executor.query(
    `UPDATE jobs SET progress_done = $3, progress_total = $4, updated_at = now()
      WHERE id = $1 AND locked_by = $2 AND status = 'running'`,
    [input.jobId, input.workerId, input.done, input.total],
  );
}

export async function finishJob(
  executor: SqlExecutor,
  input: { jobId: string; workerId: string; status: 'succeeded' | 'failed'; error?: string; result?: object },
): Promise<void> {
  await executor.query(
    `UPDATE jobs SET status = $3, error = $4, result = $5, locked_by = NULL, locked_until = NULL,
            finished_at = now(), updated_at = now()
      WHERE id = $1 AND locked_by = $2`,
    [input.jobId, input.workerId, input.status, input.error ?? null, JSON.stringify(input.result ?? null)],
  );
}

export async function pendingJobItems(executor: SqlExecutor, jobId: string): Promise<JobItem[]> {
  const result = await executor.query<JobItemRow>(
    `SELECT ${jobItemColumns} FROM job_items WHERE job_id = $1 ORDER BY ordinal`,
    [jobId],
  );
  return result.rows.map(fromItemRow);
}

export async function jobItemContent(executor: SqlExecutor, jobId: string, ordinal: number): Promise<Uint8Array> {
  // As base64 for the reason the insert sends it so: PGlite parses bytea output slowly.
  const result = await executor.query<{ content: string | null }>(
    `SELECT encode(content, 'base64') AS content FROM job_items WHERE job_id = $1 AND ordinal = $2`,
    [jobId, ordinal],
  );
  const content = result.rows[0]?.content;
  return content ? new Uint8Array(Buffer.from(content, 'base64')) : new Uint8Array();
}

/** Records one document's outcome and the job's progress together; the bytes are dropped once done. */
export async function completeJobItem(
  executor: SqlExecutor,
  input: {
    jobId: string;
    ordinal: number;
    status: 'succeeded' | 'failed';
    outcome?: JobItemOutcome;
    documentId?: string;
    error?: string;
    reason?: string;
  },
): Promise<void> {
  await executor.query(
    `UPDATE job_items SET status = $3, outcome = $4, document_id = coalesce($5, document_id), error = $6, reason = $7,
            content = NULL
      WHERE job_id = $1 AND ordinal = $2`,
    [
      input.jobId,
      input.ordinal,
      input.status,
      input.outcome ?? null,
      input.documentId ?? null,
      input.error ?? null,
      input.reason ?? null,
    ],
  );
  await executor.query(
    `UPDATE jobs SET updated_at = now(),
            progress_done = (SELECT count(*) FROM job_items WHERE job_id = $1 AND status <> 'queued')
      WHERE id = $1`,
    [input.jobId],
  );
}

interface JobItemRow {
  job_id: string;
  ordinal: number;
  document_id: string | null;
  source: string;
  content_type: string | null;
  title: string | null;
  url: string | null;
  metadata: Record<string, unknown>;
  tags: Record<string, string>;
  status: 'queued' | 'succeeded' | 'failed';
  outcome: JobItemOutcome | null;
  error: string | null;
  reason: string | null;
}

const jobItemColumns =
  'job_id, ordinal, document_id, source, content_type, title, url, metadata, tags, status, outcome, error, reason';

function fromItemRow(row: JobItemRow): JobItem {
  return {
    jobId: row.job_id,
    ordinal: row.ordinal,
    documentId: row.document_id,
    source: row.source,
    contentType: row.content_type,
    title: row.title,
    url: row.url,
    metadata: row.metadata,
    tags: row.tags,
    status: row.status,
    outcome: row.outcome,
    error: row.error,
    reason: row.reason,
  };
}

export function jobFromRow(row: JobRow): Job {
  return {
    id: row.id,
    kbId: String(row.kb_id),
    kind: row.kind,
    status: row.status,
    payload: row.payload,
    result: row.result,
    progress: { done: row.progress_done, total: row.progress_total },
    error: row.error,
    attempts: row.attempts,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}
