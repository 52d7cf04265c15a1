import { z } from 'zod';
import type { ChatTurn } from './answers.ts';

/**
 * Eval cases and eval runs as the API and the evals stage share them: the case format
 * (an eval set file's lines, a POST /evals body), and what the API asks of the evals
 * stage. The evals stage implements `EvalService`; composition roots pass it in.
 */

/** One line of an eval set (JSONL). */
export interface EvalCase {
  id: string;
  question: string;
  history?: ChatTurn[];
  /** A list is an answer in parts (one from each gold document), compared as one text. */
  reference_answer?: string | string[];
  /** Document `source` values that hold the answer. */
  gold_sources?: string[];
  /** False: the KB cannot answer, and the right behaviour is to abstain. Default true. */
  answerable?: boolean;
  tags?: string[];
  /** Facts a useful answer must all contain (an API name, a command, a number, a menu path). */
  nuggets_all?: string[];
  /** Facts of which a useful answer must contain at least one. */
  nuggets_any?: string[];
}

/** Limits that keep one case inside what `/answer` accepts. */
export const evalCaseLimits = { questionChars: 4_000, historyTurns: 50, turnChars: 8_000, maxCases: 5_000 } as const;

const text = (max: number) => z.string().trim().min(1).max(max);
const nuggets = z.array(z.string().trim().min(1).max(500)).max(20).optional();

/**
 * One case of an eval set. Keys it does not know are dropped, not refused, so a set can
 * carry fields for other tools; `unknownCaseKeys` names them for a warning. The fields it
 * knows are checked strictly (types, limits).
 */
export const evalCaseSchema = z.object({
  id: z.string().trim().min(1).max(200),
  question: text(evalCaseLimits.questionChars),
  history: z
    .array(z.strictObject({ role: z.enum(['user', 'assistant']), content: text(evalCaseLimits.turnChars) }))
    .max(evalCaseLimits.historyTurns)
    .optional(),
  reference_answer: z.union([z.string().max(20_000), z.array(z.string().max(20_000)).max(50)]).optional(),
  gold_sources: z.array(z.string().trim().min(1).max(1_000)).max(100).optional(),
  answerable: z.boolean().optional(),
  tags: z.array(z.string().trim().min(1).max(100)).max(50).optional(),
  nuggets_all: nuggets,
  nuggets_any: nuggets,
}) satisfies z.ZodType<EvalCase>;

/** The keys of a case object that no case field has: ignored, and worth a warning (a misspelt `gold_source`). */
export function unknownCaseKeys(value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  return Object.keys(value).filter((key) => !Object.hasOwn(evalCaseSchema.shape, key));
}

/** Passages per answer and cases answered at once, when a run names neither. */
export const defaultEvalOptions = { k: 5, concurrency: 2 } as const;

/** A run to start: inline cases or the name of a stored set (exactly one), over a KB by name. */
export interface EvalRunRequest {
  kb: string;
  cases?: EvalCase[];
  evalSet?: string;
  k?: number;
  concurrency?: number;
}

export type EvalRunStatus = 'queued' | 'running' | 'succeeded' | 'failed';

/** An eval run as stored (its job): where it is, and its report (`result`) once it succeeded. */
export interface EvalRunState {
  id: string;
  status: EvalRunStatus;
  progress: { done: number; total: number };
  error: string | null;
  result: Record<string, unknown> | null;
}

export interface EvalService {
  /**
   * Queues a run for the eval worker. An unknown KB or stored set is `not_found` now,
   * not a failed run later; the stored cases are read when the run starts.
   */
  startEvalRun(request: EvalRunRequest): Promise<Pick<EvalRunState, 'id' | 'status' | 'progress'>>;
  /** A succeeded run's report as a standalone HTML page; any other run is a `conflict` that says why. */
  reportHtml(run: EvalRunState): string;
}
