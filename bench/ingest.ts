import { copyFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { collectInputs, ingestInputs, planInputs } from '../ingest/pipeline/index.ts';
import { loadConfig } from '../src/core/index.ts';
import { ensureKnowledgeBase, migrate, openPostgres, quoteIdentifier, type Database } from '../src/db/index.ts';
import { readMigrationFiles } from '../src/db/migration-files.ts';
import { openPglite } from '../src/db/pglite.ts';
import { composeNode, loadIngestModels } from '../src/entry/compose.ts';
import { materializeSet } from './eval-sets.ts';

/**
 * Ingestion throughput on a real corpus (the public rhdh-docs-ragas guides, read at run
 * time from `--eval-sets DIR` or ORIOLE_EVAL_SETS_DIR, never copied into the project;
 * docs/public-eval-sets.md): chunks/s for a first ingest, and the time of a re-ingest
 * with nothing changed, per backend and embedder.
 */

/** `spec[:documents]`: USE lite runs on TF.js's pure-JS CPU backend, so it gets a sample. */
const embedders = (process.env.BENCH_EMBEDDERS ?? 'none,use-lite:3').split(',').map((entry) => {
  const [spec, limit] = entry.split(/:(?=\d+$)/);
  return { spec: spec!, documentLimit: limit ? Number(limit) : Infinity };
});
const postgresUrl = process.env.BENCH_DATABASE_URL;

interface Row {
  backend: string;
  embedder: string;
  /** Documents of a sample run (USE lite), else undefined. */
  sample: number | undefined;
  documents: number;
  chunks: number;
  seconds: number;
  chunksPerSecond: number;
  /** CPU time of this process over the first ingest, parse threads and PGlite included (not PostgreSQL's server). */
  cpuSeconds: number;
  unchangedSeconds: number;
  /** The 1-minute load average when the first ingest ended: other work on the machine slows the figures. */
  load: number;
}

export async function benchIngest(): Promise<Row[]> {
  const corpus = await mkdtemp(path.join(tmpdir(), 'oriole-bench-corpus-'));
  await materializeSet('rhdh-docs-ragas', corpus);
  const rows: Row[] = [];
  try {
    for (const backend of ['pglite', ...(postgresUrl ? ['postgres'] : [])]) {
      for (const embedder of embedders) {
        const { database, cleanup } = await openBenchDatabase(backend);
        try {
          const folder = await sample(path.join(corpus, 'docs'), embedder.documentLimit);
          const row = await measure(database, backend, embedder.spec, folder);
          rows.push({ ...row, sample: Number.isFinite(embedder.documentLimit) ? embedder.documentLimit : undefined });
        } finally {
          await cleanup();
        }
      }
    }
  } finally {
    await rm(corpus, { recursive: true, force: true });
  }
  return rows;
}

/** The first `limit` documents (by name) in a folder of their own. */
async function sample(folder: string, limit: number): Promise<string> {
  if (!Number.isFinite(limit)) return folder;
  const target = `${folder}-sample-${limit}`;
  await mkdir(target, { recursive: true });
  for (const name of (await readdir(folder)).sort().slice(0, limit)) await copyFile(path.join(folder, name), path.join(target, name));
  return target;
}

async function measure(database: Database, backend: string, embedder: string, folder: string): Promise<Omit<Row, 'sample'>> {
  const config = loadConfig({ ORIOLE_EMBEDDER: embedder });
  const logger = pino({ level: 'warn' });
  const ingestion = composeNode(config, { database, logger, models: await loadIngestModels(config, logger) }).ingestion();
  const kb = await ensureKnowledgeBase(database, { name: 'bench', embedder });
  const run = async () =>
    ingestInputs(ingestion.context, kb, collectInputs(await planInputs([folder]), ingestion.collect, {}), { prune: false });
  const cpuBefore = process.cpuUsage();
  const first = await run();
  const cpu = process.cpuUsage(cpuBefore);
  const load = loadavg()[0]!;
  if (first.failed > 0) throw new Error(`bench ingest failed: ${JSON.stringify(first.failures.slice(0, 3))}`);
  const second = await run();
  return {
    backend,
    embedder,
    documents: first.added,
    chunks: first.chunks,
    seconds: first.seconds,
    chunksPerSecond: Math.round((first.chunks / first.seconds) * 10) / 10,
    cpuSeconds: Math.round((cpu.user + cpu.system) / 10_000) / 100,
    unchangedSeconds: second.seconds,
    load: Math.round(load * 10) / 10,
  };
}

async function openBenchDatabase(backend: string): Promise<{ database: Database; cleanup: () => Promise<void> }> {
  if (backend === 'pglite') {
    const database = await openPglite();
    await migrate(database, await readMigrationFiles());
    return { database, cleanup: () => database.close() };
  }
  const schema = `oriole_bench_${process.pid}_${Date.now()}`;
  const admin = openPostgres({ url: postgresUrl! });
  await admin.query(`CREATE EXTENSION IF NOT EXISTS vector`);
  await admin.query(`CREATE SCHEMA ${quoteIdentifier(schema)}`);
  const database = openPostgres({ url: postgresUrl!, schema });
  await migrate(database, await readMigrationFiles());
  return {
    database,
    cleanup: async () => {
      await database.close();
      await admin.query(`DROP SCHEMA ${quoteIdentifier(schema)} CASCADE`);
      await admin.close();
    },
  };
}

/** The rows as the README's Benchmarks table has them, then the load each was measured under. */
export function formatIngestRows(rows: Row[]): string {
  const header = '| backend | embedder | documents | chunks | first ingest (s) | chunks/s | CPU (s) | re-ingest unchanged (s) |';
  const lines = rows.map((row) => {
    const backend = row.backend === 'pglite' ? 'PGlite' : 'PostgreSQL';
    const embedder = row.sample === undefined ? row.embedder : `${row.embedder} (${row.sample}-document sample)`;
    const rate = row.chunksPerSecond >= 100 ? Math.round(row.chunksPerSecond) : row.chunksPerSecond;
    return `| ${backend} | ${embedder} | ${row.documents} | ${row.chunks} | ${row.seconds} | ${rate} | ${row.cpuSeconds} | ${row.unchangedSeconds} |`;
  });
  const loads = rows.map((row) => row.load).join(', ');
  return [header, '|---|---|---|---|---|---|---|---|', ...lines, '', `1-minute load average after each first ingest: ${loads}.`].join('\n');
}
