import { notFound, OrioleError, type SourceRunView, type SourceType } from '../core/index.ts';
import type { SqlExecutor } from './database.ts';
import { sqlState } from './database.ts';
import { bumpKnowledgeBaseVersion, isUuid } from './documents.ts';
import { jobColumns, jobFromRow, type Job, type JobRow } from './jobs.ts';

export type ContentSourceType = SourceType;
export type SyncRunSummary = SourceRunView;

/** A source as stored (docs/sources.md); `credentials` is the sealed box, opened only by the sync. */
export interface ContentSource {
  id: string;
  kbId: string;
  type: ContentSourceType;
  name: string;
  config: Record<string, unknown>;
  credentials: Uint8Array | null;
  schedule: string | null;
  nextRunAt: Date | null;
  cursor: Record<string, unknown> | null;
  lastFullSyncAt: Date | null;
  lastRun: SyncRunSummary | null;
  lastError: string | null;
  /** The sync queued or running now, if any. */
  pendingJob: { id: string; status: 'queued' | 'running' } | null;
  createdAt: Date;
  updatedAt: Date;
}

interface ContentSourceRow {
  id: string;
  kb_id: string;
  type: ContentSourceType;
  name: string;
  config: Record<string, unknown>;
  credentials: string | null;
  schedule: string | null;
  next_run_at: Date | null;
  cursor: Record<string, unknown> | null;
  last_full_sync_at: Date | null;
  last_run: SyncRunSummary | null;
  last_error: string | null;
  pending_job_id: string | null;
  pending_job_status: 'queued' | 'running' | null;
  created_at: Date;
  updated_at: Date;
}

// Credentials travel as base64 text: PGlite parses bytea slowly (see jobs.ts), and both backends agree on text.
const selectSources = `
  SELECT s.id, s.kb_id, s.type, s.name, s.config, encode(s.credentials, 'base64') AS credentials, s.schedule,
         s.next_run_at, s.cursor, s.last_full_sync_at, s.last_run, s.last_error, s.created_at, s.updated_at,
         pending.id AS pending_job_id, pending.status AS pending_job_status
    FROM sources s
    LEFT JOIN LATERAL (
      SELECT j.id, j.status FROM jobs j
       WHERE j.source_id = s.id AND j.kind = 'sync' AND j.status IN ('queued', 'running')
       LIMIT 1
    ) pending ON true`;

export interface ContentSourceInput {
  kbId: string;
  type: ContentSourceType;
  name: string;
  config: Record<string, unknown>;
  credentials: Uint8Array | null;
  schedule: string | null;
  nextRunAt: Date | null;
}

export async function insertContentSource(executor: SqlExecutor, input: ContentSourceInput): Promise<ContentSource> {
  try {
    const inserted = await executor.query<{ id: string }>(
      `INSERT INTO sources (kb_id, type, name, config, credentials, schedule, next_run_at)
       VALUES ($1, $2, $3, $4, decode($5, 'base64'), $6, $7) RETURNING id`,
      [input.kbId, input.type, input.name, JSON.stringify(input.config), base64(input.credentials), input.schedule, input.nextRunAt],
    );
    return getContentSource(executor, inserted.rows[0]!.id);
  } catch (error) {
    if (sqlState(error) === '23505') {
      throw new OrioleError('conflict', `The knowledge base already has a source named '${input.name}'`, { details: { field: 'name' } });
    }
    throw error;
  }
}

export async function getContentSource(executor: SqlExecutor, id: string): Promise<ContentSource> {
  const result = isUuid(id) ? await executor.query<ContentSourceRow>(`${selectSources} WHERE s.id = $1`, [id]) : { rows: [] };
  if (!result.rows[0]) throw notFound('source', id);
  return fromRow(result.rows[0]);
}

export async function listContentSources(executor: SqlExecutor, kbId: string): Promise<ContentSource[]> {
  const result = await executor.query<ContentSourceRow>(`${selectSources} WHERE s.kb_id = $1 ORDER BY s.name`, [kbId]);
  return result.rows.map(fromRow);
}

export interface ContentSourceChanges {
  name?: string;
  config?: Record<string, unknown>;
  credentials?: Uint8Array | null;
  schedule?: string | null;
  nextRunAt?: Date | null;
  /** A changed config lists everything again: the cursor belongs to the old one. */
  resetCursor?: boolean;
}

