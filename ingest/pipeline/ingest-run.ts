import { isOrioleError, OrioleError } from '../../src/core/index.ts';
import {
  bumpKnowledgeBaseVersion,
  deleteDocumentsByIds,
  listSources,
  type KnowledgeBase,
} from '../../src/db/index.ts';
import type { InputEvent } from './collect-inputs.ts';
import {
  prepareDocument,
  storeDocument,
  type IngestContext,
  type IngestItem,
  type IngestOutcome,
  type IngestOutcomeKind,
  type PreparedDocument,
} from './ingest-document.ts';

export interface IngestSummary {
  added: number;
  updated: number;
  unchanged: number;
  deleted: number;
  failed: number;
  skipped: number;
  chunks: number;
  embedded: number;
  seconds: number;
  failures: { source: string; message: string }[];
  /** Why each skipped source was left out: not a document type, or no text to index. */
  skips: { source: string; reason: string }[];
  /** Documents stored with a part missing (a scanned page OCR could not read), one entry per problem. */
  warnings: { source: string; message: string }[];
}

export interface IngestProgress {
  source: string;
  result: IngestOutcomeKind | 'failed' | 'skipped';
  message?: string;
}

export interface IngestRunOptions {
  /** Delete the KB's documents this run did not see. */
  prune: boolean;
  onProgress?: (progress: IngestProgress) => void;
  /** Checked between documents: a stop request ends the run after the current one. */
  shouldStop?: () => boolean;
}

/**
 * Documents read ahead of the one being stored. They are prepared one after the
 * other, so a run keeps one parse-pool thread busy while the database stores: a
 * second thread's start-up (about a second of CPU) cost more than it saved on a
 * 2-core machine. More only holds more parsed documents in memory.
 */
const documentsAhead = 3;

type Prepared = { ok: true; value: PreparedDocument | IngestOutcome } | { ok: false; error: unknown };

/** An input in the run's order: a document being prepared, or a skip or failure already known. */
type Step = { kind: 'document'; item: IngestItem; prepared: Promise<Prepared> } | { kind: 'event'; event: InputEvent };

/**
 * Ingests a stream of inputs into one KB. A failing document is recorded and the
 * run goes on; pruning happens only after every input was seen. Documents are
 * stored one at a time, in input order, each in its own transaction
 * (`storeDocument`), while the next few are read, parsed, chunked and tokenized
 * (`prepareDocument`); outcomes and progress are reported in input order.
 */
export async function ingestInputs(
  context: IngestContext,
  kb: KnowledgeBase,
  inputs: AsyncIterable<InputEvent>,
  options: IngestRunOptions,
): Promise<IngestSummary> {
  const started = performance.now();
  const summary: IngestSummary = {
    added: 0,
    updated: 0,
    unchanged: 0,
    deleted: 0,
    failed: 0,
    skipped: 0,
    chunks: 0,
    embedded: 0,
    seconds: 0,
    failures: [],
    skips: [],
    warnings: [],
  };
  const seen = new Set<string>();
  const steps: Step[] = [];
  /** Settles when the last document queued is prepared (never rejects): the next one starts after it. */
  let previousPrepared: Promise<unknown> = Promise.resolve();
  let stopped = false;

  /** Records the oldest step; a document is stored first, unless a stop was asked for (then it is left out). */
  const finishOldest = async (): Promise<void> => {
    const step = steps.shift()!;
    if (step.kind === 'event') return recordEvent(summary, seen, step.event, options);
    const prepared = await step.prepared;
    if (stopped || options.shouldStop?.()) {
      stopped = true;
      return;
    }
    const { item } = step;
    try {
      if (!prepared.ok) throw prepared.error;
      const outcome = 'outcome' in prepared.value ? prepared.value : await storeDocument(context, kb, prepared.value);
      if (outcome.outcome === 'skipped') {
        // Like a file of another type: not seen, so --prune removes what it held before.
        recordSkip(summary, outcome.source, outcome.reason, options);
        return;
      }
      seen.add(item.source);
      seen.add(outcome.source);
      summary[outcome.outcome]++;
      summary.chunks += outcome.chunks;
      summary.embedded += outcome.embedded;
      for (const message of outcome.warnings ?? []) summary.warnings.push({ source: outcome.source, message });
      options.onProgress?.({ source: outcome.source, result: outcome.outcome });
    } catch (error) {
      if (isOrioleError(error) && error.code === 'upstream_unavailable') throw error;
      seen.add(item.source);
      recordFailure(summary, item.source, describe(error), options);
    }
  };
  const documentsInFlight = () => steps.filter((step) => step.kind === 'document').length;

  for await (const event of inputs) {
    if (stopped || options.shouldStop?.()) {
      stopped = true;
      break;
    }
    if (event.kind !== 'item') {
      steps.push({ kind: 'event', event });
      continue;
    }
    const { item } = event;
    // A source given twice is prepared only once the first is stored, so it compares with what that wrote.
    while (steps.some((step) => step.kind === 'document' && step.item.source === item.source)) await finishOldest();
    while (documentsInFlight() >= documentsAhead) await finishOldest();
    if (stopped) break;
    const prepared = previousPrepared.then(() =>
      prepareDocument(context, kb, item).then(
        (value): Prepared => ({ ok: true, value }),
        (error: unknown): Prepared => ({ ok: false, error }),
      ),
    );
    previousPrepared = prepared;
    steps.push({ kind: 'document', item, prepared });
  }
  // After a stop, documents not yet stored are dropped; skips and failures already known are still reported.
  while (steps.length > 0) await finishOldest();
  if (options.prune && !stopped) summary.deleted = await prune(context, kb, seen);
  summary.seconds = Math.round((performance.now() - started) / 10) / 100;
  return summary;
}

function recordEvent(summary: IngestSummary, seen: Set<string>, event: InputEvent, options: IngestRunOptions): void {
  if (event.kind === 'skipped') return recordSkip(summary, event.source, event.reason, options);
  if (event.kind === 'failed') {
    seen.add(event.source);
    recordFailure(summary, event.source, event.message, options);
  }
}

async function prune(context: IngestContext, kb: KnowledgeBase, seen: ReadonlySet<string>): Promise<number> {
  if (seen.size === 0) {
    throw new OrioleError('invalid_request', 'Nothing was found to ingest; refusing to --prune every document of the KB');
  }
  const stale = (await listSources(context.database, kb.id)).filter((document) => !seen.has(document.source));
  if (stale.length === 0) return 0;
  return context.database.transaction(async (transaction) => {
    const deleted = await deleteDocumentsByIds(
      transaction,
      kb.id,
      stale.map((document) => document.id),
    );
    await bumpKnowledgeBaseVersion(transaction, kb.id);
    return deleted;
  });
}

function recordFailure(summary: IngestSummary, source: string, message: string, options: IngestRunOptions): void {
  summary.failed++;
  summary.failures.push({ source, message });
  options.onProgress?.({ source, result: 'failed', message });
}

function recordSkip(summary: IngestSummary, source: string, reason: string, options: IngestRunOptions): void {
  summary.skipped++;
  summary.skips.push({ source, reason });
  options.onProgress?.({ source, result: 'skipped', message: reason });
}

function describe(error: unknown): string {
  if (isOrioleError(error)) return error.message;
  return `unexpected error: ${(error as Error)?.message ?? String(error)}`;
}
