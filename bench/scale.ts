/**
 * `npm run bench -- --scale 1m --eval-sets DIR`: one knowledge base of a million chunks on
 * PostgreSQL (BENCH_DATABASE_URL or TEST_DATABASE_URL), lexical postings and 384-dimensional
 * vectors. Measured: the load through the product's store path, sizes on disk, the HNSW
 * build (`vector` and `halfvec`), vector recall against an exact scan, filtered searches
 * with and without pgvector's iterative scans, and p50/p95 of the lexical leg, the hybrid
 * retriever and POST /search over HTTP. Not in CI: the load alone takes most of an hour.
 *
 * The text is the public eval sets' sentences recombined (bench/scale-corpus.ts); the KB
 * lives in schema `oriole_bench_scale_<size>` of that database, kept afterwards (`--drop`
 * removes it), and a run finds what an earlier run loaded and goes on from there.
 *   npm run bench -- --scale 1m --eval-sets ../shared/evalsets
 *   npx tsx bench/scale.ts --scale 100k --eval-sets ../shared/evalsets --drop
 */
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import pino from 'pino';
import { loadConfig, type Embedder } from '../src/core/index.ts';
import {
  createKnowledgeBase,
  findKnowledgeBase,
  migrate,
  nearestChunks,
  openPostgres,
  quoteIdentifier,
  replaceDocument,
  searchLexical,
  vectorToSql,
  type Database,
} from '../src/db/index.ts';
import { readMigrationFiles } from '../src/db/migration-files.ts';
import { openPglite } from '../src/db/pglite.ts';
import { createHybridRetriever, createInProcessLexicalSearcher } from '../src/retrieval/index.ts';
import { lexicalTerms } from '../src/retrieval/lexical/index.ts';
import { createHttpDependencies } from '../src/api/index.ts';
import { composeNode } from '../src/entry/compose.ts';
import { givenEvalSetsDirectory, percentiles } from './eval-sets.ts';
import { memoryAfterGc } from './retrieval.ts';
import {
  chunksPerDocument,
  generateDocument,
  loadScaleCorpus,
  productCount,
  scaleDimension,
  type GeneratedDocument,
  type ScaleCorpus,
} from './scale-corpus.ts';

const documentsPerTransaction = 50;
const loaders = 2;
const resultLimit = 50;
const warmupQueries = 10;
const timedQueries = 100;
const kbName = 'scale';
const embedderId = `bench-terms:${scaleDimension}`;
/** Room for the whole HNSW graph of a million 384-d vectors, so the build never spills (pgvector warns when it does). */
const maintenanceWorkMem = '4GB';

export interface ScaleOptions {
  chunks: number;
  evalSetsRoot: string | undefined;
  drop: boolean;
  /** `pglite`: the embedded store in a data directory under the system's temp directory. */
  backend?: 'postgres' | 'pglite';
}

/** `1m`, `250k` or a number. */
export function parseScale(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(text.trim());
  if (!match) throw new Error(`--scale takes a chunk count such as 100k or 1m, not '${text}'`);
  const chunks = Math.round(Number(match[1]) * ({ k: 1e3, m: 1e6 }[match[2]!.toLowerCase()] ?? 1));
  if (chunks < 1_000 || chunks > 10_000_000) throw new Error('--scale must be between 1k and 10m chunks');
  return chunks;
}

export async function benchScale(options: ScaleOptions): Promise<string> {
  const corpus = await loadScaleCorpus(options.evalSetsRoot);
  const { database, release } = options.backend === 'pglite' ? await openScalePglite(options) : await openScalePostgres(options);
  const report: string[] = [];
  try {
    await migrate(database, await readMigrationFiles());
    report.push(await describeMachine(database, corpus, options.chunks));
    const kb = (await findKnowledgeBase(database, kbName)) ?? (await createKnowledgeBase(database, { name: kbName, embedder: embedderId }));
    report.push(await load(database, kb.id, corpus, options.chunks));
    report.push(await sizes(database, kb.id));
    const builds = await buildVectorIndexes(database);
    report.push(builds.table);
    const queries = queriesOf(corpus);
    report.push(await vectorRecall(database, kb.id, queries));
    report.push(await filteredSearches(database, kb.id, queries));
    report.push(await latencies(database, { id: kb.id, name: kbName, embedder: embedderId }, corpus, queries));
  } finally {
    await database.close();
    // Measured once closed: PGlite checkpoints on close, and its WAL shrinks then.
    if (options.backend === 'pglite') report.push(pgliteFootprint(await directorySize(pgliteDirectory(options.chunks))));
    await release();
  }
  return report.join('\n\n');
}

