import type { AnswerRequest, AnswerResponse, Passage, SearchFilters } from '../core/index.ts';

/**
 * Answers already given, by everything that decides them (docs/operations.md, "Answer
 * cache"): the KB and its content and settings versions, the normalised question, the
 * history, the filters, the number of passages, the request's persona and the answering
 * model. Settings have their own version so that editing them does not bump the content
 * version, which also makes every replica reload its in-process lexical index. A KB's version is bumped by every
 * change to its content, so a cached answer is never served from content that changed,
 * on this replica or another (the version is read from the database on each request);
 * entries of older versions are simply never asked for again and age out.
 *
 * Bounded: at most `maxEntries` answers, least recently used dropped first. In-process:
 * each replica (each Workers isolate) has its own.
 */
export interface CachedAnswer {
  /** The passages the answer was written from, replayed as the stream's `sources`. */
  passages: Passage[];
  /** The response as first served; each replay gets its own answerId and timings. */
  response: AnswerResponse;
}

/** The answers one process remembers by default: a few megabytes (an answer with its passages is a few kB). */
export const defaultAnswerCacheEntries = 1_000;

export class AnswerCache {
  readonly #entries = new Map<string, CachedAnswer>();
  readonly #maxEntries: number;

  constructor(maxEntries: number) {
    this.#maxEntries = Math.max(0, Math.floor(maxEntries));
  }

  get enabled(): boolean {
    return this.#maxEntries > 0;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): CachedAnswer | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    // Re-inserted last: Map order is then least recently used first.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry;
  }

  set(key: string, entry: CachedAnswer): void {
    if (!this.enabled) return;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    while (this.#entries.size > this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
  }

  clear(): void {
    this.#entries.clear();
  }
}

/** What, besides the request, decides an answer. */
export interface AnswerCacheContext {
  kbId: string;
  kbVersion: number;
  /** The version of the KB's answer settings (persona, abstention text, defaults): a change to them is a change to the answer. */
  settingsVersion: number;
  /** The passages asked for, after the default is applied. */
  topK: number;
  /** The answering model ('extractive', 'openai:gpt-4o-mini'). */
  model: string;
}

/**
 * The cache key of a request: never shared across KBs (the id leads) or KB versions. The
 * question is normalised (Unicode NFKC, case, runs of white space), which changes
 * neither retrieval (its terms are folded the same way) nor the answer's language.
 * History is kept as sent (a follow-up is answered from it); filters are put in a
 * canonical order.
 */
export function answerCacheKey(request: AnswerRequest, context: AnswerCacheContext): string {
  return JSON.stringify([
    context.kbId,
    context.kbVersion,
    context.settingsVersion,
    context.model,
    request.persona ?? null,
    context.topK,
    normaliseQuestion(request.question),
    (request.history ?? []).map((turn) => [turn.role, turn.content]),
    canonicalFilters(request.filters),
    // A persona changes how the model words the answer.
    request.persona?.trim() ?? '',
  ]);
}

export function normaliseQuestion(question: string): string {
  return question.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

function canonicalFilters(filters: SearchFilters | undefined): unknown {
  if (!filters) return null;
  return canonical(filters);
}

/** Objects with their keys sorted, at every depth; arrays kept in order (a filter's order can matter). */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort()
      .map((key) => [key, canonical(record[key])]),
  );
}
