import type { Passage, RetrievalInfo, SearchFilters } from './retrieval.ts';

export interface ChatTurn {
  role: 'user' | 'assistant';
  content: string;
}

/** The language an answer is written in: the question's. */
export type AnswerLanguage = 'en' | 'zh';

/**
 * The `metadata.channel` eval runs put on their questions: their answers are logged like
 * any other, and metrics and analytics leave this channel out so they describe customers.
 */
export const evalAnswerChannel = 'eval';

export interface AnswerRequest {
  question: string;
  kb?: string;
  history?: ChatTurn[];
  filters?: SearchFilters;
  topK?: number;
  metadata?: { userId?: string; channel?: string };
  /** The conversation this question continues (docs/conversations.md); none: a new one. */
  conversationId?: string;
  /**
   * This request's persona, in place of the KB's `persona` setting: a chat client's `system`
   * message or the Responses API's `instructions`. A short instruction on voice and tone,
   * appended to the grounded prompt's rules, never replacing them. Extractive answers ignore it.
   */
  persona?: string;
  /** The id to give this answer; a new UUID when absent (a streamed Responses answer names its id before it is written). */
  answerId?: string;
}

/** Tokens the language model reported for the calls made for one answer (follow-up rewrite and generation). */
export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}

/** Where an answer sends the person to a human (docs/kb-settings.md, "Hand-off"). */
export interface AnswerHandoff {
  /** `abstained`: the KB does not answer the question; `requested`: the person asked for a human. */
  reason: 'abstained' | 'requested';
  url?: string;
  email?: string;
  label?: string;
}

export interface Citation {
  /** The marker number `[index]` in the answer text, 1-based. */
  index: number;
  documentId: string;
  chunkId: string;
  source: string;
  title: string | null;
  url: string | null;
  heading: string | null;
  page: number | null;
  /** The span of the passage that supports the cited sentence (or its opening). */
  snippet: string;
  score: number;
  /** Whether the cited passage was checked to support the sentences citing it. */
  supported: boolean;
}

/**
 * Documents among an answer's sources that state different values for the same thing:
 * two prices, two durations, two limits, two dates, two versions (src/answer/source-conflicts.ts).
 */
export interface SourceConflict {
  /** What the value is: the kind the question asks for. */
  kind: 'price' | 'duration' | 'date' | 'number' | 'version';
  /** One statement per document, best-ranked first; at least two of them differ. */
  statements: ConflictingStatement[];
}

export interface ConflictingStatement {
  /** The value as the document writes it ("$19/month", "14 天"). */
  value: string;
  documentId: string;
  source: string;
  title: string | null;
  /** The sentence (or list item, table row) stating it. */
  text: string;
}

/** `curated`: a curated answer of the KB matched the question and was served word for word. */
export type AnswerMode = 'generative' | 'extractive' | 'curated';

export interface AnswerTimings {
  retrievalMs: number;
  generationMs: number;
  totalMs: number;
}

export interface AnswerResponse {
  answerId: string;
  /** The conversation the answer belongs to (a new one when the request named none); absent for eval runs. */
  conversationId?: string;
  answer: string;
  grounded: boolean;
  abstained: boolean;
  reason?: string;
  citations: Citation[];
  /** Generative answers: sentences of the model's answer dropped, unsent, because no retrieved passage supports them. */
  droppedSentences?: number;
  /**
   * The estimated probability, in [0,1], that the answer is correct and supported. On an
   * abstention: the same estimate for the answer that was withheld (0 without passages).
   */
  confidence: number;
  mode: AnswerMode;
  /** The curated answer served, when `mode` is 'curated'. */
  curatedAnswerId?: string;
  model: string;
  kbVersion: number;
  /** Served from the answer cache: the same question on the same KB version was answered before. */
  cached?: boolean;
  timings: AnswerTimings;
  /** How retrieval ran (mode, embedder, query rewrite). */
  retrieval: RetrievalInfo;
  /** Tokens the language model reported for this answer; absent when no model was called (extractive, cached). */
  usage?: TokenUsage;
  /** On an abstention when the KB has a hand-off set, and on every request for a human. */
  handoff?: AnswerHandoff;
  /**
   * Sources that disagree on the value asked: the answer says so and cites them, or it
   * abstained with reason `conflicting_sources` (docs/answers.md). Absent when none do.
   */
  conflicts?: SourceConflict[];
}

/**
 * Events of a streamed answer, in order: sources, delta/citation…, then done or error.
 * `error` ends a stream that failed after its sources: `error` is what it failed with
 * (an OrioleError, or anything else, which the API reports as `internal`).
 */
export type AnswerEvent =
  | { type: 'sources'; passages: Passage[] }
  | { type: 'delta'; text: string }
  | { type: 'citation'; citation: Citation }
  | { type: 'done'; response: AnswerResponse }
  | { type: 'error'; error: unknown };
