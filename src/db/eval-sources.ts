import type { SqlExecutor } from './database.ts';

/** A stored chunk as `oriole eval generate` drafts a question from it. */
export interface EvalSourcePassage {
  source: string;
  title: string | null;
  /** The innermost heading above the chunk. */
  heading: string | null;
  text: string;
}

interface SampledChunkRow {
  source: string;
  title: string | null;
  heading_path: string[] | null;
  text: string;
}

/**
 * Up to `limit` chunks of KB `kbId`, spread across its documents: one chunk of every
 * document (by source), then a second of every document, and so on, so a small sample
 * still covers many documents. Within a document the chunks come in a stable shuffle (by
 * content hash), not in reading order, so the sample is not all introductions; the
 * order is deterministic, so a re-run over unchanged content drafts from the same
 * passages. Failed documents hold no usable content and are left out.
 */
export async function sampleChunkTexts(
  executor: SqlExecutor,
  input: { kbId: string; limit: number },
): Promise<EvalSourcePassage[]> {
  if (input.limit <= 0) return [];
  // Named columns only: a chunk's embedding is large and not needed here.
  const result = await executor.query<SampledChunkRow>(
    `SELECT d.source, d.title, c.heading_path, c.text
       FROM (SELECT document_id, ordinal, heading_path, text,
                    row_number() OVER (PARTITION BY document_id ORDER BY content_hash, ordinal) AS position
               FROM chunks
              WHERE kb_id = $1) AS c
       JOIN documents d ON d.id = c.document_id
      WHERE d.status <> 'failed'
      ORDER BY c.position, d.source, c.ordinal
      LIMIT $2`,
    [input.kbId, input.limit],
  );
  return result.rows.map((row) => ({
    source: row.source,
    title: row.title,
    heading: row.heading_path?.at(-1) ?? null,
    text: row.text,
  }));
}
