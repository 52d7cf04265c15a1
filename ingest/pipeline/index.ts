export { ingestDocument, defaultIngestLimits } from './ingest-document.ts';
export type {
  IngestContext,
  IngestedDocument,
  IngestItem,
  IngestLimits,
  IngestOutcome,
  IngestOutcomeKind,
  SkippedDocument,
} from './ingest-document.ts';
export { ingestInputs } from './ingest-run.ts';
export type { IngestSummary, IngestProgress, IngestRunOptions } from './ingest-run.ts';
export { planInputs, collectInputs, sourceForFile, isDocumentFile } from './collect-inputs.ts';
export type { InputEvent, InputPlan, CollectDependencies, WebPage } from './collect-inputs.ts';
export { startJobWorker, defaultJobWorkerOptions } from './job-worker.ts';
export { runCrawlJob } from './crawl-job.ts';
export type { CrawlPages } from './crawl-job.ts';
export type { JobWorker, JobWorkerOptions } from './job-worker.ts';
export { documentFingerprint, indexText, breadcrumb, pipelineVersion, sha256 } from './fingerprints.ts';
export { reindexKnowledgeBase } from './reindex.ts';
export type { ReindexResult } from './reindex.ts';
export { createIngestionService } from './ingestion-service.ts';
export type { IngestionServiceDependencies } from './ingestion-service.ts';
