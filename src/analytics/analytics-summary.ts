import {
  answerTotals,
  answersByDay,
  conversationsByDay,
  curatedAnswerHits,
  loggedConflicts,
  lowRatedAnswers,
  questionCounts,
  uncitedDocuments,
  type SqlExecutor,
} from '../db/index.ts';
import { conflictingDocumentPairs, type ConflictingDocuments } from './conflicting-documents.ts';
import { daysOf, type Period } from './period.ts';
import { groupQuestions, type QuestionGroup } from './question-groups.ts';

/**
 * What GET /analytics/summary returns and `oriole report --json` prints: one KB's
 * answers over a period, eval runs left out (docs/analytics.md).
 */
export interface AnalyticsSummary {
  kb: string;
  /** ISO date-times; `from` inclusive, `to` exclusive. */
  period: { from: string; to: string };
  totals: {
    answers: number;
    abstained: number;
    /** abstained / answers; null when there were no answers. */
    abstentionRate: number | null;
    /** Answers whose latest rating is up / down. */
    feedbackUp: number;
    feedbackDown: number;
    /** Ready documents of the KB (that existed before the period ended), and how many of them no answer cited. */
    documents: number;
    neverCitedDocuments: number;
  };
  topQuestions: Array<{ question: string; count: number; abstainedCount: number; lastAskedAt: string }>;
  unansweredGroups: Array<{ representative: string; count: number; questions: string[]; lastAskedAt: string }>;
  lowRatedAnswers: Array<{
    answerId: string;
    question: string;
    answer: string;
    citations: Array<{ source: string; title: string | null }>;
    comment: string | null;
    ratedAt: string;
  }>;
  neverCitedDocuments: Array<{ documentId: string; source: string; title: string | null }>;
  /** Every UTC day of the period, days without answers included. */
  byDay: Array<{ day: string; answers: number; abstained: number }>;
  /** The KB's curated answers with how often each was served (docs/curated-answers.md). */
  curatedAnswers: Array<{ id: string; question: string; enabled: boolean; hits: number; periodHits: number }>;
  /**
   * Conversations started in the period, by their outcome now (docs/conversations.md):
   * the share resolved, handed off and left on an abstention, in all and per UTC day
   * (every day of the period; rates null on a day without conversations).
   */
  conversations: ConversationRates & { byDay: Array<ConversationRates & { day: string }> };
  /**
   * Pairs of documents that stated different values for what a question asked (a price, a
   * limit, a duration, a date, a version), most often exposed first (docs/answers.md,
   * "Sources that disagree"): make them agree.
   */
  conflictingDocuments: ConflictingDocuments[];
}

export interface ConversationRates {
  conversations: number;
  resolved: number;
  handedOff: number;
  abstained: number;
  /** resolved / conversations; null without conversations. */
  resolutionRate: number | null;
  /** handed off / conversations. */
  handoffRate: number | null;
  /** Conversations whose outcome is abstained (their last turn abstained, and nothing since) / conversations. */
  abstentionRate: number | null;
}

export const analyticsDefaults = {
  /** Entries per list when the request names no limit. */
  limit: 20,
  maxLimit: 100,
  /**
   * Distinct questions read for grouping, most asked first: the long tail past this
   * (questions asked once or twice) is left out of the lists, never out of the totals.
   */
  maxDistinctQuestions: 5_000,
  /** Example wordings shown per unanswered group. */
  examplesPerGroup: 5,
  /** Answers with conflicting sources read, most recent first, to list the documents that disagree. */
  maxConflictAnswers: 5_000,
} as const;

export async function buildAnalyticsSummary(
  executor: SqlExecutor,
  input: { kb: { id: string; name: string }; period: Period; limit?: number },
): Promise<AnalyticsSummary> {
  const limit = input.limit ?? analyticsDefaults.limit;
  const scope = { kbId: input.kb.id, from: input.period.from, to: input.period.to };
  const distinct = { ...scope, limit: analyticsDefaults.maxDistinctQuestions };
  // One after another: PGlite has one connection, and a pool gains little on these.
  const totals = await answerTotals(executor, scope);
  const asked = await questionCounts(executor, { ...distinct, abstainedOnly: false });
  const abstained = await questionCounts(executor, { ...distinct, abstainedOnly: true });
  const lowRated = await lowRatedAnswers(executor, { ...scope, limit });
  const uncited = await uncitedDocuments(executor, { ...scope, limit });
  const days = await answersByDay(executor, scope);
  const conversationDays = new Map((await conversationsByDay(executor, scope)).map((day) => [day.day, day]));
  const curated = await curatedAnswerHits(executor, { ...scope, limit });
  const conflicts = await loggedConflicts(executor, { ...scope, limit: analyticsDefaults.maxConflictAnswers });

  const topGroups = groupQuestions(asked).slice(0, limit);
  const unansweredGroups = groupQuestions(abstained).slice(0, limit);
  const dayCounts = new Map(days.map((day) => [day.day, day]));

  return {
    kb: input.kb.name,
    period: { from: input.period.from.toISOString(), to: input.period.to.toISOString() },
    totals: {
      answers: totals.answers,
      abstained: totals.abstained,
      abstentionRate: totals.answers === 0 ? null : round(totals.abstained / totals.answers),
      feedbackUp: totals.feedbackUp,
      feedbackDown: totals.feedbackDown,
      documents: uncited.documentCount,
      neverCitedDocuments: uncited.total,
    },
    topQuestions: topGroups.map((group) => ({
      question: group.representative,
      count: group.count,
      abstainedCount: group.abstainedCount,
      lastAskedAt: group.lastAskedAt.toISOString(),
    })),
    unansweredGroups: unansweredGroups.map((group: QuestionGroup) => ({
      representative: group.representative,
      count: group.count,
      questions: group.questions.slice(0, analyticsDefaults.examplesPerGroup).map((entry) => entry.question),
      lastAskedAt: group.lastAskedAt.toISOString(),
    })),
    lowRatedAnswers: lowRated.map((answer) => ({ ...answer, ratedAt: answer.ratedAt.toISOString() })),
    neverCitedDocuments: uncited.documents,
    byDay: daysOf(input.period).map((day) => ({
      day,
      answers: dayCounts.get(day)?.answers ?? 0,
      abstained: dayCounts.get(day)?.abstained ?? 0,
    })),
    curatedAnswers: curated,
    conversations: {
      ...conversationRates([...conversationDays.values()]),
      byDay: daysOf(input.period).map((day) => ({ day, ...conversationRates(conversationDays.has(day) ? [conversationDays.get(day)!] : []) })),
    },
    conflictingDocuments: conflictingDocumentPairs(conflicts).slice(0, limit),
  };
}

/** Counts and rates of conversations over some days. */
export function conversationRates(days: ReadonlyArray<{ conversations: number; resolved: number; handedOff: number; abstained: number }>): ConversationRates {
  const sum = (pick: (day: (typeof days)[number]) => number) => days.reduce((total, day) => total + pick(day), 0);
  const conversations = sum((day) => day.conversations);
  const resolved = sum((day) => day.resolved);
  const handedOff = sum((day) => day.handedOff);
  const abstained = sum((day) => day.abstained);
  const rate = (count: number) => (conversations === 0 ? null : round(count / conversations));
  return {
    conversations,
    resolved,
    handedOff,
    abstained,
    resolutionRate: rate(resolved),
    handoffRate: rate(handedOff),
    abstentionRate: rate(abstained),
  };
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
