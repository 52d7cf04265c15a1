import type { SqlExecutor } from './database.ts';

/**
 * Which of `terms` occur anywhere in KB `kbId`: one probe per term of the KB's
 * document-frequency table (migration 004), the table BM25 already reads. A
 * question term no chunk contains is usually its subject ("Bitcoin"), the strongest
 * sign that the KB cannot answer it.
 */
export async function termsPresentInKnowledgeBase(executor: SqlExecutor, kbId: string, terms: readonly string[]): Promise<Set<string>> {
  if (terms.length === 0) return new Set();
  const result = await executor.query<{ term: string }>(
    `SELECT q.term FROM unnest($2::text[]) AS q(term)
      WHERE EXISTS (SELECT 1 FROM lexical_terms t WHERE t.kb_id = $1 AND t.term = q.term AND t.document_frequency > 0)`,
    [kbId, [...new Set(terms)]],
  );
  return new Set(result.rows.map((row) => row.term));
}