async function openScalePostgres(options: ScaleOptions): Promise<{ database: Database; release(): Promise<void> }> {
  const url = process.env.BENCH_DATABASE_URL ?? process.env.ORIOLE_BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('--scale runs on PostgreSQL: set BENCH_DATABASE_URL (or TEST_DATABASE_URL) to a server with pgvector');
  const schema = `oriole_bench_scale_${options.chunks}`;
  const admin = openPostgres({ url, maxConnections: 1 });
  await admin.query('CREATE EXTENSION IF NOT EXISTS vector');
  await admin.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
  const database = openPostgres({ url, schema, maxConnections: loaders + 2 });
  return {
    database,
    async release() {
      if (options.drop) await admin.query(`DROP SCHEMA ${quoteIdentifier(schema)} CASCADE`);
      else log(`kept schema ${schema} (--drop removes it; a later run reuses it)`);
      await admin.close();
    },
  };
}

function pgliteDirectory(chunks: number): string {
  return path.join(tmpdir(), `oriole-bench-scale-pglite-${chunks}`);
}

/** The embedded store as `oriole serve` opens it by default: PGlite in a data directory. */
async function openScalePglite(options: ScaleOptions): Promise<{ database: Database; release(): Promise<void> }> {
  const directory = pgliteDirectory(options.chunks);
  await mkdir(directory, { recursive: true });
  const database = await openPglite({ dataDir: directory });
  return {
    database,
    async release() {
      if (options.drop) await rm(directory, { recursive: true, force: true });
      else log(`kept ${directory} (--drop removes it; a later run reuses it)`);
    },
  };
}

async function directorySize(directory: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const file = path.join(directory, entry.name);
    if (entry.isDirectory()) total += await directorySize(file);
    else if (entry.isFile()) total += (await stat(file)).size;
  }
  return total;
}

function pgliteFootprint(bytesOnDisk: number): string {
  const memory = process.memoryUsage();
  return [
    '## PGlite footprint',
    '',
    `Data directory ${gigabytes(bytesOnDisk)} once closed; this process's resident memory at the end ${gigabytes(memory.rss)} ` +
      `(PGlite's WebAssembly heap ${gigabytes(memory.arrayBuffers)} of it, with the in-process lexical index's buffers).`,
  ].join('\n');
}

async function describeMachine(database: Database, corpus: ScaleCorpus, chunks: number): Promise<string> {
  const settings = await database.query<{ server: string; vector: string; shared_buffers: string; workers: string }>(
    `SELECT current_setting('server_version') AS server,
            (SELECT extversion FROM pg_extension WHERE extname = 'vector') AS vector,
            current_setting('shared_buffers') AS shared_buffers,
            current_setting('max_parallel_maintenance_workers') AS workers`,
  );
  const row = settings.rows[0]!;
  const cpu = cpus();
  return [
    `# Large KB: ${chunks.toLocaleString('en')} chunks (${new Date().toISOString().slice(0, 10)})`,
    '',
    `Machine: ${cpu.length} × ${cpu[0]?.model ?? 'CPU'}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB RAM, load average ${loadavg()[0]!.toFixed(1)} at the start.`,
    database.backend === 'pglite'
      ? `PGlite (PostgreSQL ${row.server} in WebAssembly, in this process), pgvector ${row.vector}, on disk in a data directory.`
      : `PostgreSQL ${row.server}, pgvector ${row.vector}, shared_buffers ${row.shared_buffers} (the server's own settings; the OS page cache holds the rest); ` +
        `index builds with maintenance_work_mem ${maintenanceWorkMem} and 1 parallel worker.`,
    `Text: ${corpus.sentenceCount.toLocaleString('en')} distinct sentences of rhdh-docs-ragas (English, 3 documents in 4) and domainrag-ruc (Chinese) ` +
      `recombined into documents of ${chunksPerDocument} chunks of 160–320 estimated tokens, as ingestion's chunker sizes them; vectors are random projections of each chunk's TF-IDF terms (bench/scale-corpus.ts).`,
  ].join('\n');
}