export async function updateContentSource(executor: SqlExecutor, id: string, changes: ContentSourceChanges): Promise<ContentSource> {
  const sets: string[] = [];
  const values: unknown[] = [id];
  const set = (column: string, value: unknown, wrap = (parameter: string) => parameter) => {
    values.push(value);
    sets.push(`${column} = ${wrap(`$${values.length}`)}`);
  };
  if (changes.name !== undefined) set('name', changes.name);
  if (changes.config !== undefined) set('config', JSON.stringify(changes.config));
  if (changes.credentials !== undefined) set('credentials', base64(changes.credentials), (parameter) => `decode(${parameter}, 'base64')`);
  if (changes.schedule !== undefined) set('schedule', changes.schedule);
  if (changes.nextRunAt !== undefined) set('next_run_at', changes.nextRunAt);
  if (changes.resetCursor) sets.push('cursor = NULL', 'last_full_sync_at = NULL');
  if (sets.length > 0) {
    try {
      const result = await executor.query(`UPDATE sources SET ${sets.join(', ')}, updated_at = now() WHERE id = $1`, values);
      if (result.rowCount === 0) throw notFound('source', id);
    } catch (error) {
      if (sqlState(error) === '23505') {
        throw new OrioleError('conflict', `The knowledge base already has a source named '${changes.name}'`, { details: { field: 'name' } });
      }
      throw error;
    }
  }
  return getContentSource(executor, id);
}

/**
 * Removes a source with the documents it brought in (the foreign key cascades) and its
 * queued syncs, bumping the KB's version when documents went, in one transaction.
 */
export async function deleteContentSource(transaction: SqlExecutor, id: string): Promise<{ kbId: string; documents: number }> {
  const source = await getContentSource(transaction, id);
  const counted = await transaction.query<{ count: string }>(`SELECT count(*) AS count FROM documents WHERE source_id = $1`, [id]);
  await transaction.query(`DELETE FROM sources WHERE id = $1`, [id]);
  const documents = Number(counted.rows[0]?.count ?? 0);
  if (documents > 0) await bumpKnowledgeBaseVersion(transaction, source.kbId);
  return { kbId: source.kbId, documents };
}

/**
 * Queues a sync of the source, or returns the one already queued or running (a unique
 * index allows one): a "sync now" during a scheduled run does not start a second run.
 */
export async function queueSourceSync(
  executor: SqlExecutor,
  input: { sourceId: string; kbId: string; trigger: 'manual' | 'schedule' | 'created'; full?: boolean },
): Promise<{ job: Job; created: boolean }> {
  const inserted = await executor.query<JobRow>(
    `INSERT INTO jobs (kb_id, kind, source_id, payload) VALUES ($1, 'sync', $2, $3)
     ON CONFLICT (source_id) WHERE kind = 'sync' AND status IN ('queued', 'running') DO NOTHING
     RETURNING ${jobColumns}`,
    [input.kbId, input.sourceId, JSON.stringify({ sourceId: input.sourceId, trigger: input.trigger, ...(input.full ? { full: true } : {}) })],
  );
  if (inserted.rows[0]) return { job: jobFromRow(inserted.rows[0]), created: true };
  const pending = await executor.query<JobRow>(
    `SELECT ${jobColumns} FROM jobs WHERE source_id = $1 AND kind = 'sync' AND status IN ('queued', 'running') LIMIT 1`,
    [input.sourceId],
  );
  // Finished between the two statements: queue again.
  if (!pending.rows[0]) return queueSourceSync(executor, input);
  return { job: jobFromRow(pending.rows[0]), created: false };
}

/**
 * Locks up to `limit` sources whose next run is due, skipping ones another scheduler
 * holds. Call inside a transaction that moves each one's `next_run_at` on and queues
 * its sync, so every due run is claimed by exactly one scheduler.
 */
export async function lockDueSources(
  transaction: SqlExecutor,
  limit: number,
): Promise<{ sources: { id: string; kbId: string; schedule: string }[]; now: Date }> {
  const result = await transaction.query<{ id: string; kb_id: string; schedule: string; now: Date }>(
    `SELECT id, kb_id, schedule, now() AS now FROM sources
      WHERE next_run_at <= now() AND schedule IS NOT NULL
      ORDER BY next_run_at LIMIT $1
      FOR UPDATE SKIP LOCKED`,
    [limit],
  );
  const clock = await transaction.query<{ now: Date }>(`SELECT now() AS now`);
  return {
    sources: result.rows.map((row) => ({ id: row.id, kbId: String(row.kb_id), schedule: row.schedule })),
    now: new Date(clock.rows[0]!.now),
  };
}

