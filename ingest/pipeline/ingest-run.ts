import { isOrioleError, OrioleError } from '../../src/core/index.ts';
import {
  bumpKnowledgeBaseVersion,
  deleteDocumentsByIds,
  listSources,
  type KnowledgeBase,
} from '../../src/db/index.ts';
import type { InputEvent } from './collect-inputs.ts';
import { ingestDocument, type IngestContext, type IngestOutcomeKind } from './ingest-document.ts';

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
 * Ingests a stream of inputs into one KB. A failing document is recorded and the
 * run goes on; pruning happens only after every input was seen.
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
  };
  const seen = new Set<string>();
  let stopped = false;
  for await (const event of inputs) {
    if (options.shouldStop?.()) {
      stopped = true;
      break;
    }
    if (event.kind === 'skipped') {
      recordSkip(summary, event.source, event.reason, options);
      continue;
    }
    if (event.kind === 'failed') {
      seen.add(event.source);
      recordFailure(summary, event.source, event.message, options);
      continue;
    }
    try {
      const outcome = await ingestDocument(context, kb, event.item);
      if (outcome.outcome === 'skipped') {
        // Like a file of another type: not seen, so --prune removes what it held before.
        recordSkip(summary, outcome.source, outcome.reason, options);
        continue;
      }
      seen.add(event.item.source);
      seen.add(outcome.source);
      summary[outcome.outcome]++;
      summary.chunks += outcome.chunks;
      summary.embedded += outcome.embedded;
      options.onProgress?.({ source: outcome.source, result: outcome.outcome });
    } catch (error) {
      if (isOrioleError(error) && error.code === 'upstream_unavailable') throw error;
      seen.add(event.item.source);
      recordFailure(summary, event.item.source, describe(error), options);
    }
  }
  if (options.prune && !stopped) summary.deleted = await prune(context, kb, seen);
  summary.seconds = Math.round((performance.now() - started) / 10) / 100;
  return summary;
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
