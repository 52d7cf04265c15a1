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

export type AnswerMode = 'generative' | 'extractive';

export interface AnswerTimings {
  retrievalMs: number;
  generationMs: number;
  totalMs: number;
}

export interface AnswerResponse {
  answerId: string;
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
  model: string;
  kbVersion: number;
  /** Served from the answer cache: the same question on the same KB version was answered before. */
  cached?: boolean;
  timings: AnswerTimings;
  /** How retrieval ran (mode, embedder, query rewrite). */
  retrieval: RetrievalInfo;
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