/**
 * Documents through `replaceDocument`, ingestion's own write (chunks with their BM25
 * length, postings, statistics kept by the triggers), `documentsPerTransaction` per
 * transaction and `loaders` transactions at once; parsing and embedding are not in it.
 * The HNSW index is dropped first and built after, as a bulk load should be.
 */
async function load(database: Database, kbId: string, corpus: ScaleCorpus, targetChunks: number): Promise<string> {
  const targetDocuments = Math.ceil(targetChunks / chunksPerDocument);
  const loaded = await database.query<{ documents: string }>(`SELECT count(*) AS documents FROM documents WHERE kb_id = $1`, [kbId]);
  const first = Number(loaded.rows[0]!.documents);
  if (first >= targetDocuments) {
    log(`${first} documents already loaded`);
    return `Load: already done by an earlier run (${first.toLocaleString('en')} documents).`;
  }
  await database.query(`DROP INDEX IF EXISTS chunks_embedding_384_idx`);
  await database.query(`DROP INDEX IF EXISTS chunks_embedding_384_half_idx`);
  let next = first;
  const started = performance.now();
  let generateMs = 0;
  const loader = async () => {
    while (next < targetDocuments) {
      const from = next;
      const to = Math.min(targetDocuments, from + documentsPerTransaction);
      next = to;
      const generateStarted = performance.now();
      const documents: GeneratedDocument[] = [];
      for (let number = from; number < to; number++) documents.push(generateDocument(corpus, number));
      generateMs += performance.now() - generateStarted;
      await database.transaction(async (transaction) => {
        for (const document of documents) await storeDocument(transaction, kbId, document);
      });
      if (to % 1_000 === 0) {
        const rate = ((to - first) * chunksPerDocument) / ((performance.now() - started) / 1000);
        process.stderr.write(`\r  ${(to * chunksPerDocument).toLocaleString('en')} chunks, ${rate.toFixed(0)} chunks/s   `);
      }
    }
  };
  await Promise.all(Array.from({ length: loaders }, loader));
  process.stderr.write('\n');
  const seconds = (performance.now() - started) / 1000;
  const chunks = (targetDocuments - first) * chunksPerDocument;
  const vacuumStarted = performance.now();
  await database.query('VACUUM ANALYZE');
  const vacuumSeconds = (performance.now() - vacuumStarted) / 1000;
  return [
    '## Load',
    '',
    `${chunks.toLocaleString('en')} chunks in ${(targetDocuments - first).toLocaleString('en')} documents stored in ${minutes(seconds)} ` +
      `(${(chunks / seconds).toFixed(0)} chunks/s, ${loaders} transactions of ${documentsPerTransaction} documents at once; ` +
      `generating text, terms and vectors took ${minutes(generateMs / 1000)} of it), then VACUUM ANALYZE ${minutes(vacuumSeconds)}.`,
  ].join('\n');
}

async function storeDocument(transaction: Parameters<typeof replaceDocument>[0], kbId: string, document: GeneratedDocument): Promise<void> {
  await replaceDocument(
    transaction,
    {
      kbId,
      source: document.source,
      title: document.title,
      url: null,
      contentType: 'text/markdown',
      contentHash: document.chunks.map((chunk) => chunk.contentHash.slice(0, 8)).join(''),
      metadata: {},
      tags: document.tags,
    },
    document.chunks.map((chunk, ordinal) => ({
      ordinal,
      headingPath: [],
      text: chunk.text,
      tokenCount: Math.ceil(chunk.text.length / 4),
      contentHash: chunk.contentHash,
      metadata: {},
      embedding: chunk.vector,
      terms: chunk.terms,
    })),
  );
}

