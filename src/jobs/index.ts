// The job queue's worker loop (claim, lease renewal, release, finish), shared by the
// ingestion and eval workers; what a job does is theirs.
export { startJobLoop, defaultJobLoopSettings } from './job-loop.ts';
export type { JobControl, JobHandler, JobLoopSettings, JobOutcome, JobWorker } from './job-loop.ts';
