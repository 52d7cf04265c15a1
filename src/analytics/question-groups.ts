import { lexicalTerms } from '../retrieval/index.ts';

/** One distinct question as asked, with how often and how recently. */
export interface AskedQuestion {
  question: string;
  count: number;
  /** How many of those times the answer abstained. */
  abstainedCount: number;
  lastAskedAt: Date;
}

/** Questions that ask the same thing, in different words. */
export interface QuestionGroup {
  /** The group's most frequent question, as it was asked. */
  representative: string;
  count: number;
  abstainedCount: number;
  lastAskedAt: Date;
  /** The distinct questions of the group, most frequent first. */
  questions: Array<{ question: string; count: number }>;
}

export interface QuestionGroupSettings {
  /**
   * Two questions are grouped when the Jaccard similarity of their term sets
   * (|A ∩ B| / |A ∪ B|) is at least this. 0.5 groups "How do I reset my password?",
   * "how to reset password" and "reset password not working" ({reset, password} and
   * {reset, password, not, work}), and keeps "How do I change my password?" apart
   * ({chang, password}: 1/3).
   */
  similarityThreshold: number;
  /** Text → terms; the retrieval tokenizer: stemmed, stopwords and question words out, CJK bigrams. */
  terms: (text: string) => string[];
}

export const questionGroupDefaults: QuestionGroupSettings = { similarityThreshold: 0.5, terms: lexicalTerms };

/**
 * Case, width and punctuation folded: NFKC, lower case, punctuation and symbols as
 * spaces, whitespace collapsed. Questions equal after this are one question.
 */
export function normalizeQuestion(question: string): string {
  return question
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\p{P}\p{S}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

interface Candidate {
  normalized: string;
  terms: Set<string>;
  count: number;
  abstainedCount: number;
  lastAskedAt: Date;
  questions: Map<string, { count: number; lastAskedAt: Date }>;
}

interface Building {
  seed: Candidate;
  members: Candidate[];
}

/**
 * Groups similar questions, greedily and deterministically (the input order does not
 * matter): questions equal once normalised are merged; then, most frequent first, each
 * joins the most similar existing group whose seed (its first, most frequent question)
 * is at least `similarityThreshold` similar, or starts a group of its own. Comparing
 * with the seed only, not with every member, keeps groups from drifting through chains
 * of near neighbours. A question with no terms left (e.g. "How?") groups only with
 * questions equal to it once normalised.
 *
 * Groups come back most asked first (then most recent, then alphabetical).
 */
export function groupQuestions(
  asked: readonly AskedQuestion[],
  settings: Partial<QuestionGroupSettings> = {},
): QuestionGroup[] {
  const { similarityThreshold, terms } = { ...questionGroupDefaults, ...settings };
  const candidates = mergeNormalized(asked, terms).sort(byFrequency);

  const groups: Building[] = [];
  const groupsByTerm = new Map<string, number[]>();
  for (const candidate of candidates) {
    let best: { index: number; similarity: number } | undefined;
    const seen = new Set<number>();
    for (const term of candidate.terms) {
      for (const index of groupsByTerm.get(term) ?? []) {
        if (seen.has(index)) continue;
        seen.add(index);
        const similarity = jaccard(candidate.terms, groups[index]!.seed.terms);
        const better = !best || similarity > best.similarity || (similarity === best.similarity && index < best.index);
        if (similarity >= similarityThreshold && better) best = { index, similarity };
      }
    }
    if (best) {
      groups[best.index]!.members.push(candidate);
      continue;
    }
    const index = groups.push({ seed: candidate, members: [candidate] }) - 1;
    for (const term of candidate.terms) {
      const indexes = groupsByTerm.get(term);
      if (indexes) indexes.push(index);
      else groupsByTerm.set(term, [index]);
    }
  }
  return groups.map(finishGroup).sort(
    (left, right) =>
      right.count - left.count ||
      right.lastAskedAt.getTime() - left.lastAskedAt.getTime() ||
      compareText(left.representative, right.representative),
  );
}

function mergeNormalized(asked: readonly AskedQuestion[], terms: (text: string) => string[]): Candidate[] {
  const byNormalized = new Map<string, Candidate>();
  for (const entry of asked) {
    if (entry.count <= 0) continue;
    const normalized = normalizeQuestion(entry.question);
    let candidate = byNormalized.get(normalized);
    if (!candidate) {
      candidate = { normalized, terms: new Set(terms(normalized)), count: 0, abstainedCount: 0, lastAskedAt: entry.lastAskedAt, questions: new Map() };
      byNormalized.set(normalized, candidate);
    }
    candidate.count += entry.count;
    candidate.abstainedCount += entry.abstainedCount;
    if (entry.lastAskedAt > candidate.lastAskedAt) candidate.lastAskedAt = entry.lastAskedAt;
    const question = candidate.questions.get(entry.question);
    if (question) {
      question.count += entry.count;
      if (entry.lastAskedAt > question.lastAskedAt) question.lastAskedAt = entry.lastAskedAt;
    } else {
      candidate.questions.set(entry.question, { count: entry.count, lastAskedAt: entry.lastAskedAt });
    }
  }
  return [...byNormalized.values()];
}

function byFrequency(left: Candidate, right: Candidate): number {
  return (
    right.count - left.count ||
    right.lastAskedAt.getTime() - left.lastAskedAt.getTime() ||
    compareText(left.normalized, right.normalized)
  );
}

function finishGroup(group: Building): QuestionGroup {
  const questions = new Map<string, { count: number; lastAskedAt: Date }>();
  let count = 0;
  let abstainedCount = 0;
  let lastAskedAt = group.seed.lastAskedAt;
  for (const member of group.members) {
    count += member.count;
    abstainedCount += member.abstainedCount;
    if (member.lastAskedAt > lastAskedAt) lastAskedAt = member.lastAskedAt;
    for (const [question, seen] of member.questions) questions.set(question, seen);
  }
  // Most frequent as asked; then the most recent wording; then alphabetical, for determinism.
  const ordered = [...questions].sort(
    ([leftQuestion, left], [rightQuestion, right]) =>
      right.count - left.count || right.lastAskedAt.getTime() - left.lastAskedAt.getTime() || compareText(leftQuestion, rightQuestion),
  );
  return {
    representative: ordered[0]![0],
    count,
    abstainedCount,
    lastAskedAt,
    questions: ordered.map(([question, seen]) => ({ question, count: seen.count })),
  };
}

function jaccard(left: Set<string>, right: Set<string>): number {
  let shared = 0;
  for (const term of left) if (right.has(term)) shared += 1;
  const union = left.size + right.size - shared;
  return union === 0 ? 0 : shared / union;
}

/** Code-point order: the same everywhere, unlike localeCompare. */
function compareText(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}