async function sizes(database: Database, kbId: string): Promise<string> {
  const counts = await database.query<{ chunks: string; postings: string; terms: string }>(
    `SELECT (SELECT count(*) FROM chunks WHERE kb_id = $1) AS chunks,
            (SELECT count(*) FROM chunk_terms WHERE kb_id = $1) AS postings,
            (SELECT count(*) FROM lexical_terms WHERE kb_id = $1) AS terms`,
    [kbId],
  );
  const relations = await database.query<{ name: string; kind: string; table_bytes: string; total_bytes: string }>(
    `SELECT c.relname AS name, c.relkind AS kind, pg_relation_size(c.oid) AS table_bytes, pg_total_relation_size(c.oid) AS total_bytes
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'i') AND pg_relation_size(c.oid) > 8 * 1024 * 1024
      ORDER BY pg_relation_size(c.oid) DESC`,
  );
  const all = await database.query<{ bytes: string }>(
    `SELECT sum(pg_total_relation_size(c.oid)) AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind = 'r'`,
  );
  // The vectors' share of the chunks table, and what halfvec storage would make of it, on a 1 % sample.
  const column = await database.query<{ vector_bytes: string; halfvec_bytes: string; sampled: string }>(
    `SELECT sum(pg_column_size(embedding)) AS vector_bytes, sum(pg_column_size(embedding::halfvec(${scaleDimension}))) AS halfvec_bytes,
            count(*) AS sampled
       FROM chunks TABLESAMPLE SYSTEM (1) WHERE embedding IS NOT NULL`,
  );
  const { chunks, postings, terms } = counts.rows[0]!;
  const sample = column.rows[0]!;
  const perChunk = (bytes: string) => Number(bytes) / Math.max(1, Number(sample.sampled));
  const lines = relations.rows.map(
    (row) =>
      `| ${row.name} | ${row.kind === 'r' ? 'table' : 'index'} | ${gigabytes(Number(row.table_bytes))} | ${row.kind === 'r' ? gigabytes(Number(row.total_bytes)) : ''} |`,
  );
  return [
    '## Sizes on disk (before the vector indexes)',
    '',
    `${Number(chunks).toLocaleString('en')} chunks, ${Number(postings).toLocaleString('en')} postings, ${Number(terms).toLocaleString('en')} distinct terms; ` +
      `all tables with their indexes and TOAST: ${gigabytes(Number(all.rows[0]!.bytes))}.`,
    '',
    '| relation | kind | size | with indexes and TOAST |',
    '|---|---|---|---|',
    ...lines,
    '',
    `A stored vector takes ${perChunk(sample.vector_bytes).toFixed(0)} bytes as \`vector\` and would take ${perChunk(sample.halfvec_bytes).toFixed(0)} as ` +
      `\`halfvec\` (pg_column_size on a 1 % sample).`,
  ].join('\n');
}

/** The migration's `vector` HNSW index and its `halfvec` twin, each timed and measured. */
async function buildVectorIndexes(database: Database): Promise<{ table: string }> {
  const indexes = [
    { name: 'chunks_embedding_384_idx', type: `vector(${scaleDimension})`, operators: 'vector_cosine_ops' },
    { name: 'chunks_embedding_384_half_idx', type: `halfvec(${scaleDimension})`, operators: 'halfvec_cosine_ops' },
  ];
  const rows: string[] = [];
  for (const index of indexes) {
    const exists = await database.query(`SELECT 1 FROM pg_class WHERE relname = $1 AND relnamespace = current_schema()::regnamespace`, [
      index.name,
    ]);
    let built = 'built by an earlier run';
    if (exists.rows.length === 0) {
      log(`building ${index.name}`);
      const started = performance.now();
      await database.transaction(async (transaction) => {
        if (database.backend === 'postgres') {
          await transaction.query(`SET LOCAL maintenance_work_mem = '${maintenanceWorkMem}'`);
          await transaction.query(`SET LOCAL max_parallel_maintenance_workers = 1`);
        }
        await transaction.query(
          `CREATE INDEX ${index.name} ON chunks USING hnsw ((embedding::${index.type}) ${index.operators}) WHERE embedding_dim = ${scaleDimension}`,
        );
      });
      built = minutes((performance.now() - started) / 1000);
    }
    const size = await database.query<{ bytes: string }>(`SELECT pg_relation_size($1::regclass) AS bytes`, [index.name]);
    rows.push(`| \`${index.type}\` | ${built} | ${gigabytes(Number(size.rows[0]!.bytes))} |`);
  }
  await database.query('ANALYZE chunks');
  return {
    table: [
      '## HNSW indexes (m 16, ef_construction 64, cosine)',
      '',
      '| stored as | build time | size |',
      '|---|---|---|',
      ...rows,
    ].join('\n'),
  };
}

