import { passageUrl, type Passage } from '../core/index.ts';
import type { SqlExecutor } from './database.ts';

/** A stored chunk with its document's identity: what a passage is built from. */
export type StoredPassage = Omit<Passage, 'score' | 'lexicalScore' | 'vectorSimilarity'>;

interface PassageRow {
  id: string;
  document_id: string;
  ordinal: number;
  heading_path: string[];
  text: string;
  metadata: { pages?: number[]; anchor?: string } | null;
  source: string;
  title: string | null;
  url: string | null;
}

const passageColumns = `c.id, c.document_id, c.ordinal, c.heading_path, c.text, c.metadata, d.source, d.title, d.url`;

/** The chunks `chunkIds` of KB `kbId` with their documents, keyed by chunk id (missing ids are absent). */
export async function loadPassages(
  executor: SqlExecutor,
  kbId: string,
  chunkIds: readonly string[],
): Promise<Map<string, StoredPassage>> {
  if (chunkIds.length === 0) return new Map();
  const result = await executor.query<PassageRow>(
    `SELECT ${passageColumns}
       FROM chunks c JOIN documents d ON d.id = c.document_id
      WHERE c.kb_id = $1 AND c.id = ANY($2::bigint[])`,
    [kbId, chunkIds],
  );
  return new Map(result.rows.map((row) => [String(row.id), fromRow(row)]));
}

/** The chunk right after each given (document, ordinal), for passages that continue in the next chunk. */
export async function loadFollowingChunks(
  executor: SqlExecutor,
  positions: readonly { documentId: string; ordinal: number }[],
): Promise<Map<string, StoredPassage>> {
  if (positions.length === 0) return new Map();
  const result = await executor.query<PassageRow>(
    `SELECT ${passageColumns}
       FROM unnest($1::uuid[], $2::integer[]) AS p(document_id, ordinal)
       JOIN chunks c ON c.document_id = p.document_id AND c.ordinal = p.ordinal + 1
       JOIN documents d ON d.id = c.document_id`,
    [positions.map((position) => position.documentId), positions.map((position) => position.ordinal)],
  );
  return new Map(result.rows.map((row) => [`${row.document_id}:${row.ordinal - 1}`, fromRow(row)]));
}

function fromRow(row: PassageRow): StoredPassage {
  const headingPath = row.heading_path ?? [];
  const pages = Array.isArray(row.metadata?.pages) ? row.metadata.pages.filter((page) => Number.isInteger(page)) : [];
  const anchor = typeof row.metadata?.anchor === 'string' ? row.metadata.anchor : null;
  return {
    chunkId: String(row.id),
    documentId: row.document_id,
    source: row.source,
    title: row.title,
    // Documents stored before ingest refused other schemes may still hold one; passageUrl drops it.
    url: passageUrl(row.url, { anchor, pages }),
    heading: headingPath.at(-1) ?? null,
    headingPath,
    pages,
    ordinal: row.ordinal,
    text: row.text,
  };
}
