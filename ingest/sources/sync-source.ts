import { assertEmbedderMatches, isOrioleError } from '../../src/core/index.ts';
import {
  bumpKnowledgeBaseVersion,
  deleteDocumentsByIds,
  documentOwner,
  getKnowledgeBaseById,
  listSourceDocuments,
  recordSyncRun,
  type ContentSource,
  type KnowledgeBase,
  type SyncRunSummary,
} from '../../src/db/index.ts';
import { ingestDocument, type IngestContext } from '../pipeline/ingest-document.ts';
import type { ListingEnd, SourceConnector, SourceDocument, SourceEntry } from './connector.ts';

export interface SyncDependencies {
  ingest: IngestContext;
  /** The source's connector, its credentials opened. */
  connectorFor(source: ContentSource): SourceConnector;
  /**
   * How old the last full listing of an incremental source may be before a sync lists
   * everything again: incremental exports rarely report deletions, a full listing does.
   */
  fullListingEveryMs: number;
  now?: () => Date;
  /** Told about each finished run (for metrics). */
  onRunFinished?(source: ContentSource, run: SyncRunSummary): void;
}

export interface SyncControl {
  signal: AbortSignal;
  isStopping(): boolean;
  /** Told after each item, with the count so far (job progress). */
  onProgress?(processed: number): Promise<void>;
}

/** One item's fate, as the sync job's result lists it. */
export interface SyncedItem {
  source: string;
  outcome: 'added' | 'updated' | 'unchanged' | 'skipped' | 'deleted' | 'failed';
  documentId?: string;
  error?: string;
}

export type SyncResult =
  | { status: 'released' }
  | { status: 'finished'; run: SyncRunSummary; error: string | null; items: SyncedItem[] };

/** Documents deleted per statement when a listing's missing items are removed. */
const deletionBatch = 500;

/**
 * Brings a KB up to date with one source:
 * - each listed item is ingested with the existing fingerprints, so unchanged content is
 *   skipped before parsing and re-embeds nothing; a document key owned by another source,
 *   or uploaded by hand, is never overwritten (the item fails instead);
 * - an item the platform reports gone is deleted at once; after a complete full listing,
 *   every document of the source not listed is deleted. A listing that failed or was
 *   cut short deletes nothing, and an item that could not be read keeps its document;
 * - the incremental cursor moves only when the listing completed.
 * Interrupted (the worker stopping), it hands the job back and the next run starts over:
 * each document is written in one transaction, so nothing is left half done.
 */
export async function syncSource(
  dependencies: SyncDependencies,
  source: ContentSource,
  control: SyncControl,
  options: { full?: boolean } = {},
): Promise<SyncResult> {
  const kb = await getKnowledgeBaseById(dependencies.ingest.database, source.kbId);
  assertEmbedderMatches(kb, dependencies.ingest.embedderSpec);
  const now = dependencies.now ?? (() => new Date());
  const startedAt = now();
  const connector = dependencies.connectorFor(source);
  const full = options.full === true || needsFullListing(connector, source, startedAt, dependencies.fullListingEveryMs);
  const tally = new SyncTally(full ? 'full' : 'incremental', startedAt);
  const listing = connector.list({ since: full ? null : source.cursor, signal: control.signal });
  const listed = new Set<string>();

  let end: ListingEnd;
  try {
    for (;;) {
      if (control.isStopping()) {
        await listing.return(undefined as never).catch(() => undefined);
        return { status: 'released' };
      }
      const next = await nextEntry(listing);
      if (next.done) {
        end = next.value;
        break;
      }
      await applyEntry(dependencies.ingest, kb, source, next.value, listed, tally);
      await control.onProgress?.(tally.items.length);
    }
  } catch (error) {
    // The database going away is retried as a job; the platform failing ends this run.
    if (!(error instanceof ListingError) && isStorageOutage(error)) throw error;
    const message = describeFailure(error instanceof ListingError ? error.cause : error);
    return finish(dependencies, source, tally.summary('failed', now()), message, tally.items);
  }

  if (full && end.complete) {
    await deleteUnlisted(dependencies.ingest, source, listed, tally);
  }
  const failures = tally.items.filter((item) => item.outcome === 'failed');
  const incompleteNote = end.complete ? null : 'the listing did not complete, so no document was deleted and the next run lists again';
  const error = failures.length > 0 ? failureMessage(failures, incompleteNote) : incompleteNote;
  const status = failures.length === 0 && end.complete ? 'succeeded' : 'partial';
  const run = tally.summary(status, now());
  if (end.complete) {
    await recordSyncRun(dependencies.ingest.database, {
      sourceId: source.id,
      run,
      error,
      cursor: end.cursor,
      ...(full ? { fullSyncAt: startedAt } : {}),
    });
  } else {
    await recordSyncRun(dependencies.ingest.database, { sourceId: source.id, run, error });
  }
  dependencies.onRunFinished?.(source, run);
  return { status: 'finished', run, error, items: tally.items };
}

function needsFullListing(connector: SourceConnector, source: ContentSource, now: Date, everyMs: number): boolean {
  if (!connector.incremental || source.cursor === null || source.lastFullSyncAt === null) return true;
  return now.getTime() - source.lastFullSyncAt.getTime() >= everyMs;
}