interface BenchQuery {
  text: string;
  vector: number[];
  /** A filter keeping a tenth of the KB. */
  product: string;
  /** A filter keeping the documents recombined from one Chinese base page: about 1/2,600 of the KB. */
  area: string;
}

function queriesOf(corpus: ScaleCorpus): BenchQuery[] {
  const chinese = corpus.sets[1]!;
  return Array.from({ length: warmupQueries + timedQueries }, (_, index) => {
    const text = corpus.questions[(index * 7) % corpus.questions.length]!;
    return {
      text,
      vector: corpus.projector.vectorOfText(text),
      product: `p${index % productCount}`,
      area: `${chinese.name}-${(index * 13) % chinese.documents.length}`,
    };
  });
}

interface Neighbour {
  id: string;
  distance: number;
}

/** The exact nearest chunks: a sequential scan, which the expression indexes cannot serve. */
async function exactNearest(
  database: Database,
  kbId: string,
  vector: number[],
  limit: number,
  tags?: Record<string, string>,
): Promise<Neighbour[]> {
  return database.transaction(async (transaction) => {
    await transaction.query(`SET LOCAL enable_indexscan = off`);
    await transaction.query(`SET LOCAL enable_bitmapscan = off`);
    const values: unknown[] = [kbId, vectorToSql(vector), limit];
    if (tags) values.push(JSON.stringify(tags));
    const result = await transaction.query<{ id: string; distance: number }>(
      `SELECT id, embedding <=> $2::vector AS distance FROM chunks WHERE kb_id = $1 AND embedding_dim = ${scaleDimension}
          ${tags ? `AND document_id IN (SELECT id FROM documents WHERE kb_id = $1 AND tags @> $4::jsonb)` : ''}
        ORDER BY embedding <=> $2::vector, id LIMIT $3`,
      values,
    );
    return result.rows.map((row) => ({ id: String(row.id), distance: Number(row.distance) }));
  });
}

/** Nearest chunks through the halfvec index, as nearestChunks asks the vector one (ef_search 2 × limit). */
async function nearestHalfvec(database: Database, kbId: string, vector: number[], limit: number): Promise<Neighbour[]> {
  return database.transaction(async (transaction) => {
    await transaction.query(`SELECT set_config('hnsw.ef_search', $1, true)`, [String(Math.max(40, 2 * limit))]);
    const distance = `embedding::halfvec(${scaleDimension}) <=> $2::halfvec(${scaleDimension})`;
    // The distance reported is the exact one, so both indexes are judged on the same scale.
    const result = await transaction.query<{ id: string; distance: number }>(
      `SELECT id, embedding <=> $2::vector AS distance FROM chunks WHERE kb_id = $1 AND embedding_dim = ${scaleDimension}
        ORDER BY ${distance} LIMIT $3`,
      [kbId, vectorToSql(vector), limit],
    );
    return result.rows.map((row) => ({ id: String(row.id), distance: Number(row.distance) }));
  });
}

async function nearestVector(database: Database, kbId: string, vector: number[], limit: number, tags?: Record<string, string>): Promise<Neighbour[]> {
  const found = await nearestChunks(database, { kbId, vector, limit, ...(tags ? { filters: { tags } } : {}) });
  return found.map((row) => ({ id: row.chunkId, distance: row.distance }));
}

/** The share of the exact nearest found. */
function recall(found: Neighbour[], exact: Neighbour[]): number {
  const wanted = new Set(exact.map((row) => row.id));
  return exact.length === 0 ? 1 : found.filter((row) => wanted.has(row.id)).length / exact.length;
}

