import cliProgress from 'cli-progress';
import type { Logger } from 'pino';
import {
  assertEmbedderMatches,
  collectInputs,
  ingestInputs,
  planInputs,
  reindexKnowledgeBase,
  type ReindexResult,
  type IngestSummary,
} from '../../ingest/pipeline/index.ts';
import { OrioleError, type Config } from '../core/index.ts';
import { ensureKnowledgeBase, getKnowledgeBase, type Database } from '../db/index.ts';
import { createEmbedder } from '../embedders/index.ts';
import { loadReranker } from '../rerankers/index.ts';
import { createAnswering } from './answering.ts';
import { startNodeEvalWorker } from './eval-jobs.ts';
import { createNodeIngestion, embedderFor, embedderOptionsFrom, startNodeJobWorker } from './ingestion.ts';
import { createConfiguredJudge } from './judge.ts';

export interface IngestCommand {
  targets: string[];
  kb: string;
  prune: boolean;
  tags: Record<string, string>;
  verbose: boolean;
}

/** `oriole ingest`: a progress bar on a terminal, one line per failure otherwise, and a summary. */
export async function runIngest(
  database: Database,
  config: Config,
  logger: Logger,
  command: IngestCommand,
): Promise<IngestSummary> {
  const ingestion = await createNodeIngestion(config, database, logger);
  if (ingestion.embedderStatus.lexicalOnly && config.embedder.spec !== 'none') {
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
  await ingestion.close();
  printSummary(summary, kb.name);
  return summary;
}

function printSummary(summary: IngestSummary, kb: string): void {
  const counts = (['added', 'updated', 'unchanged', 'deleted', 'failed', 'skipped'] as const)
    .map((key) => `${summary[key]} ${key}`)
    .join(', ');
  console.log(`Ingested into '${kb}': ${counts}; ${summary.chunks} chunks, ${summary.embedded} embedded, ${summary.seconds}s`);
}

/** `oriole worker`: returns a function that stops it gracefully. */
export async function runWorker(database: Database, config: Config, logger: Logger): Promise<() => Promise<void>> {
  const judge = createConfiguredJudge(config);
  const ingestion = await createNodeIngestion(config, database, logger);
  const { reranker } = await loadReranker(config.reranker.spec, embedderOptionsFrom(config), (message) =>
    logger.warn({ reranker: config.reranker.spec }, message),
  );
  const worker = startNodeJobWorker(ingestion, logger);
  // Evals queued through an API without a worker of its own (Cloudflare Workers) run here.
  const answers = createAnswering(config, database, { ...embedderFor(ingestion), reranker }, logger);
  const evalWorker = startNodeEvalWorker(config, { database, answers, judge }, logger);
  logger.info({ backend: database.backend, embedder: ingestion.embedderStatus }, 'worker started');
  return async () => {
    await Promise.all([worker.stop(), evalWorker.stop()]);
    await ingestion.close();
  };
}

/** `oriole reindex`: fills missing vectors; with another embedder, switches the KB to it first. */
export async function runReindex(database: Database, config: Config, kbName: string): Promise<ReindexResult> {
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
