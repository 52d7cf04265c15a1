import { randomUUID } from 'node:crypto';
import { evalAnswerChannel, notFound } from '../core/index.ts';
import type { AnswerRequest, AnswerResponse, ChatTurn } from '../core/index.ts';
import {
  appendConversationTurn,
  findConversation,
  listConversationTurns,
  type ConversationTurn,
  type Database,
  type KnowledgeBase,
} from '../db/index.ts';
import { stripMarkers } from './citation-markers.ts';

/**
 * The answer service's side of conversations (docs/conversations.md): before answering,
 * the stored turns become the question's history; after `done`, the new turn is stored.
 * Every answer belongs to a conversation: the one it names, or a new one. Eval runs are
 * QA's questions, not a user's chat: they start none.
 */

/** Stored turns given as history: as many as a follow-up rewrite and a prompt use. */
export const conversationHistoryTurns = 10;

export interface ConversationTurnScope {
  /** The KB the answer is made from: the request's, else the conversation's, else the default. */
  kb: KnowledgeBase;
  /** The request with its history: as sent when it sent one, else the conversation's stored turns. */
  request: AnswerRequest;
  /** Puts the conversation's id on a response. */
  stamp(response: AnswerResponse): AnswerResponse;
  /** Stores the answered turn (after its answers-log row, which it links to). */
  record(response: AnswerResponse): Promise<void>;
}

/**
 * Opens the turn of `request` in its conversation. An unknown conversationId, or one of
 * another KB than the request's, is `not_found` (a KB-bound key never reads another KB's
 * conversation: the route pins `request.kb` to the key's KB).
 */
export async function openConversationTurn(
  database: Database,
  request: AnswerRequest,
  knowledgeBase: (name: string | undefined) => Promise<KnowledgeBase>,
): Promise<ConversationTurnScope> {
  if (request.metadata?.channel === evalAnswerChannel && request.conversationId === undefined) {
    return { kb: await knowledgeBase(request.kb), request, stamp: (response) => response, record: async () => {} };
  }
  if (request.conversationId === undefined) return scope(database, await knowledgeBase(request.kb), request, randomUUID());
  const conversation = await findConversation(database, request.conversationId);
  if (!conversation || (request.kb !== undefined && request.kb !== conversation.kbName)) {
    throw notFound('conversation', request.conversationId);
  }
  const kb = await knowledgeBase(conversation.kbName);
  // History sent with the request wins: the client chose what the question follows.
  const history = request.history?.length ? request.history : historyOf(await listConversationTurns(database, conversation.id, conversationHistoryTurns));
  return scope(database, kb, { ...request, kb: kb.name, history }, conversation.id);
}

function scope(database: Database, kb: KnowledgeBase, request: AnswerRequest, conversationId: string): ConversationTurnScope {
  return {
    kb,
    request,
    stamp: (response) => ({ ...response, conversationId }),
    record: (response) =>
      appendConversationTurn(database, {
        conversationId,
        kbId: kb.id,
        answerId: response.answerId,
        question: request.question,
        answer: response.answer,
        citations: response.citations,
        abstained: response.abstained,
      }),
  };
}

/** Stored turns as chat history: each question, then its answer without citation markers. */
export function historyOf(turns: readonly Pick<ConversationTurn, 'question' | 'answer'>[]): ChatTurn[] {
  return turns.flatMap((turn): ChatTurn[] => [
    { role: 'user', content: turn.question },
    { role: 'assistant', content: stripMarkers(turn.answer).trim() || turn.answer },
  ]);
}
