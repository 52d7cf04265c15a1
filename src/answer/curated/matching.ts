/**
 * Whether a question asks what a curated answer's phrasing asks: pure scoring, no I/O.
 *
 * Lexical: the Dice coefficient of the two texts' sets of lexical terms (the KB's
 * tokenizer: stemmed English words without function and question words, Chinese as
 * character bigrams), so "How do I reset my password?" and "How do I reset my API
 * key?" share one term of five (0.4) while "Password reset" and "How do I reset my
 * password?" share all (1.0). Vector: the cosine of the two embeddings, when the KB's
 * embedder is loaded, mapped onto the lexical scale (`vectorScore`).
 *
 * The vector can only raise a lexical near-miss halfway towards itself, never match on
 * its own: measured on the sample help center (bench/curated-threshold.ts,
 * docs/curated-answers.md), a sentence encoder puts near-misses ("How do I delete a
 * message?" against "How do I delete my account?", 0.82) as close as true paraphrases
 * ("Can I get my money back?" against "Can I get a refund?", 0.82), and an encoder
 * that does not know the question's language (use-lite on Chinese) puts every question
 * at 1.0. So one threshold serves KBs with and without an embedder.
 */

/** A phrasing as kept in the snapshot: its terms and, when the KB has an embedder, its vector. */
export interface PreparedPhrasing {
  text: string;
  terms: ReadonlySet<string>;
  vector: readonly number[] | null;
}

export interface PreparedQuestion {
  terms: ReadonlySet<string>;
  vector: readonly number[] | null;
}

/** Used when the KB's settings name no `curatedThreshold` (measured: docs/curated-answers.md). */
export const defaultCuratedThreshold = 0.6;

/**
 * Cosines below this floor say nothing (a sentence encoder puts unrelated questions of
 * one domain at 0.4–0.6); from it to 1 the cosine is stretched onto 0–1.
 */
export const vectorSimilarityFloor = 0.6;

/** Dice coefficient of two term sets: 2·|A∩B| / (|A|+|B|); 0 when either is empty. */
export function lexicalSimilarity(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const term of a) if (b.has(term)) shared++;
  return (2 * shared) / (a.size + b.size);
}

export function cosineSimilarity(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length || a.length === 0) return 0;
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let index = 0; index < a.length; index++) {
    dot += a[index]! * b[index]!;
    normA += a[index]! * a[index]!;
    normB += b[index]! * b[index]!;
  }
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}

/** The cosine on the lexical scale: 0 at or below the floor, 1 for identical vectors. */
export function vectorScore(cosine: number): number {
  return Math.max(0, (cosine - vectorSimilarityFloor) / (1 - vectorSimilarityFloor));
}

/**
 * The lexical score of a question against a phrasing: their Dice coefficient, scaled down by
 * the share of the phrasing's terms the question holds when the question swaps one of them
 * for a term of its own. A swap asks about something else with the same frame: "Can I get a
 * refund on my monthly plan?" against "…on an annual plan?" (Dice 0.67), "…the Starter plan
 * cost?" against "…the Growth plan cost?" (0.75). A question that only adds terms ("…cost per
 * month?") or leaves some out ("Growth plan cost") keeps its Dice score.
 */
export function questionSimilarity(question: ReadonlySet<string>, phrasing: ReadonlySet<string>): number {
  const dice = lexicalSimilarity(question, phrasing);
  if (dice === 0) return 0;
  let covered = 0;
  for (const term of phrasing) if (question.has(term)) covered++;
  const swapped = covered < phrasing.size && covered < question.size;
  return swapped ? dice * (covered / phrasing.size) : dice;
}

/** How closely the question asks what the phrasing asks, 0–1. */
export function phrasingScore(question: PreparedQuestion, phrasing: PreparedPhrasing): number {
  const lexical = questionSimilarity(question.terms, phrasing.terms);
  if (!question.vector || !phrasing.vector) return lexical;
  return Math.max(lexical, (lexical + vectorScore(cosineSimilarity(question.vector, phrasing.vector))) / 2);
}

/**
 * Whether embedding the question could change the outcome for a phrasing of this
 * lexical score: the vector raises a score at most to (lexical + 1) / 2, so only
 * near-misses from 2·threshold − 1 up to the threshold need it.
 */
export function vectorCouldMatter(lexical: number, threshold: number): boolean {
  return lexical < threshold && lexical >= 2 * threshold - 1 && lexical > 0;
}

export interface ScoredCandidate<T> {
  candidate: T;
  score: number;
  /** The phrasing that matched best. */
  phrasing: string;
}

/**
 * The candidate whose best phrasing scores highest, if that score reaches the threshold.
 * Ties go to the earlier candidate (the caller orders them: oldest first).
 */
export function bestMatch<T extends { phrasings: readonly PreparedPhrasing[] }>(
  question: PreparedQuestion,
  candidates: readonly T[],
  threshold: number,
): ScoredCandidate<T> | undefined {
  let best: ScoredCandidate<T> | undefined;
  for (const candidate of candidates) {
    for (const phrasing of candidate.phrasings) {
      const score = phrasingScore(question, phrasing);
      if (score >= threshold && (!best || score > best.score)) best = { candidate, score, phrasing: phrasing.text };
    }
  }
  return best;
}
