import { notFound } from '../core/index.ts';
import { sqlState, type SqlExecutor } from './database.ts';

export type FeedbackRating = 'up' | 'down';

export interface Feedback {
  id: string;
  answerId: string;
  rating: FeedbackRating;
  comment: string | null;
  createdAt: Date;
}

/** The KB a logged answer came from, or undefined when there is no such answer. */
export async function findAnswerKnowledgeBase(
  executor: SqlExecutor,
  answerId: string,
): Promise<{ id: string; name: string } | undefined> {
  const result = await executor.query<{ id: string; name: string }>(
    `SELECT kb.id, kb.name FROM answers a JOIN knowledge_bases kb ON kb.id = a.kb_id WHERE a.id = $1`,
    [answerId],
  );
  const row = result.rows[0];
  return row ? { id: String(row.id), name: row.name } : undefined;
}

/**
 * Records a rating of an answer. Every rating is kept (a user may change their mind);
 * analytics read the latest one per answer. An answer that is gone (its KB deleted
 * meanwhile) is `not_found`.
 */
export async function recordFeedback(
  executor: SqlExecutor,
  input: { answerId: string; rating: FeedbackRating; comment: string | null },
): Promise<Feedback> {
  try {
    const result = await executor.query<{ id: string; answer_id: string; rating: FeedbackRating; comment: string | null; created_at: Date }>(
      `INSERT INTO feedback (answer_id, rating, comment) VALUES ($1, $2, $3)
       RETURNING id, answer_id, rating, comment, created_at`,
      [input.answerId, input.rating, input.comment],
    );
    const row = result.rows[0]!;
    return { id: String(row.id), answerId: row.answer_id, rating: row.rating, comment: row.comment, createdAt: row.created_at };
  } catch (error) {
    if (sqlState(error) === '23503') throw notFound('answer', input.answerId);
    throw error;
  }
}