/**
 * ann-benchmarks' ε-recall (ε = 0.01): the share of results no farther than 1.01 × the exact
 * k-th distance. Recombined text has many near-twins, whose order no index can be blamed for.
 */
function epsilonRecall(found: Neighbour[], exact: Neighbour[]): number {
  const last = exact.at(-1);
  if (!last) return 1;
  return Math.min(1, found.filter((row) => row.distance <= last.distance * 1.01 + 1e-9).length / exact.length);
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

interface RecallRun {
  recall: number[];
  epsilon: number[];
  rows: number[];
  ms: number[];
}

function newRun(): RecallRun {
  return { recall: [], epsilon: [], rows: [], ms: [] };
}

function addTo(run: RecallRun, found: Neighbour[], exact: Neighbour[], ms: number): void {
  run.recall.push(recall(found, exact));
  run.epsilon.push(epsilonRecall(found, exact));
  run.rows.push(found.length);
  run.ms.push(ms);
}

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);

async function vectorRecall(database: Database, kbId: string, queries: BenchQuery[]): Promise<string> {
  const runs = { vector10: newRun(), vector50: newRun(), halfvec10: newRun(), halfvec50: newRun() };
  const exactMs: number[] = [];
  log('vector recall: exact scans and both indexes');
  for (const [index, query] of queries.entries()) {
    const full = await timed(() => nearestVector(database, kbId, query.vector, resultLimit));
    const half = await timed(() => nearestHalfvec(database, kbId, query.vector, resultLimit));
    const full10 = await timed(() => nearestVector(database, kbId, query.vector, 10));
    const half10 = await timed(() => nearestHalfvec(database, kbId, query.vector, 10));
    if (index < warmupQueries) continue;
    const exact = await timed(() => exactNearest(database, kbId, query.vector, resultLimit));
    exactMs.push(exact.ms);
    addTo(runs.vector50, full.value, exact.value, full.ms);
    addTo(runs.halfvec50, half.value, exact.value, half.ms);
    addTo(runs.vector10, full10.value, exact.value.slice(0, 10), full10.ms);
    addTo(runs.halfvec10, half10.value, exact.value.slice(0, 10), half10.ms);
  }
  const row = (name: string, run: RecallRun, efSearch: number) => {
    const { p50, p95 } = percentiles(run.ms);
    return `| ${name} | ${efSearch} | ${mean(run.recall).toFixed(3)} | ${mean(run.epsilon).toFixed(3)} | ${p50.toFixed(1)} / ${p95.toFixed(1)} |`;
  };
  const exact = percentiles(exactMs);
  return [
    `## Vector search: HNSW against an exact scan (${timedQueries} questions of the sets, embedded as the chunks are)`,
    '',
    '| index, limit | ef_search | recall | ε-recall (1 %) | p50 / p95 ms |',
    '|---|---|---|---|---|',
    row('`vector`, 10', runs.vector10, 40),
    row('`halfvec`, 10', runs.halfvec10, 40),
    row('`vector`, 50', runs.vector50, 100),
    row('`halfvec`, 50', runs.halfvec50, 100),
    `| exact scan, 50 (no index) | | 1 | 1 | ${exact.p50.toFixed(0)} / ${exact.p95.toFixed(0)} |`,
  ].join('\n');
}

/**
 * Filtered vector searches, limit 50, through nearestChunks (iterative scans on, as the
 * product runs them) and the same query with iterative scans off: a tag keeping a tenth of
 * the KB, and one keeping the documents of one Chinese base page (about 1/2,600).
 */
