import { defaultEvalOptions, OrioleError } from '../src/core/index.ts';
import type { EvalRunState, EvalService } from '../src/core/index.ts';
import { createEvalJob, getEvalSetSummary, getKnowledgeBase, type Database } from '../src/db/index.ts';
import type { EvalJobPayload } from './eval-worker.ts';
import { renderHtmlReport } from './report/index.ts';
import type { EvalReport } from './types.ts';

export interface EvalServiceDependencies {
  database: Database;
  /** Told when a run was queued, so an eval worker in this process starts on it at once. */
  onJobQueued(): void;
}

/** Eval runs as queued jobs (the eval worker runs them), and their reports as pages. */
export function createEvalService(dependencies: EvalServiceDependencies): EvalService {
  const { database } = dependencies;
  return {
    async startEvalRun(request) {
      const kb = await getKnowledgeBase(database, request.kb);
      // Checked now so a typo is a 404 here, not a failed job later; the cases are read when the run starts.
      const total = request.cases?.length ?? (await getEvalSetSummary(database, { kbId: kb.id, name: request.evalSet! })).caseCount;
      const payload: EvalJobPayload = {
        evalSet: request.evalSet ?? 'inline',
        ...(request.cases ? { cases: request.cases } : {}),
        k: request.k ?? defaultEvalOptions.k,
        concurrency: request.concurrency ?? defaultEvalOptions.concurrency,
      };
      const job = await createEvalJob(database, { kbId: kb.id, payload, total });
      dependencies.onJobQueued();
      return { id: job.id, status: job.status, progress: job.progress };
    },
    reportHtml: (run) => renderHtmlReport(reportOf(run)),
  };
}

/** The report of a succeeded run; a run without one is a conflict that says why. */
function reportOf(run: EvalRunState): EvalReport {
  if (run.status === 'succeeded' && run.result) return run.result as unknown as EvalReport;
  const message =
    run.status === 'failed'
      ? `Eval ${run.id} failed, so it has no report: ${run.error ?? 'no reason recorded'}`
      : `Eval ${run.id} is ${run.status} (${run.progress.done} of ${run.progress.total} cases done); the report is ready once it succeeds`;
  throw new OrioleError('conflict', message, { details: { id: run.id, status: run.status } });
}
