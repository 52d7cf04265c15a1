import type { Citation } from '../core/index.ts';
import type { ConversationOutcome, ConversationRecord, ConversationTurn } from '../db/index.ts';

/**
 * A conversation as GET /conversations/:id returns it and the hand-off webhook sends it:
 * its outcome and every turn with the answer's citations and latest feedback.
 */
export interface ConversationTranscript {
  id: string;
  kb: string;
  outcome: ConversationOutcome;
  createdAt: string;
  updatedAt: string;
  resolvedAt: string | null;
  handedOffAt: string | null;
  handoffReason: string | null;
  turns: TranscriptTurn[];
}

export interface TranscriptTurn {
  answerId: string;
  question: string;
  answer: string;
  citations: Citation[];
  abstained: boolean;
  feedback: { rating: 'up' | 'down'; comment: string | null; createdAt: string } | null;
  createdAt: string;
}

export function conversationTranscript(conversation: ConversationRecord, turns: readonly ConversationTurn[]): ConversationTranscript {
  return {
    id: conversation.id,
    kb: conversation.kbName,
    outcome: conversation.outcome,
    createdAt: conversation.createdAt.toISOString(),
    updatedAt: conversation.updatedAt.toISOString(),
    resolvedAt: conversation.resolvedAt?.toISOString() ?? null,
    handedOffAt: conversation.handedOffAt?.toISOString() ?? null,
    handoffReason: conversation.handoffReason,
    turns: turns.map((turn) => ({
      answerId: turn.answerId,
      question: turn.question,
      answer: turn.answer,
      citations: turn.citations,
      abstained: turn.abstained,
      feedback: turn.feedback
        ? { rating: turn.feedback.rating, comment: turn.feedback.comment, createdAt: turn.feedback.createdAt.toISOString() }
        : null,
      createdAt: turn.createdAt.toISOString(),
    })),
  };
}
