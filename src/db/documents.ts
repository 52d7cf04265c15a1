import { notFound, OrioleError } from '../core/index.ts';
import type { SqlExecutor } from './database.ts';
import { insertNewChunkTerms, lexicalLength } from './lexical-index.ts';
import { vectorFromSql, vectorToSql } from './vectors.ts';
import { isUuid } from './identifiers.ts';
import { decodeCursor, encodeCursor } from './page-cursor.ts';

export type DocumentStatus = 'pending' | 'ready' | 'failed';

export interface StoredDocument {
  id: string;
  kbId: string;
  source: string;
  title: string | null;
  url: string | null;
  contentType: string;
  contentHash: string | null;
  metadata: Record<string, unknown>;
  tags: Record<string, string>;
  status: DocumentStatus;
  error: string | null;
  chunkCount: number;
  createdAt: Date;
  updatedAt: Date;
}

/** A chunk ready to store: text, hash, its lexical terms, and its vector when it has one. */
export interface ChunkRecord {
  ordinal: number;
  headingPath: string[];
  text: string;
  tokenCount: number;
  contentHash: string;
  metadata: Record<string, unknown>;
  embedding: readonly number[] | null;
  /** Each lexical term of the indexed text with its frequency: the chunk's postings. */
  terms: Map<string, number>;
}

export interface DocumentRecord {
  kbId: string;
  source: string;
  title: string | null;
  url: string | null;
  contentType: string;
  contentHash: string;
  metadata: Record<string, unknown>;
  tags: Record<string, string>;
  /** The source (docs/sources.md) that brought the document in; absent for documents added by hand. */
  sourceId?: string;
}

interface DocumentRow {
  id: string;
  kb_id: string;
  source: string;
  title: string | null;
  url: string | null;
  content_type: string;
  content_hash: string | null;
  metadata: Record<string, unknown>;
  tags: Record<string, string>;
  status: DocumentStatus;
  error: string | null;
  chunk_count: number;
  created_at: Date;
  updated_at: Date;
}

const documentColumns =
  'id, kb_id, source, title, url, content_type, content_hash, metadata, tags, status, error, chunk_count, created_at, updated_at';

export async function findDocumentBySource(
  executor: SqlExecutor,
  kbId: string,
  source: string,
): Promise<StoredDocument | undefined> {
  const result = await executor.query<DocumentRow>(
    `SELECT ${documentColumns} FROM documents WHERE kb_id = $1 AND source = $2`,
    [kbId, source],
  );
  return result.rows[0] ? fromRow(result.rows[0]) : undefined;
}

/** Unknown and malformed ids alike are "not found": a client cannot tell them apart, nor needs to. */
export async function getDocument(executor: SqlExecutor, id: string): Promise<StoredDocument> {
  const result = isUuid(id)
    ? await executor.query<DocumentRow>(`SELECT ${documentColumns} FROM documents WHERE id = $1`, [id])
    : { rows: [] };
  if (!result.rows[0]) throw notFound('document', id);
  return fromRow(result.rows[0]);
}

export interface DocumentPage {
  documents: StoredDocument[];
  nextCursor: string | null;
}

/**
 * Keyset pagination in creation order; the cursor is opaque to clients. `search` keeps
 * the documents whose source or title contains it, ignoring case (a console's filter box).
 */
export async function listDocuments(
  executor: SqlExecutor,
  input: { kbId: string; limit: number; cursor?: string; search?: string },
): Promise<DocumentPage> {
  const after = input.cursor ? decodeCursor(input.cursor) : undefined;
  const result = await executor.query<DocumentRow & { cursor_at: string }>(
    // created_at as text keeps its microseconds, which a JS Date would drop.
    // strpos, not LIKE: the search text's % and _ are plain characters.
    `SELECT ${documentColumns}, created_at::text AS cursor_at FROM documents
      WHERE kb_id = $1 AND ($2::timestamptz IS NULL OR (created_at, id) > ($2::timestamptz, $3::uuid))
        AND ($5::text IS NULL OR strpos(lower(source), $5) > 0 OR strpos(lower(coalesce(title, '')), $5) > 0)
      ORDER BY created_at, id
      LIMIT $4`,
    [input.kbId, after?.createdAt ?? null, after?.id ?? null, input.limit + 1, input.search ? input.search.toLowerCase() : null],
  );
  const rows = result.rows.slice(0, input.limit);
  const last = rows.at(-1);
  return {
    documents: rows.map(fromRow),
    nextCursor: result.rows.length > input.limit && last ? encodeCursor(last) : null,
  };
}

