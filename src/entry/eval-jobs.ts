import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { defaultEvalWorkerOptions, startEvalWorker, type Judge } from '../../evals/index.ts';
import type { AnswerService } from '../answer/index.ts';
import type { Config } from '../core/index.ts';
import type { Database } from '../db/index.ts';
import type { JobWorker } from '../jobs/index.ts';
import { buildInfo } from './build-info.ts';

/** Runs queued `POST /evals` jobs through `answers`, judged by ORIOLE_JUDGE when it is set. */
export function startNodeEvalWorker(
  config: Config,
  parts: { database: Database; answers: AnswerService; judge: Judge | null },
  logger: Logger,
): JobWorker {
  return startEvalWorker({
    ...parts,
    llm: config.llm.spec,
    oriole: buildInfo(process.env),
    options: {
      ...defaultEvalWorkerOptions,
      workerId: `${hostname()}:${process.pid}:eval`,
      onError: (error, job) => logger.error({ err: error, jobId: job?.id }, 'eval job error'),
      onJobDone: (job, status) => logger.info({ jobId: job.id, status }, 'eval job finished'),
    },
  });
}
