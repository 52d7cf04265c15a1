import type { Citation } from '../core/index.ts';
import type { SqlExecutor } from './database.ts';
import { isUuid } from './identifiers.ts';
import { decodeCursor, encodeCursor } from './page-cursor.ts';

/**
 * Conversations and their turns (docs/conversations.md). A turn copies what the user saw
 * and links to the answers log by `answer_id`, so feedback (which rates answers) joins.
 */
export type ConversationOutcome = 'answered' | 'abstained' | 'handed_off' | 'resolved';

export const conversationOutcomes: readonly ConversationOutcome[] = ['answered', 'abstained', 'handed_off', 'resolved'];

export interface ConversationRecord {
  id: string;
  kbId: string;
  kbName: string;
  outcome: ConversationOutcome;
  createdAt: Date;
  updatedAt: Date;
  resolvedAt: Date | null;
  handedOffAt: Date | null;
  handoffReason: string | null;
}

export interface ConversationTurn {
  answerId: string;
  question: string;
  answer: string;
  citations: Citation[];
  abstained: boolean;
  /** The latest rating of the turn's answer, or null. */
  feedback: { rating: 'up' | 'down'; comment: string | null; createdAt: Date } | null;
  createdAt: Date;
}

export interface ConversationSummary extends ConversationRecord {
  turnCount: number;
  firstQuestion: string | null;
}

export interface ConversationPage {
  conversations: ConversationSummary[];
  nextCursor: string | null;
}

const recordColumns = `c.id, c.kb_id, kb.name AS kb_name, c.outcome, c.created_at, c.updated_at, c.resolved_at,
  c.handed_off_at, c.handoff_reason`;

interface RecordRow {
  id: string;
  kb_id: string;
  kb_name: string;
  outcome: ConversationOutcome;
  created_at: Date;
  updated_at: Date;
  resolved_at: Date | null;
  handed_off_at: Date | null;
  handoff_reason: string | null;
}

/** The conversation `id` with its KB, or undefined (a malformed id too: it names no conversation). */
export async function findConversation(executor: SqlExecutor, id: string): Promise<ConversationRecord | undefined> {
  if (!isUuid(id)) return undefined;
  const result = await executor.query<RecordRow>(
    `SELECT ${recordColumns} FROM conversations c JOIN knowledge_bases kb ON kb.id = c.kb_id WHERE c.id = $1`,
    [id],
  );
  const row = result.rows[0];
  return row ? recordFromRow(row) : undefined;
}

/** The conversation a logged answer is a turn of, if it still exists. */
export async function findConversationOfAnswer(executor: SqlExecutor, answerId: string): Promise<string | undefined> {
  if (!isUuid(answerId)) return undefined;
  const result = await executor.query<{ conversation_id: string }>(`SELECT conversation_id FROM conversation_turns WHERE answer_id = $1`, [answerId]);
  return result.rows[0]?.conversation_id;
}

/** The turns of a conversation, oldest first; `last` keeps only the most recent ones. */
export async function listConversationTurns(executor: SqlExecutor, conversationId: string, last?: number): Promise<ConversationTurn[]> {
  const result = await executor.query<{
    answer_id: string;
    question: string;
    answer: string;
    citations: Citation[];
    abstained: boolean;
    created_at: Date;
    rating: 'up' | 'down' | null;
    comment: string | null;
    rated_at: Date | null;
  }>(
    `SELECT t.answer_id, t.question, t.answer, t.citations, t.abstained, t.created_at,
            latest.rating, latest.comment, latest.created_at AS rated_at
       FROM (SELECT * FROM conversation_turns WHERE conversation_id = $1 ORDER BY id DESC LIMIT $2) t
       LEFT JOIN LATERAL (SELECT f.rating, f.comment, f.created_at FROM feedback f
                           WHERE f.answer_id = t.answer_id ORDER BY f.created_at DESC, f.id DESC LIMIT 1) latest ON true
      ORDER BY t.id`,
    [conversationId, last ?? null],
  );
  return result.rows.map((row) => ({
    answerId: row.answer_id,
    question: row.question,
    answer: row.answer,
    citations: row.citations,
    abstained: row.abstained,
    feedback: row.rating ? { rating: row.rating, comment: row.comment, createdAt: row.rated_at! } : null,
    createdAt: row.created_at,
  }));
}

export interface TurnRecord {
  conversationId: string;
  kbId: string;
  answerId: string;
  question: string;
  answer: string;
  citations: Citation[];
  abstained: boolean;
}

/**
 * Appends a turn, creating the conversation with its first one (in one statement, so a
 * conversation never exists without a turn). The outcome follows the new turn, except
 * that a conversation handed to a human stays `handed_off`: a human has it now.
 * A turn after `resolved` reopens it (the user had more to ask).
 */
export async function appendConversationTurn(executor: SqlExecutor, turn: TurnRecord): Promise<void> {
  const outcome: ConversationOutcome = turn.abstained ? 'abstained' : 'answered';
  await executor.query(
    `WITH conversation AS (
       INSERT INTO conversations (id, kb_id, outcome) VALUES ($1, $2, $3)
       ON CONFLICT (id) DO UPDATE
         SET outcome = CASE WHEN conversations.outcome = 'handed_off' THEN 'handed_off' ELSE excluded.outcome END,
             updated_at = now()
       RETURNING id
     )
     INSERT INTO conversation_turns (conversation_id, answer_id, question, answer, citations, abstained)
     SELECT id, $4, $5, $6, $7, $8 FROM conversation`,
    [turn.conversationId, turn.kbId, outcome, turn.answerId, turn.question, turn.answer, JSON.stringify(turn.citations), turn.abstained],
  );
}

