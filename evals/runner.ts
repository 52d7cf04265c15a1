import { performance } from 'node:perf_hooks';
import pLimit from 'p-limit';
import { stripMarkers, type AnswerService } from '../src/answer/index.ts';
import { evalAnswerChannel, isOrioleError, type AnswerResponse, type Passage, type SearchFilters } from '../src/core/index.ts';
import { referenceText } from './cases.ts';
import { erroredCase, scoreAnsweredCase, type AnsweredCase, type JudgeScores } from './scoring.ts';
import { accuracyCoverage, countRows, summarizeRows } from './summary.ts';
import type { EvalCase, EvalReport, EvalRow, Judge } from './types.ts';

export interface EvalRunOptions {
  cases: EvalCase[];
  /** The eval set's name as the report shows it (file name, stored name, 'inline'). */
  evalSet: string;
  kb: { name: string; version: number; embedder: string };
  /** Passages per answer, and the k of the retrieval metrics. */
  k: number;
  /** Cases answered at once. */
  concurrency: number;
  /** The LLM spec answers are generated with ('extractive' for the reader). */
  llm: string;
  judge: Judge | null;
  oriole: { version: string; gitCommit: string | null; node: string };
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /** Retrieval filters for one case's request (`oriole calibrate` holds gold documents out); none: the KB's own. */
  filtersFor?: (evalCase: EvalCase) => SearchFilters | undefined;
}

/** Shared with the API (POST /evals documents them), so they live in src/core. */
export { defaultEvalOptions } from '../src/core/index.ts';

/**
 * Runs every case through the answer service's `stream` — the code path of `/answer`,
 * follow-up rewriting included — and scores it. A case the service fails on is a row
 * with failure `error`; the database going away or the run being aborted ends the run.
 */
export async function runEval(answers: Pick<AnswerService, 'stream'>, options: EvalRunOptions): Promise<EvalReport> {
  const startedAt = new Date();
  const started = performance.now();
  const limit = pLimit(options.concurrency);
  let done = 0;
  let retrievalMode: string | null = null;
  options.onProgress?.(0, options.cases.length);
  const rows = await Promise.all(
    options.cases.map((evalCase) =>
      limit(async () => {
        const row = await evaluateCase(answers, evalCase, options, (mode) => (retrievalMode ??= mode));
        options.onProgress?.(++done, options.cases.length);
        return row;
      }),
    ),
  );
  const finishedAt = new Date();
  return {
    formatVersion: 1,
    summary: summarizeRows(rows),
    counts: countRows(rows),
    rows,
    accuracyCoverage: accuracyCoverage(rows),
    config: {
      kb: options.kb.name,
      k: options.k,
      concurrency: options.concurrency,
      evalSet: options.evalSet,
      llm: options.llm,
      embedder: options.kb.embedder,
      judge: options.judge?.name ?? null,
      faithfulnessMethod: options.judge ? 'judge' : 'support-check',
      retrievalMode,
    },
    kb: options.kb,
    oriole: options.oriole,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: Math.round(performance.now() - started),
  };
}

async function evaluateCase(
  answers: Pick<AnswerService, 'stream'>,
  evalCase: EvalCase,
  options: EvalRunOptions,
  onRetrievalMode: (mode: string) => void,
): Promise<EvalRow> {
  options.signal?.throwIfAborted();
  const started = performance.now();
  let answered: AnsweredCase;
  try {
    answered = await ask(answers, evalCase, options);
  } catch (error) {
    if (isFatal(error, options.signal)) throw error;
    return erroredCase(evalCase, (error as Error).message, performance.now() - started);
  }
  onRetrievalMode(answered.response.retrieval.mode);
  const judged = options.judge ? await judge(options.judge, evalCase, answered, options.signal) : null;
  return scoreAnsweredCase(evalCase, answered, options.k, judged);
}

async function ask(answers: Pick<AnswerService, 'stream'>, evalCase: EvalCase, options: EvalRunOptions): Promise<AnsweredCase> {
  const started = performance.now();
  let passages: Passage[] = [];
  let response: AnswerResponse | undefined;
  const filters = options.filtersFor?.(evalCase);
  const request = {
    question: evalCase.question,
    kb: options.kb.name,
    topK: options.k,
    ...(evalCase.history ? { history: evalCase.history } : {}),
    ...(filters ? { filters } : {}),
    // Analytics can tell eval traffic from customers' questions.
    metadata: { channel: evalAnswerChannel },
  };
  for await (const event of answers.stream(request, options.signal)) {
    if (event.type === 'sources') passages = event.passages;
    else if (event.type === 'done') response = event.response;
    else if (event.type === 'error') throw event.error;
  }
  if (!response) throw new Error('the answer stream ended without an answer');
  return { response, passages, latencyMs: performance.now() - started };
}

/** Judge failures cost the case its judge metrics, not the run: they are noted on the row. */
async function judge(judgeModel: Judge, evalCase: EvalCase, answered: AnsweredCase, signal?: AbortSignal): Promise<JudgeScores> {
  const { response, passages } = answered;
  if (response.abstained) return { correctness: null, faithfulness: null };
  const reference = evalCase.answerable !== false ? referenceText(evalCase) : null;
  try {
    const correctness = reference
      ? await judgeModel.correctness({ question: evalCase.question, reference, answer: stripMarkers(response.answer) }, signal)
      : null;
    const cited = response.citations.map((citation) => ({
      index: citation.index,
      text: passages.find((passage) => passage.chunkId === citation.chunkId)?.text ?? citation.snippet,
    }));
    const faithfulness = await judgeModel.faithfulness({ question: evalCase.question, answer: response.answer, passages: cited }, signal);
    return {
      correctness,
      faithfulness: faithfulness.score,
      unsupportedClaims: faithfulness.claims.filter((claim) => !claim.supported).map((claim) => claim.claim),
    };
  } catch (error) {
    if (signal?.aborted) throw error;
    return { correctness: null, faithfulness: null, error: (error as Error).message };
  }
}

/** Errors no later case would escape: an aborted run, storage unreachable, the KB gone. */
function isFatal(error: unknown, signal: AbortSignal | undefined): boolean {
  return Boolean(signal?.aborted) || (isOrioleError(error) && (error.code === 'upstream_unavailable' || error.code === 'not_found'));
}
