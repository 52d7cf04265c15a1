import type { AnswerResponse, ChatTurn, Citation } from './api-types.ts';

/**
 * The chat's turns and what the next question sends from them: pure, with no Preact or DOM,
 * so the rules are tested in Node (test/web/conversation-id.test.ts).
 */

/** One question and its answer, as it streams in and after. */
export interface Turn {
  id: string;
  /** The KB it was asked of: a conversation continues only on its own KB. */
  kb?: string;
  question: string;
  /** The answer text so far (all of it once `done`). */
  answer: string;
  citations: Citation[];
  response?: AnswerResponse;
  status: 'streaming' | 'done' | 'stopped' | 'error';
  error?: string;
}

/** Follow-ups carry this many earlier messages (the server accepts 50; the last few carry the context). */
const historyMessages = 12;
/** The server's per-message limit; a longer answer is cut, not refused. */
const historyMessageChars = 8_000;

/** The conversation the last answered turn belongs to, when it was asked of the same KB. */
export function continuedConversation(turns: readonly Turn[], kb: string | undefined): string | undefined {
  const last = turns.findLast((turn) => turn.status === 'done' && turn.response?.conversationId);
  return last && last.kb === kb ? last.response!.conversationId : undefined;
}

/** The earlier finished turns as `history`, newest last. */
export function historyOf(turns: readonly Turn[]): ChatTurn[] {
  const messages = turns
    .filter((turn) => turn.status === 'done' && turn.response)
    .flatMap((turn): ChatTurn[] => [
      { role: 'user', content: turn.question.slice(0, historyMessageChars) },
      { role: 'assistant', content: turn.answer.slice(0, historyMessageChars) },
    ]);
  return messages.slice(-historyMessages);
}