/** A chunk as Oriole split a document, for reading (GET /documents/:id/chunks). */
export interface StoredChunk {
  id: string;
  ordinal: number;
  headingPath: string[];
  text: string;
  tokenCount: number;
  embedded: boolean;
}

/** A page of a document's chunks in reading order, from ordinal `from`. */
export async function listDocumentChunks(
  executor: SqlExecutor,
  input: { documentId: string; from: number; limit: number },
): Promise<{ chunks: StoredChunk[]; nextOrdinal: number | null }> {
  const result = await executor.query<{
    id: string;
    ordinal: number;
    heading_path: string[];
    text: string;
    token_count: number;
    embedded: boolean;
  }>(
    `SELECT id, ordinal, heading_path, text, token_count, embedding IS NOT NULL AS embedded FROM chunks
      WHERE document_id = $1 AND ordinal >= $2 ORDER BY ordinal LIMIT $3`,
    [input.documentId, input.from, input.limit + 1],
  );
  const rows = result.rows.slice(0, input.limit);
  return {
    chunks: rows.map((row) => ({
      id: String(row.id),
      ordinal: Number(row.ordinal),
      headingPath: row.heading_path,
      text: row.text,
      tokenCount: Number(row.token_count),
      embedded: row.embedded,
    })),
    nextOrdinal: result.rows.length > input.limit ? Number(result.rows[input.limit]!.ordinal) : null,
  };
}

/** All sources of a KB, for pruning what an ingest run did not see. */
export async function listSources(executor: SqlExecutor, kbId: string): Promise<{ id: string; source: string }[]> {
  const result = await executor.query<{ id: string; source: string }>(
    `SELECT id, source FROM documents WHERE kb_id = $1 ORDER BY source`,
    [kbId],
  );
  return result.rows;
}

/**
 * Vectors already stored in the KB for chunks of the same text, so a changed
 * document re-embeds only its changed chunks (and duplicated passages embed once).
 */
export async function findEmbeddingsByHash(
  executor: SqlExecutor,
  input: { kbId: string; hashes: readonly string[] },
): Promise<Map<string, number[]>> {
  if (input.hashes.length === 0) return new Map();
  const result = await executor.query<{ content_hash: string; embedding: string }>(
    `SELECT DISTINCT ON (content_hash) content_hash, embedding::text AS embedding
       FROM chunks
      WHERE kb_id = $1 AND content_hash = ANY($2::text[]) AND embedding IS NOT NULL`,
    [input.kbId, input.hashes],
  );
  return new Map(result.rows.map((row) => [row.content_hash, vectorFromSql(row.embedding)]));
}

/**
 * Replaces a document's chunks and their postings. Call inside a transaction: the
 * document row is locked first (two writers of one source queue up), chunks are
 * swapped, and the content hash is written last, so an interrupted run leaves the old
 * version whole and the next run sees a hash that does not match and repairs it.
 * Each chunk is inserted with its BM25 length (`term_count`) and its postings follow
 * in one INSERT per 10,000, so no chunk row is written twice.
 */
