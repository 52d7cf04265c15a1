import { OrioleError, knowledgeBaseName, notFound, type KbSettings } from '../core/index.ts';
import { sqlState, type SqlExecutor } from './database.ts';

export interface KnowledgeBase {
  id: string;
  name: string;
  embedder: string;
  embeddingDim: number | null;
  /** The answer settings (docs/kb-settings.md); written only through KbSettingsSchema. */
  settings: KbSettings;
  /** Content version: bumped by every change to the KB's documents. */
  version: number;
  /** Bumped by every change to `settings`; answers and the answer cache record it. */
  settingsVersion: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface KnowledgeBaseSummary extends KnowledgeBase {
  documentCount: number;
  chunkCount: number;
}

interface KnowledgeBaseRow {
  id: string;
  name: string;
  embedder: string;
  embedding_dim: number | null;
  settings: KbSettings;
  version: string;
  settings_version: string;
  created_at: Date;
  updated_at: Date;
}

const columns = 'id, name, embedder, embedding_dim, settings, version, settings_version, created_at, updated_at';

export async function createKnowledgeBase(
  executor: SqlExecutor,
  input: { name: string; embedder: string; settings?: KbSettings },
): Promise<KnowledgeBase> {
  assertValidName(input.name);
  try {
    const result = await executor.query<KnowledgeBaseRow>(
      `INSERT INTO knowledge_bases (name, embedder, settings) VALUES ($1, $2, $3) RETURNING ${columns}`,
      [input.name, input.embedder, JSON.stringify(input.settings ?? {})],
    );
    return fromRow(result.rows[0]!);
  } catch (error) {
    if (sqlState(error) === '23505') {
      throw new OrioleError('conflict', `Knowledge base '${input.name}' already exists`, {
        details: { kb: input.name },
      });
    }
    throw error;
  }
}

/** Returns the KB, creating it with `embedder` when it does not exist (ingest into a new KB). */
export async function ensureKnowledgeBase(
  executor: SqlExecutor,
  input: { name: string; embedder: string },
): Promise<KnowledgeBase> {
  assertValidName(input.name);
  await executor.query(
    `INSERT INTO knowledge_bases (name, embedder) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`,
    [input.name, input.embedder],
  );
  return getKnowledgeBase(executor, input.name);
}

export async function findKnowledgeBase(executor: SqlExecutor, name: string): Promise<KnowledgeBase | undefined> {
  const result = await executor.query<KnowledgeBaseRow>(`SELECT ${columns} FROM knowledge_bases WHERE name = $1`, [
    name,
  ]);
  return result.rows[0] ? fromRow(result.rows[0]) : undefined;
}

export async function getKnowledgeBase(executor: SqlExecutor, name: string): Promise<KnowledgeBase> {
  const found = await findKnowledgeBase(executor, name);
  if (!found) throw notFound('kb', name);
  return found;
}

export async function getKnowledgeBaseById(executor: SqlExecutor, id: string): Promise<KnowledgeBase> {
  const result = await executor.query<KnowledgeBaseRow>(`SELECT ${columns} FROM knowledge_bases WHERE id = $1`, [id]);
  if (!result.rows[0]) throw notFound('kb', id);
  return fromRow(result.rows[0]);
}

export async function listKnowledgeBases(executor: SqlExecutor): Promise<KnowledgeBaseSummary[]> {
  const result = await executor.query<KnowledgeBaseRow & { document_count: string; chunk_count: string }>(
    `SELECT kb.id, kb.name, kb.embedder, kb.embedding_dim, kb.settings, kb.version, kb.settings_version, kb.created_at, kb.updated_at,
            (SELECT count(*) FROM documents d WHERE d.kb_id = kb.id) AS document_count,
            (SELECT coalesce(sum(d.chunk_count), 0) FROM documents d WHERE d.kb_id = kb.id) AS chunk_count
       FROM knowledge_bases kb
      ORDER BY kb.name`,
  );
  return result.rows.map((row) => ({
    ...fromRow(row),
    documentCount: Number(row.document_count),
    chunkCount: Number(row.chunk_count),
  }));
}

/** Deletes the KB and, by cascade, its documents, chunks, jobs, answers, feedback and keys. */
export async function deleteKnowledgeBase(executor: SqlExecutor, name: string): Promise<void> {
  const result = await executor.query(`DELETE FROM knowledge_bases WHERE name = $1`, [name]);
  if (result.rowCount === 0) throw notFound('kb', name);
}

function assertValidName(name: string): void {
  if (!knowledgeBaseName.pattern.test(name)) {
    throw new OrioleError(
      'invalid_request',
      `Invalid knowledge-base name '${name.slice(0, 80)}': use ${knowledgeBaseName.description}`,
      { details: { kb: name.slice(0, 80) } },
    );
  }
}

function fromRow(row: KnowledgeBaseRow): KnowledgeBase {
  return {
    id: String(row.id),
    name: row.name,
    embedder: row.embedder,
    embeddingDim: row.embedding_dim,
    settings: row.settings,
    version: Number(row.version),
    settingsVersion: Number(row.settings_version),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