/** Marks the conversation resolved (by the user, or by a thumbs-up on its last answer). */
export async function resolveConversation(executor: SqlExecutor, id: string): Promise<void> {
  await executor.query(
    `UPDATE conversations SET outcome = 'resolved', resolved_at = now(), updated_at = now() WHERE id = $1`,
    [id],
  );
}

/**
 * A thumbs-up on the last answer of a conversation resolves it, unless it was handed to a
 * human (their work decides that). Returns the id of the conversation resolved, if any.
 */
export async function resolveConversationByAnswer(executor: SqlExecutor, answerId: string): Promise<string | undefined> {
  const result = await executor.query<{ id: string }>(
    `UPDATE conversations c SET outcome = 'resolved', resolved_at = now(), updated_at = now()
       FROM conversation_turns t
      WHERE t.answer_id = $1 AND c.id = t.conversation_id AND c.outcome <> 'handed_off'
        AND t.id = (SELECT max(last.id) FROM conversation_turns last WHERE last.conversation_id = c.id)
      RETURNING c.id`,
    [answerId],
  );
  return result.rows[0]?.id;
}

/**
 * Marks the conversation handed off. `first` is true only for the call that handed it off
 * for the first time (the row is locked, so of two concurrent calls only one is first):
 * the hand-off webhook fires for that one alone.
 */
export async function handOffConversation(executor: SqlExecutor, id: string, reason: string | null): Promise<{ first: boolean }> {
  const result = await executor.query<{ first: boolean }>(
    `WITH before AS (SELECT id, handed_off_at FROM conversations WHERE id = $1 FOR UPDATE)
     UPDATE conversations c
        SET outcome = 'handed_off', updated_at = now(),
            handed_off_at = coalesce(c.handed_off_at, now()),
            handoff_reason = CASE WHEN c.handed_off_at IS NULL THEN $2 ELSE c.handoff_reason END
       FROM before
      WHERE c.id = before.id
      RETURNING before.handed_off_at IS NULL AS first`,
    [id, reason],
  );
  return { first: result.rows[0]?.first ?? false };
}

export interface ConversationFilter {
  /** Only these KBs; undefined: every KB. */
  kbId?: string;
  from?: Date;
  to?: Date;
  outcome?: ConversationOutcome;
  limit: number;
  cursor?: string;
}

/**
 * Conversations started in [from, to), newest first, by keyset pagination on (created_at,
 * id); the cursor is opaque to clients.
 */
export async function listConversations(executor: SqlExecutor, filter: ConversationFilter): Promise<ConversationPage> {
  const before = filter.cursor ? decodeCursor(filter.cursor) : undefined;
  const result = await executor.query<RecordRow & { cursor_at: string; turn_count: string; first_question: string | null }>(
    // created_at as text keeps its microseconds, which a JS Date would drop.
    `SELECT ${recordColumns}, c.created_at::text AS cursor_at,
            (SELECT count(*) FROM conversation_turns t WHERE t.conversation_id = c.id) AS turn_count,
            (SELECT t.question FROM conversation_turns t WHERE t.conversation_id = c.id ORDER BY t.id LIMIT 1) AS first_question
       FROM conversations c JOIN knowledge_bases kb ON kb.id = c.kb_id
      WHERE ($1::bigint IS NULL OR c.kb_id = $1)
        AND ($2::timestamptz IS NULL OR c.created_at >= $2)
        AND ($3::timestamptz IS NULL OR c.created_at < $3)
        AND ($4::text IS NULL OR c.outcome = $4)
        AND ($5::timestamptz IS NULL OR (c.created_at, c.id) < ($5::timestamptz, $6::uuid))
      ORDER BY c.created_at DESC, c.id DESC
      LIMIT $7`,
    [
      filter.kbId ?? null,
      filter.from?.toISOString() ?? null,
      filter.to?.toISOString() ?? null,
      filter.outcome ?? null,
      before?.createdAt ?? null,
      before?.id ?? null,
      filter.limit + 1,
    ],
  );
  const rows = result.rows.slice(0, filter.limit);
  const last = rows.at(-1);
  return {
    conversations: rows.map((row) => ({
      ...recordFromRow(row),
      turnCount: Number(row.turn_count),
      firstQuestion: row.first_question,
    })),
    nextCursor: result.rows.length > filter.limit && last ? encodeCursor(last) : null,
  };
}

/**
 * Deletes the conversations (and, by cascade, their turns) last active before `cutoff`.
 * The answers log and its feedback stay: analytics read them. Returns how many went.
 */
export async function deleteConversationsInactiveSince(executor: SqlExecutor, cutoff: Date): Promise<number> {
  const result = await executor.query(`DELETE FROM conversations WHERE updated_at < $1`, [cutoff.toISOString()]);
  return result.rowCount;
}

function recordFromRow(row: RecordRow): ConversationRecord {
  return {
    id: row.id,
    kbId: String(row.kb_id),
    kbName: row.kb_name,
    outcome: row.outcome,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    resolvedAt: row.resolved_at,
    handedOffAt: row.handed_off_at,
    handoffReason: row.handoff_reason,
  };
}