export async function replaceDocument(
  transaction: SqlExecutor,
  document: DocumentRecord,
  chunks: readonly ChunkRecord[],
): Promise<{ documentId: string; chunkIds: string[]; created: boolean }> {
  const { id: documentId, created } = await lockDocumentRow(transaction, document);
  await transaction.query(`DELETE FROM chunks WHERE document_id = $1`, [documentId]);
  const measured = chunks.map((chunk) => ({ ...chunk, termCount: lexicalLength(`#${chunk.ordinal}`, chunk.terms) }));
  const chunkIds = await insertChunks(transaction, document.kbId, documentId, measured);
  await insertNewChunkTerms(
    transaction,
    document.kbId,
    measured.map((chunk, index) => ({ chunkId: chunkIds[index]!, terms: chunk.terms, termCount: chunk.termCount })),
  );
  await transaction.query(
    `UPDATE documents
        SET title = $2, url = $3, content_type = $4, metadata = $5, tags = $6, status = 'ready', error = NULL,
            chunk_count = $7, updated_at = now(), content_hash = $8, source_id = coalesce($9, source_id)
      WHERE id = $1`,
    [
      documentId,
      document.title,
      document.url,
      document.contentType,
      JSON.stringify(document.metadata),
      JSON.stringify(document.tags),
      chunks.length,
      document.contentHash,
      document.sourceId ?? null,
    ],
  );
  return { documentId, chunkIds, created };
}

/** A placeholder row for a document an API job will write, so its id can be returned at once. */
export async function reserveDocument(
  executor: SqlExecutor,
  input: { kbId: string; source: string; contentType: string },
): Promise<{ id: string; created: boolean }> {
  const inserted = await executor.query<{ id: string }>(
    `INSERT INTO documents (kb_id, source, content_type, status) VALUES ($1, $2, $3, 'pending')
     ON CONFLICT (kb_id, source) DO NOTHING RETURNING id`,
    [input.kbId, input.source, input.contentType],
  );
  if (inserted.rows[0]) return { id: inserted.rows[0].id, created: true };
  const existing = await findDocumentBySource(executor, input.kbId, input.source);
  if (!existing) throw new OrioleError('conflict', `Document '${input.source}' was deleted while being queued`);
  return { id: existing.id, created: false };
}

/** Marks a document that never got content as failed; a stored version stays as it was. */
export async function markDocumentFailed(
  executor: SqlExecutor,
  input: { kbId: string; source: string; error: string },
): Promise<void> {
  await executor.query(
    `UPDATE documents SET status = 'failed', error = $3, updated_at = now()
      WHERE kb_id = $1 AND source = $2 AND content_hash IS NULL`,
    [input.kbId, input.source, input.error.slice(0, 2000)],
  );
}

/** Removes the placeholder of a document that was never written (it had no text); a stored version stays. */
export async function releaseDocumentReservation(
  executor: SqlExecutor,
  input: { kbId: string; source: string },
): Promise<void> {
  await executor.query(`DELETE FROM documents WHERE kb_id = $1 AND source = $2 AND content_hash IS NULL`, [
    input.kbId,
    input.source,
  ]);
}

export async function deleteDocumentById(executor: SqlExecutor, id: string): Promise<{ kbId: string }> {
  const result = isUuid(id)
    ? await executor.query<{ kb_id: string }>(`DELETE FROM documents WHERE id = $1 RETURNING kb_id`, [id])
    : { rows: [] };
  if (!result.rows[0]) throw notFound('document', id);
  return { kbId: String(result.rows[0].kb_id) };
}

export async function deleteDocumentsByIds(executor: SqlExecutor, kbId: string, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await executor.query(`DELETE FROM documents WHERE kb_id = $1 AND id = ANY($2::uuid[])`, [kbId, ids]);
  return result.rowCount;
}

/** Every content change bumps the KB's version; answers report the version they saw. */
export async function bumpKnowledgeBaseVersion(executor: SqlExecutor, kbId: string): Promise<number> {
  const result = await executor.query<{ version: string }>(
    `UPDATE knowledge_bases SET version = version + 1, updated_at = now() WHERE id = $1 RETURNING version`,
    [kbId],
  );
  return Number(result.rows[0]?.version ?? 0);
}

