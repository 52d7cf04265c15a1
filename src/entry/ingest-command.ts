import cliProgress from 'cli-progress';
import {
  collectInputs,
  ingestInputs,
  planInputs,
  reindexKnowledgeBase,
  type ReindexResult,
  type IngestSummary,
} from '../../ingest/pipeline/index.ts';
import { OrioleError, assertEmbedderMatches } from '../core/index.ts';
import { ensureKnowledgeBase, getKnowledgeBase } from '../db/index.ts';
import { createEmbedder } from '../embedders/index.ts';
import type { NodeComposition } from './compose.ts';
import { embedderOptionsFrom } from './ingestion.ts';

export interface IngestCommand {
  targets: string[];
  kb: string;
  prune: boolean;
  tags: Record<string, string>;
  verbose: boolean;
}

/**
 * `oriole ingest`: a progress bar on a terminal, one line per failure otherwise, and a
 * summary. `node` has ORIOLE_EMBEDDER's model loaded (`loadNodeModels`, no reranker).
 */
export async function runIngest(node: NodeComposition, command: IngestCommand): Promise<IngestSummary> {
  const { config, database } = node;
  const ingestion = node.ingestion();
  if (node.models.embedder === null && config.embedder.spec !== 'none') {
    process.stderr.write(
      `warning: embedder ${config.embedder.spec} is unavailable; storing chunks without vectors (lexical search only). ` +
        `Run 'oriole reindex --kb ${command.kb}' once the model can be loaded.\n`,
    );
  }
  const kb = await ensureKnowledgeBase(database, { name: command.kb, embedder: config.embedder.spec });
  assertEmbedderMatches(kb, config.embedder.spec);
  const plan = await planInputs(command.targets);
  const bar = process.stderr.isTTY
    ? new cliProgress.SingleBar(
        { format: 'ingest [{bar}] {value}/{total} {source}', hideCursor: true, clearOnComplete: true, stream: process.stderr },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  bar?.start(plan.files.length + plan.urls.length, 0, { source: '' });
  let done = 0;
  const summary = await ingestInputs(ingestion.context, kb, collectInputs(plan, ingestion.collect, command.tags), {
    prune: command.prune,
    onProgress: (progress) => {
      done++;
      // Crawled pages are discovered on the way; grow the bar rather than overflow it.
      if (bar && done > bar.getTotal()) bar.setTotal(done);
      bar?.update(done, { source: progress.source.slice(-50) });
      if (command.verbose && !bar && progress.result !== 'failed') console.log(`${progress.result}: ${progress.source}`);
      if (progress.result === 'failed') {
        bar?.stop();
        process.stderr.write(`failed: ${progress.source}: ${progress.message}\n`);
        bar?.start(bar.getTotal(), done, { source: '' });
      }
    },
  });
  bar?.stop();
  printSummary(summary, kb.name);
  return summary;
}

function printSummary(summary: IngestSummary, kb: string): void {
  const counts = (['added', 'updated', 'unchanged', 'deleted', 'failed', 'skipped'] as const)
    .map((key) => `${summary[key]} ${key}`)
    .join(', ');
  console.log(`Ingested into '${kb}': ${counts}; ${summary.chunks} chunks, ${summary.embedded} embedded, ${summary.seconds}s`);
  for (const [reason, sources] of skippedByReason(summary.skips)) {
    const listed = sources.slice(0, maxSkippedListed).join(', ');
    const more = sources.length > maxSkippedListed ? ` and ${sources.length - maxSkippedListed} more` : '';
    console.log(`Skipped, ${reason}: ${listed}${more}`);
  }
  for (const { source, message } of summary.warnings) console.log(`Warning: ${source}: ${message}`);
}

/** Sources named per skip reason; a folder of images should not flood the summary. */
const maxSkippedListed = 10;

function skippedByReason(skips: IngestSummary['skips']): Map<string, string[]> {
  const byReason = new Map<string, string[]>();
  for (const { source, reason } of skips) byReason.set(reason, [...(byReason.get(reason) ?? []), source]);
  return byReason;
}

/**
 * `oriole worker`: ingestion and eval jobs, on `node`'s models (`loadNodeModels`), and the
 * deletion of expired conversations. Evals queued through an API without a worker of its
 * own (Cloudflare Workers) run here.
 * Returns a function that stops it gracefully.
 */
export function runWorker(node: NodeComposition): () => Promise<void> {
  node.startWorkers({ ingestion: true, evals: true, conversationRetention: true });
  node.logger.info({ backend: node.database.backend, embedder: node.models.embedderStatus }, 'worker started');
  return () => node.stop();
}

/** `oriole reindex`: fills missing vectors; with another embedder, switches the KB to it first. */
export async function runReindex(node: NodeComposition, kbName: string): Promise<ReindexResult> {
  const { config, database } = node;
  const kb = await getKnowledgeBase(database, kbName);
  const embedder = await createEmbedder(config.embedder.spec, embedderOptionsFrom(config));
  if (!embedder) {
    throw new OrioleError('invalid_request', "Nothing to embed with: the embedder is 'none'. Pass --embedder or set ORIOLE_EMBEDDER.");
  }
  const bar = process.stderr.isTTY
    ? new cliProgress.SingleBar({ format: 'reindex [{bar}] {value}/{total}', stream: process.stderr, clearOnComplete: true }, cliProgress.Presets.shades_classic)
    : undefined;
  let started = false;
  const result = await reindexKnowledgeBase(database, kb, embedder, (done, total) => {
    if (!started) bar?.start(total, 0);
    started = true;
    bar?.update(done);
  });
  bar?.stop();
  return result;
}
