import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { defaultEvalWorkerOptions, startEvalWorker, type EvalWorkerOptions, type Judge } from '../../evals/index.ts';
import type { AnswerService } from '../answer/index.ts';
import type { Database } from '../db/index.ts';
import type { JobWorker } from '../jobs/index.ts';
import type { BuildInfo } from './build-info.ts';

/**
 * Runs queued `POST /evals` jobs through `answers`, judged by ORIOLE_JUDGE when it is set;
 * reports name `llm` (the answers' model) and `oriole` (this build). `options` adjusts its polling.
 */
export function startNodeEvalWorker(
  parts: { database: Database; answers: AnswerService; judge: Judge | null; llm: string; oriole: BuildInfo },
  logger: Logger,
  options: Partial<EvalWorkerOptions> = {},
): JobWorker {
  return startEvalWorker({
    ...parts,
    options: {
      ...defaultEvalWorkerOptions,
      workerId: `${hostname()}:${process.pid}:eval`,
      onError: (error, job) => logger.error({ err: error, jobId: job?.id }, 'eval job error'),
      onJobDone: (job, status) => logger.info({ jobId: job.id, status }, 'eval job finished'),
      ...options,
    },
  });
}