/** Records the dimension of the KB's vectors on first use; refuses another dimension later. */
export async function claimEmbeddingDimension(executor: SqlExecutor, kbId: string, dimension: number): Promise<void> {
  const result = await executor.query<{ embedding_dim: number | null }>(
    `UPDATE knowledge_bases SET embedding_dim = coalesce(embedding_dim, $2) WHERE id = $1 RETURNING embedding_dim`,
    [kbId, dimension],
  );
  const recorded = result.rows[0]?.embedding_dim;
  if (recorded !== undefined && recorded !== null && recorded !== dimension) {
    throw new OrioleError(
      'embedder_mismatch',
      `The knowledge base holds ${recorded}-dimensional vectors; the embedder produces ${dimension}. Run 'oriole reindex'.`,
    );
  }
}

async function lockDocumentRow(
  transaction: SqlExecutor,
  document: DocumentRecord,
): Promise<{ id: string; created: boolean }> {
  const inserted = await transaction.query<{ id: string }>(
    `INSERT INTO documents (kb_id, source, content_type, status) VALUES ($1, $2, $3, 'pending')
     ON CONFLICT (kb_id, source) DO NOTHING RETURNING id`,
    [document.kbId, document.source, document.contentType],
  );
  if (inserted.rows[0]) return { id: inserted.rows[0].id, created: true };
  const locked = await transaction.query<{ id: string; content_hash: string | null }>(
    `SELECT id, content_hash FROM documents WHERE kb_id = $1 AND source = $2 FOR UPDATE`,
    [document.kbId, document.source],
  );
  const row = locked.rows[0];
  if (!row) throw new OrioleError('conflict', `Document '${document.source}' was deleted while being written`);
  // A reserved placeholder (no hash yet) counts as new content for the summary.
  return { id: row.id, created: row.content_hash === null };
}

/** One INSERT per batch of rows through unnest(), which both backends accept. */
async function insertChunks(
  transaction: SqlExecutor,
  kbId: string,
  documentId: string,
  chunks: readonly (ChunkRecord & { termCount: number })[],
): Promise<string[]> {
  const ids: string[] = [];
  const batchSize = 500;
  for (let start = 0; start < chunks.length; start += batchSize) {
    const batch = chunks.slice(start, start + batchSize);
    const result = await transaction.query<{ id: string; ordinal: number }>(
      `INSERT INTO chunks (document_id, kb_id, ordinal, heading_path, text, token_count, content_hash, metadata,
                           embedding, embedding_dim, term_count)
       SELECT $1, $2, item.ordinal, ARRAY(SELECT jsonb_array_elements_text(item.heading_path::jsonb)), item.text,
              item.token_count, item.content_hash, item.metadata::jsonb, item.embedding::vector,
              CASE WHEN item.embedding IS NULL THEN NULL ELSE vector_dims(item.embedding::vector) END, item.term_count
         FROM unnest($3::int[], $4::text[], $5::text[], $6::int[], $7::text[], $8::text[], $9::text[], $10::int[])
              AS item(ordinal, heading_path, text, token_count, content_hash, metadata, embedding, term_count)
       RETURNING id, ordinal`,
      [
        documentId,
        kbId,
        batch.map((chunk) => chunk.ordinal),
        batch.map((chunk) => JSON.stringify(chunk.headingPath)),
        batch.map((chunk) => chunk.text),
        batch.map((chunk) => chunk.tokenCount),
        batch.map((chunk) => chunk.contentHash),
        batch.map((chunk) => JSON.stringify(chunk.metadata)),
        batch.map((chunk) => (chunk.embedding ? vectorToSql(chunk.embedding) : null)),
        batch.map((chunk) => chunk.termCount),
      ],
    );
    const byOrdinal = new Map(result.rows.map((row) => [Number(row.ordinal), String(row.id)]));
    for (const chunk of batch) ids.push(byOrdinal.get(chunk.ordinal)!);
  }
  return ids;
}

export { isUuid } from './identifiers.ts';

function fromRow(row: DocumentRow): StoredDocument {
  return {
    id: row.id,
    kbId: String(row.kb_id),
    source: row.source,
    title: row.title,
    url: row.url,
    contentType: row.content_type,
    contentHash: row.content_hash,
    metadata: row.metadata,
    tags: row.tags,
    status: row.status,
    error: row.error,
    chunkCount: row.chunk_count,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