async function filteredSearches(database: Database, kbId: string, queries: BenchQuery[]): Promise<string> {
  log('filtered vector searches');
  const filters = [
    { name: `product (1/${productCount} of the chunks)`, tags: (query: BenchQuery) => ({ product: query.product }) },
    { name: 'area (one Chinese base page, ~1/2,600)', tags: (query: BenchQuery) => ({ area: query.area }) },
  ];
  const rows: string[] = [];
  for (const filter of filters) {
    const iterative = newRun();
    const plain = newRun();
    for (const [index, query] of queries.entries()) {
      const tags = filter.tags(query);
      const withIterative = await timed(() => nearestVector(database, kbId, query.vector, resultLimit, tags));
      const without = await timed(() => nearestWithoutIterativeScan(database, kbId, query.vector, tags));
      if (index < warmupQueries) continue;
      const exact = await exactNearest(database, kbId, query.vector, resultLimit, tags);
      addTo(iterative, withIterative.value, exact, withIterative.ms);
      addTo(plain, without.value, exact, without.ms);
    }
    for (const [mode, run] of [
      ['relaxed_order (the product)', iterative],
      ['off', plain],
    ] as const) {
      const { p50, p95 } = percentiles(run.ms);
      rows.push(
        `| ${filter.name} | ${mode} | ${mean(run.rows).toFixed(1)} (min ${Math.min(...run.rows)}) | ${mean(run.recall).toFixed(3)} | ${p50.toFixed(1)} / ${p95.toFixed(1)} |`,
      );
    }
  }
  return [
    `## Filtered vector search, limit ${resultLimit}`,
    '',
    '| tag filter | hnsw.iterative_scan | rows returned, mean | recall | p50 / p95 ms |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

/** nearestChunks' statement with pgvector's iterative scans off. */
async function nearestWithoutIterativeScan(database: Database, kbId: string, vector: number[], tags: Record<string, string>): Promise<Neighbour[]> {
  return database.transaction(async (transaction) => {
    await transaction.query(`SELECT set_config('hnsw.ef_search', '100', true), set_config('hnsw.iterative_scan', 'off', true)`);
    const distance = `embedding::vector(${scaleDimension}) <=> $2::vector(${scaleDimension})`;
    const result = await transaction.query<{ id: string; distance: number }>(
      `SELECT id, ${distance} AS distance FROM chunks WHERE kb_id = $1 AND embedding_dim = ${scaleDimension}
          AND document_id = ANY(ARRAY(SELECT id FROM documents WHERE kb_id = $1 AND tags @> $4::jsonb))
        ORDER BY ${distance} LIMIT $3`,
      [kbId, vectorToSql(vector), resultLimit, JSON.stringify(tags)],
    );
    return result.rows.map((row) => ({ id: String(row.id), distance: Number(row.distance) }));
  });
}

/** The lexical leg in SQL and in process, the hybrid retriever, and POST /search over real HTTP. */
async function latencies(database: Database, kb: { id: string; name: string; embedder: string }, corpus: ScaleCorpus, queries: BenchQuery[]): Promise<string> {
  const embedder: Embedder = {
    id: embedderId,
    dimension: scaleDimension,
    maxBatchSize: 16,
    embedDocuments: async (texts) => texts.map((text) => corpus.projector.vectorOfText(text)),
    embedQuery: async (text) => corpus.projector.vectorOfText(text),
  };
  const rows: string[] = [];
  const record = async (name: string, run: (query: BenchQuery) => Promise<unknown>) => {
    log(name);
    const ms: number[] = [];
    for (const [index, query] of queries.entries()) {
      const took = await timed(() => run(query));
      if (index >= warmupQueries) ms.push(took.ms);
    }
    const { p50, p95 } = percentiles(ms);
    rows.push(`| ${name} | ${p50.toFixed(1)} | ${p95.toFixed(1)} |`);
  };
  await record('lexical leg, BM25 in SQL (searchLexical, limit 50)', (query) =>
    searchLexical(database, { kbId: kb.id, terms: lexicalTerms(query.text), limit: resultLimit }),
  );
  const before = memoryAfterGc();
  const inProcess = createInProcessLexicalSearcher({ database, whileLoading: 'wait' });
  const loading = await timed(() => inProcess.lookup({ kb: { id: kb.id }, terms: ['install'], presence: [], limit: 1 }));
  const after = memoryAfterGc();
  await record('lexical leg, in-process index (limit 50)', (query) => {
    const terms = lexicalTerms(query.text);
    return inProcess.lookup({ kb: { id: kb.id }, terms, presence: terms, limit: resultLimit });
  });
  const sqlRetriever = createHybridRetriever({ database, embedder });
  const inProcessRetriever = createHybridRetriever({ database, embedder, lexical: inProcess });
  await record('hybrid retriever, BM25 in SQL (topK 5)', (query) => sqlRetriever.retrieve({ kb, query: query.text, topK: 5 }));
  await record('hybrid retriever, in-process index (topK 5)', (query) => inProcessRetriever.retrieve({ kb, query: query.text, topK: 5 }));
  await record('hybrid retriever, in-process index, tag filter 1/10 (topK 5)', (query) =>
    inProcessRetriever.retrieve({ kb, query: query.text, topK: 5, filters: { tags: { product: query.product } } }),
  );
  await recordSearchOverHttp(database, embedder, loading.ms, record);
  const megabytes = (bytes: number) => (bytes / 1024 ** 2).toFixed(0);
  return [
    '## Latency, one client, p50 / p95 ms (query embedding included: a projection, well under a millisecond)',
    '',
    '| measure | p50 | p95 |',
    '|---|---|---|',
    ...rows,
    '',
    inProcess.held().length > 0
      ? `The in-process lexical index loaded in ${(loading.ms / 1000).toFixed(1)} s and holds ` +
        `${megabytes(after.heap + after.arrayBuffers - before.heap - before.arrayBuffers)} MB (heap and array buffers after a full GC).`
      : `The in-process lexical index was not loaded: the KB's postings are estimated above its 1 GiB budget, so the rows ` +
        `"in-process" above searched in SQL, as a server would.`,
  ].join('\n');
}

/** `oriole serve`'s composition on this database, served by @hono/node-server on a loopback port. */
async function recordSearchOverHttp(
  database: Database,
  embedder: Embedder,
  indexLoadMs: number,
  record: (name: string, run: (query: BenchQuery) => Promise<unknown>) => Promise<void>,
): Promise<void> {
  const config = loadConfig({ ORIOLE_EMBEDDER: 'none', ORIOLE_LOG_LEVEL: 'silent' });
  const http = createHttpDependencies(
    { corsOrigins: [], requestTimeoutMs: 60_000, trustedProxies: 0, rateLimit: { perMinute: 0, burst: 1 } },
    () => '127.0.0.1',
  );
  const composition = composeNode(config, { database, logger: pino({ level: 'silent' }), models: { embedder, reranker: null } }, { http });
  const server = serve({ fetch: composition.app().fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  const search = async (query: BenchQuery) => {
    const response = await fetch(`http://127.0.0.1:${port}/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kb: kbName, query: query.text, topK: 5 }),
    });
    if (!response.ok) throw new Error(`POST /search answered ${response.status}: ${await response.text()}`);
    return response.json();
  };
  try {
    // The server's own in-process index loads at its first query (SQL answers meanwhile): wait for it.
    await search({ text: 'install', vector: [], product: 'p0', area: '' });
    await new Promise((resolve) => setTimeout(resolve, indexLoadMs * 2 + 5_000));
    await record('POST /search over HTTP (topK 5)', search);
  } finally {
    await new Promise((resolve) => server.close(resolve));
    await composition.stop();
  }
}

function minutes(seconds: number): string {
  return seconds >= 120 ? `${(seconds / 60).toFixed(1)} min` : `${seconds.toFixed(1)} s`;
}

function gigabytes(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(2)} GB` : `${(bytes / 1024 ** 2).toFixed(0)} MB`;
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

if (import.meta.filename === process.argv[1]) {
  const { values } = parseArgs({
    options: {
      scale: { type: 'string', default: '1m' },
      drop: { type: 'boolean', default: false },
      backend: { type: 'string', default: 'postgres' },
      'eval-sets': { type: 'string' },
    },
  });
  if (values.backend !== 'postgres' && values.backend !== 'pglite') throw new Error('--backend is postgres or pglite');
  console.log(
    await benchScale({ chunks: parseScale(values.scale!), evalSetsRoot: givenEvalSetsDirectory(), drop: values.drop!, backend: values.backend }),
  );
}
