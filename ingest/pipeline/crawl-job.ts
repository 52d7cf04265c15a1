import { assertEmbedderMatches, isOrioleError, type IngestedDocumentOutcome } from '../../src/core/index.ts';
import { getKnowledgeBaseById, updateJobProgress, type Job } from '../../src/db/index.ts';
import type { JobControl, JobOutcome } from '../../src/jobs/index.ts';
import { isCrawlFailure, type CrawlResult, type CrawlSummary } from '../web/index.ts';
import { ingestDocument, type IngestContext } from './ingest-document.ts';

/** Crawls one site within limits, with the crawler's other rules (robots.txt, same host, private addresses) fixed by the caller. */
export type CrawlPages = (url: string, limits: { maxPages: number; maxDepth: number }) => AsyncGenerator<CrawlResult, CrawlSummary>;

/** One page's fate, as GET /jobs/:id lists an ingestion job's documents. */
interface CrawledDocument {
  source: string;
  documentId: string | null;
  status: 'succeeded' | 'failed';
  outcome: 'added' | 'updated' | 'unchanged' | 'skipped' | null;
  error: string | null;
  reason: string | null;
}

/**
 * Runs a crawl job (POST /documents `{ url }`): each page is ingested as `oriole ingest
 * <url>` would, as it arrives. Progress counts pages; its total is the page budget until
 * the crawl ends. A job handed back mid-crawl starts over when claimed again, which costs
 * fetches but writes nothing twice: unchanged pages are skipped before parsing.
 */
export async function runCrawlJob(
  context: IngestContext,
  crawl: CrawlPages,
  job: Job,
  control: JobControl,
  onDocumentIngested?: (ingested: { outcome: IngestedDocumentOutcome; seconds: number }) => void,
): Promise<JobOutcome> {
  const kb = await getKnowledgeBaseById(context.database, job.kbId);
  assertEmbedderMatches(kb, context.embedderSpec);
  const { url, maxPages, maxDepth } = job.payload as { url: string; maxPages: number; maxDepth: number };
  const documents: CrawledDocument[] = [];
  const pages = crawl(url, { maxPages, maxDepth });
  let summary: CrawlSummary | undefined;
  for (;;) {
    const next = await pages.next();
    if (next.done) {
      summary = next.value;
      break;
    }
    if (control.isStopping()) {
      await pages.return(undefined as never);
      return { status: 'released' };
    }
    const started = performance.now();
    const document = await ingestPage(context, kb, next.value);
    documents.push(document);
    onDocumentIngested?.({ outcome: document.outcome ?? 'failed', seconds: (performance.now() - started) / 1000 });
    await updateJobProgress(context.database, { jobId: job.id, workerId: control.workerId, done: documents.length, total: maxPages });
  }
  await updateJobProgress(context.database, { jobId: job.id, workerId: control.workerId, done: documents.length, total: documents.length });
  return crawlOutcome(url, documents, summary);
}

async function ingestPage(context: IngestContext, kb: Parameters<typeof ingestDocument>[1], page: CrawlResult): Promise<CrawledDocument> {
  const none = { documentId: null, outcome: null, reason: null } as const;
  if (isCrawlFailure(page)) {
    return { ...none, source: page.source, status: 'failed', error: `${page.error.code}: ${page.error.message}` };
  }
  try {
    const outcome = await ingestDocument(context, kb, {
      source: page.source,
      bytes: page.bytes,
      ...(page.contentType ? { contentType: page.contentType } : {}),
    });
    if (outcome.outcome === 'skipped') {
      return { ...none, source: outcome.source, status: 'succeeded', outcome: 'skipped', error: null, reason: outcome.reason };
    }
    return { source: outcome.source, documentId: outcome.documentId, status: 'succeeded', outcome: outcome.outcome, error: null, reason: null };
  } catch (error) {
    // The database going away is not this page's fault: the job is retried later.
    if (isOrioleError(error) && error.code === 'upstream_unavailable') throw error;
    const reason = isOrioleError(error) ? `${error.code}: ${error.message}` : `unexpected error: ${(error as Error).message}`;
    return { ...none, source: page.source, status: 'failed', error: reason };
  }
}

/** As an ingestion job: failed when any page failed (the CLI's exit code 1); the result lists every page and what the crawl skipped. */
function crawlOutcome(url: string, documents: CrawledDocument[], summary: CrawlSummary | undefined): JobOutcome {
  const failures = documents.filter((document) => document.status === 'failed');
  const result = {
    url,
    documents,
    ...(summary ? { crawl: { pages: summary.pages, failures: summary.failures, skipped: summary.skipped } } : {}),
  };
  if (documents.length === 0) {
    return { status: 'failed', error: `Nothing could be crawled from ${url} (robots.txt, or no page in reach)`, result };
  }
  if (failures.length === 0) return { status: 'succeeded', result };
  const listed = failures.slice(0, 5).map((document) => `${document.source}: ${document.error}`);
  return { status: 'failed', error: `${failures.length} of ${documents.length} page(s) failed: ${listed.join('; ')}`, result };
}