export async function setSourceNextRun(executor: SqlExecutor, id: string, nextRunAt: Date | null): Promise<void> {
  await executor.query(`UPDATE sources SET next_run_at = $2 WHERE id = $1`, [id, nextRunAt]);
}

/** Records a finished run; the cursor and full-sync time move only when given (a run that completed). */
export async function recordSyncRun(
  executor: SqlExecutor,
  input: { sourceId: string; run: SyncRunSummary; error: string | null; cursor?: Record<string, unknown> | null; fullSyncAt?: Date },
): Promise<void> {
  await executor.query(
    `UPDATE sources SET last_run = $2, last_error = $3,
            cursor = CASE WHEN $4::boolean THEN $5::jsonb ELSE cursor END,
            last_full_sync_at = coalesce($6, last_full_sync_at), updated_at = now()
      WHERE id = $1`,
    [
      input.sourceId,
      JSON.stringify(input.run),
      input.error?.slice(0, 2000) ?? null,
      input.cursor !== undefined,
      input.cursor === undefined || input.cursor === null ? null : JSON.stringify(input.cursor),
      input.fullSyncAt ?? null,
    ],
  );
}

/** The documents a source brought in: id and `source` key. */
export async function listSourceDocuments(executor: SqlExecutor, sourceId: string): Promise<{ id: string; source: string }[]> {
  const result = await executor.query<{ id: string; source: string }>(
    `SELECT id, source FROM documents WHERE source_id = $1 ORDER BY source`,
    [sourceId],
  );
  return result.rows;
}

/** Who owns a document key in the KB: null for none, `{ sourceId: null }` for one uploaded by hand. */
export async function documentOwner(
  executor: SqlExecutor,
  kbId: string,
  source: string,
): Promise<{ id: string; sourceId: string | null } | null> {
  const result = await executor.query<{ id: string; source_id: string | null }>(
    `SELECT id, source_id FROM documents WHERE kb_id = $1 AND source = $2`,
    [kbId, source],
  );
  const row = result.rows[0];
  return row ? { id: row.id, sourceId: row.source_id } : null;
}

/** Every source's sealed credentials, for re-sealing under a new key (`oriole sources rekey`). */
export async function listSealedCredentials(executor: SqlExecutor): Promise<{ id: string; credentials: Uint8Array }[]> {
  const result = await executor.query<{ id: string; credentials: string }>(
    `SELECT id, encode(credentials, 'base64') AS credentials FROM sources WHERE credentials IS NOT NULL`,
  );
  return result.rows.map((row) => ({ id: row.id, credentials: new Uint8Array(Buffer.from(row.credentials, 'base64')) }));
}

/** Replaces a source's sealed credentials only if they are still `from` (compare-and-set). */
export async function replaceSealedCredentials(
  executor: SqlExecutor,
  input: { id: string; from: Uint8Array; to: Uint8Array },
): Promise<boolean> {
  const result = await executor.query(
    `UPDATE sources SET credentials = decode($3, 'base64'), updated_at = now() WHERE id = $1 AND credentials = decode($2, 'base64')`,
    [input.id, base64(input.from), base64(input.to)],
  );
  return result.rowCount === 1;
}

function base64(bytes: Uint8Array | null): string | null {
  return bytes === null ? null : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function fromRow(row: ContentSourceRow): ContentSource {
  return {
    id: row.id,
    kbId: String(row.kb_id),
    type: row.type,
    name: row.name,
    config: row.config,
    credentials: row.credentials === null ? null : new Uint8Array(Buffer.from(row.credentials, 'base64')),
    schedule: row.schedule,
    nextRunAt: row.next_run_at,
    cursor: row.cursor,
    lastFullSyncAt: row.last_full_sync_at,
    lastRun: row.last_run,
    lastError: row.last_error,
    pendingJob: row.pending_job_id && row.pending_job_status ? { id: row.pending_job_id, status: row.pending_job_status } : null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
