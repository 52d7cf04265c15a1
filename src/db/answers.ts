import type { ChatTurn, Citation, SourceConflict } from '../core/index.ts';
import type { SqlExecutor } from './database.ts';

/** One served answer, kept for analytics, feedback and replay. */
export interface AnswerLogEntry {
  id: string;
  kbId: string;
  kbVersion: number;
  /** The version of the KB's answer settings the answer was made under. */
  settingsVersion: number;
  question: string;
  history: ChatTurn[];
  answer: string;
  abstained: boolean;
  reason: string | null;
  /** The answer's `confidence` (0–1). */
  confidence?: number | null;
  mode: string;
  model: string;
  citations: Citation[];
  /** Sources of the answer that disagree on the value asked (docs/answers.md); null when none do. */
  conflicts?: SourceConflict[] | null;
  /** How retrieval ran and what it returned (query, mode, chunk ids and scores). */
  retrieval: Record<string, unknown>;
  timings: Record<string, number>;
  userId: string | null;
  channel: string | null;
}

export async function logAnswer(executor: SqlExecutor, entry: AnswerLogEntry): Promise<void> {
  await executor.query(
    `INSERT INTO answers (id, kb_id, kb_version, question, history, answer, abstained, reason, mode, model,
                          citations, retrieval, timings, user_id, channel, settings_version, confidence, conflicts)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
    [
      entry.id,
      entry.kbId,
      entry.kbVersion,
      entry.question,
      JSON.stringify(entry.history),
      entry.answer,
      entry.abstained,
      entry.reason,
      entry.mode,
      entry.model,
      JSON.stringify(entry.citations),
      JSON.stringify(entry.retrieval),
      JSON.stringify(entry.timings),
      entry.userId,
      entry.channel,
      entry.settingsVersion,
      entry.confidence ?? null,
      entry.conflicts && entry.conflicts.length > 0 ? JSON.stringify(entry.conflicts) : null,
    ],
  );
}

export interface LoggedAnswer {
  id: string;
  kbId: string;
  question: string;
  /** The turns the question was asked after, as they were given to the answer. */
  history: ChatTurn[];
  answer: string;
  abstained: boolean;
  mode: string;
  citations: Citation[];
  createdAt: Date;
}

/** The logged answer `id`, or undefined. */
export async function findLoggedAnswer(executor: SqlExecutor, id: string): Promise<LoggedAnswer | undefined> {
  const result = await executor.query<{
    id: string;
    kb_id: string;
    question: string;
    history: ChatTurn[] | null;
    answer: string;
    abstained: boolean;
    mode: string;
    citations: Citation[];
    created_at: Date;
  }>(`SELECT id, kb_id, question, history, answer, abstained, mode, citations, created_at FROM answers WHERE id = $1`, [id]);
  const row = result.rows[0];
  if (!row) return undefined;
  return {
    id: row.id,
    kbId: String(row.kb_id),
    question: row.question,
    history: row.history ?? [],
    answer: row.answer,
    abstained: row.abstained,
    mode: row.mode,
    citations: row.citations,
    createdAt: row.created_at,
  };
}