async function applyEntry(
  context: IngestContext,
  kb: KnowledgeBase,
  source: ContentSource,
  entry: SourceEntry,
  listed: Set<string>,
  tally: SyncTally,
): Promise<void> {
  if (entry.kind === 'failed') {
    listed.add(entry.source);
    tally.add({ source: entry.source, outcome: 'failed', error: `${entry.error.code}: ${entry.error.message}` });
    return;
  }
  if (entry.kind === 'gone') {
    listed.delete(entry.source);
    await deleteGone(context, source, entry.source, tally);
    return;
  }
  listed.add(entry.document.source);
  tally.add(await ingestListed(context, kb, source, entry.document));
}

async function ingestListed(context: IngestContext, kb: KnowledgeBase, source: ContentSource, document: SourceDocument): Promise<SyncedItem> {
  const owner = await documentOwner(context.database, kb.id, document.source);
  if (owner !== null && owner.sourceId !== source.id) {
    const whose = owner.sourceId === null ? 'a document added by hand' : 'a document of another source';
    return { source: document.source, outcome: 'failed', error: `conflict: the knowledge base already has ${whose} at this key; it is left as it is` };
  }
  try {
    const outcome = await ingestDocument(context, kb, {
      source: document.source,
      bytes: document.bytes,
      ...(document.contentType ? { contentType: document.contentType } : {}),
      title: document.title,
      url: document.url,
      metadata: document.metadata ?? {},
      tags: document.tags ?? {},
      sourceId: source.id,
    });
    if (outcome.outcome === 'skipped') return { source: document.source, outcome: 'skipped' };
    return { source: document.source, outcome: outcome.outcome, documentId: outcome.documentId };
  } catch (error) {
    if (isStorageOutage(error)) throw error;
    return { source: document.source, outcome: 'failed', error: describeFailure(error) };
  }
}

async function deleteGone(context: IngestContext, source: ContentSource, key: string, tally: SyncTally): Promise<void> {
  const owner = await documentOwner(context.database, source.kbId, key);
  if (owner === null || owner.sourceId !== source.id) return;
  await deleteDocuments(context, source.kbId, [owner.id]);
  tally.add({ source: key, outcome: 'deleted' });
}

/** After a complete full listing: the source's documents it no longer lists are gone from the platform. */
async function deleteUnlisted(context: IngestContext, source: ContentSource, listed: ReadonlySet<string>, tally: SyncTally): Promise<void> {
  const stale = (await listSourceDocuments(context.database, source.id)).filter((document) => !listed.has(document.source));
  for (let start = 0; start < stale.length; start += deletionBatch) {
    const batch = stale.slice(start, start + deletionBatch);
    await deleteDocuments(context, source.kbId, batch.map((document) => document.id));
    for (const document of batch) tally.add({ source: document.source, outcome: 'deleted' });
  }
}

async function deleteDocuments(context: IngestContext, kbId: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await context.database.transaction(async (transaction) => {
    await deleteDocumentsByIds(transaction, kbId, ids);
    await bumpKnowledgeBaseVersion(transaction, kbId);
  });
}

async function finish(
  dependencies: SyncDependencies,
  source: ContentSource,
  run: SyncRunSummary,
  error: string,
  items: SyncedItem[],
): Promise<SyncResult> {
  await recordSyncRun(dependencies.ingest.database, { sourceId: source.id, run, error });
  dependencies.onRunFinished?.(source, run);
  return { status: 'finished', run, error, items };
}

class SyncTally {
  readonly items: SyncedItem[] = [];

  constructor(
    private readonly mode: SyncRunSummary['mode'],
    private readonly startedAt: Date,
  ) {}

  add(item: SyncedItem): void {
    this.items.push(item);
  }

  summary(status: SyncRunSummary['status'], finishedAt: Date): SyncRunSummary {
    const count = (outcome: SyncedItem['outcome']) => this.items.filter((item) => item.outcome === outcome).length;
    return {
      status,
      mode: this.mode,
      added: count('added'),
      updated: count('updated'),
      unchanged: count('unchanged') + count('skipped'),
      deleted: count('deleted'),
      failed: count('failed'),
      startedAt: this.startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
    };
  }
}

/** Thrown around a connector's own failure so it is not mistaken for the database going away. */
class ListingError extends Error {}

async function nextEntry(listing: AsyncGenerator<SourceEntry, ListingEnd>): Promise<IteratorResult<SourceEntry, ListingEnd>> {
  try {
    return await listing.next();
  } catch (error) {
    throw new ListingError('the listing failed', { cause: error });
  }
}

function isStorageOutage(error: unknown): boolean {
  return isOrioleError(error) && error.code === 'upstream_unavailable';
}

function describeFailure(error: unknown): string {
  if (isOrioleError(error)) return `${error.code}: ${error.message}`;
  return `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
}

function failureMessage(failures: SyncedItem[], note: string | null): string {
  const listed = failures.slice(0, 5).map((item) => `${item.source}: ${item.error}`);
  return `${failures.length} item(s) failed: ${listed.join('; ')}${note ? `; ${note}` : ''}`;
}
