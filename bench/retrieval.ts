/**
 * Retrieval latency of the two database legs at 10k and 100k chunks: searchLexical
 * (limit 50), nearestChunks (limit 50), nearestChunks with a sources filter, and
 * both legs at once (Promise.all), as one query of the answer path runs them.
 *
 * The KB is the rhdh-docs-ragas guides (read at run time from `--eval-sets DIR` or
 * ORIOLE_EVAL_SETS_DIR; docs/public-eval-sets.md), cut into ~800-character chunks and
 * copied server-side until the KB holds the target count, so every term's document
 * frequency grows in proportion; when no eval sets are given, generated text with a
 * Zipfian vocabulary stands in. Vectors are
 * random unit 384-d vectors (latency only: HNSW does the same work whatever they mean).
 *
 * PostgreSQL when ORIOLE_BENCH_DATABASE_URL, BENCH_DATABASE_URL or TEST_DATABASE_URL
 * is set (10k and 100k, in a schema dropped afterwards); embedded PGlite at 10k always.
 *   npx tsx bench/retrieval.ts [--eval-sets DIR]      or as part of `npm run bench`
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import {
  createKnowledgeBase,
  migrate,
  nearestChunks,
  openPostgres,
  quoteIdentifier,
  searchLexical,
  writeChunkTerms,
  type Database,
} from '../src/db/index.ts';
import { readMigrationFiles } from '../src/db/migration-files.ts';
import { openPglite } from '../src/db/pglite.ts';
import type { Embedder } from '../src/core/index.ts';
import { evalSetDirectory, givenEvalSetsDirectory, percentiles, readJsonLines, simpleChunks } from './eval-sets.ts';
import { createHybridRetriever, createInProcessLexicalSearcher, type LexicalSearcher } from '../src/retrieval/index.ts';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { lexicalTerms, termFrequencies } from '../src/retrieval/lexical/index.ts';
import { seededRandom } from '../src/core/seeded-random.ts';

const postgresUrl = process.env.ORIOLE_BENCH_DATABASE_URL ?? process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
const dimension = 384;
const resultLimit = 50;
const timedQueries = 100;
const warmupQueries = 10;
/** Copies of the base corpus made per INSERT … SELECT while growing the KB. */
const copiesPerStatement = 8;

interface BaseDocument {
  source: string;
  title: string;
  chunks: string[];
}

interface Corpus {
  name: string;
  documents: BaseDocument[];
  questions: string[];
}

export interface RetrievalRow {
  backend: string;
  corpus: string;
  chunks: number;
  postings: number;
  measure: string;
  p50: number;
  p95: number;
}

export async function benchRetrieval(): Promise<RetrievalRow[]> {
  const corpus = await loadCorpus();
  const rows: RetrievalRow[] = [];
  // ORIOLE_BENCH_CHUNKS=10000 (comma-separated sizes) and ORIOLE_BENCH_BACKENDS=postgres narrow a run while iterating.
  const sizes = (process.env.ORIOLE_BENCH_CHUNKS ?? '').split(',').filter(Boolean).map(Number);
  const backends = (process.env.ORIOLE_BENCH_BACKENDS ?? 'pglite,postgres').split(',');
  if (backends.includes('pglite')) rows.push(...(await benchBackend('pglite', corpus, sizes.length > 0 ? sizes : [10_000])));
  if (postgresUrl && backends.includes('postgres')) {
    rows.push(...(await benchBackend('postgres', corpus, sizes.length > 0 ? sizes : [10_000, 100_000])));
  }
  return rows;
}

async function benchBackend(backend: 'pglite' | 'postgres', corpus: Corpus, targets: number[]): Promise<RetrievalRow[]> {
  const { database, cleanup } = await openBenchDatabase(backend);
  const rows: RetrievalRow[] = [];
  try {
    const kb = await createKnowledgeBase(database, { name: 'bench', embedder: `bench:${dimension}` });
    const baseChunks = await loadBase(database, kb.id, corpus.documents);
    await database.query('ANALYZE');
    log(`${backend}: base corpus of ${baseChunks} chunks loaded`);
    for (const target of targets) {
      const started = performance.now();
      await database.query('DROP INDEX IF EXISTS chunks_embedding_384_idx');
      await growTo(database, kb.id, baseChunks, target);
      await buildVectorIndex(database, backend);
      await database.query('VACUUM ANALYZE');
      const size = await database.query<{ chunks: string; postings: string }>(
        `SELECT (SELECT count(*) FROM chunks WHERE kb_id = $1) AS chunks, (SELECT count(*) FROM chunk_terms WHERE kb_id = $1) AS postings`,
        [kb.id],
      );
      const chunks = Number(size.rows[0]!.chunks);
      const postings = Number(size.rows[0]!.postings);
      log(`${backend}: ${chunks} chunks, ${postings} postings, built in ${((performance.now() - started) / 1000).toFixed(0)} s`);
      const timings = await timeQueries(database, kb.id, corpus);
      const inProcess = await loadInProcessIndex(database, kb.id, backend, chunks);
      Object.assign(timings, inProcess.timings);
      Object.assign(timings, await timeInProcessQueries(inProcess.searcher, kb.id, corpus));
      Object.assign(timings, await timeRetriever(database, { id: kb.id, name: kb.name, embedder: kb.embedder }, corpus, inProcess.searcher));
      for (const [measure, latencies] of Object.entries(timings)) {
        rows.push({ backend, corpus: corpus.name, chunks, postings, measure, ...percentiles(latencies) });
      }
    }
  } finally {
    await cleanup();
  }
  return rows;
}

/** The base corpus, indexed the way ingestion does (title breadcrumb + text), with random vectors. */
async function loadBase(database: Database, kbId: string, documents: BaseDocument[]): Promise<number> {
  let chunkCount = 0;
  for (const document of documents) {
    await database.transaction(async (transaction) => {
      const inserted = await transaction.query<{ id: string }>(
        `INSERT INTO documents (kb_id, source, title, content_type, chunk_count) VALUES ($1, $2, $3, 'text/markdown', $4) RETURNING id`,
        [kbId, document.source, document.title, document.chunks.length],
      );
      const chunks = await transaction.query<{ id: string; ordinal: number }>(
        `INSERT INTO chunks (document_id, kb_id, ordinal, text, token_count, content_hash, embedding, embedding_dim)
         SELECT $1, $2, ordinal - 1, text, 0, md5(text), ${randomUnitVector('ordinal')}, ${dimension}
           FROM unnest($3::text[]) WITH ORDINALITY AS input(text, ordinal)
         RETURNING id, ordinal`,
        [inserted.rows[0]!.id, kbId, document.chunks],
      );
      await writeChunkTerms(
        transaction,
        kbId,
        chunks.rows.map((row) => ({
          chunkId: String(row.id),
          terms: termFrequencies(`${document.title}\n\n${document.chunks[row.ordinal]!}`),
        })),
      );
    });
    chunkCount += document.chunks.length;
  }
  return chunkCount;
}

/**
 * A random unit vector per row, in SQL so 100k of them never cross the wire. The
 * reference to `seedColumn` makes the subquery correlated, so it runs once per row.
 */
function randomUnitVector(seedColumn: string): string {
  return `l2_normalize(ARRAY(SELECT random() - 0.5 FROM generate_series(1, ${dimension}) WHERE ${seedColumn} IS NOT NULL)::vector(${dimension}))`;
}

/** Copies the base documents (source `…#n`), chunks and postings until the KB holds `target` chunks. */
async function growTo(database: Database, kbId: string, baseChunks: number, target: number): Promise<void> {
  const existing = await database.query<{ copies: string }>(
    `SELECT count(*) FILTER (WHERE source LIKE '%#%') / greatest(count(*) FILTER (WHERE source NOT LIKE '%#%'), 1) AS copies
       FROM documents WHERE kb_id = $1`,
    [kbId],
  );
  const copies = Math.max(0, Math.ceil(target / baseChunks) - 1);
  for (let first = Number(existing.rows[0]!.copies) + 1; first <= copies; first += copiesPerStatement) {
    const last = Math.min(copies, first + copiesPerStatement - 1);
    await database.transaction(async (transaction) => {
      const copyOf = `JOIN generate_series($2::int, $3::int) AS copy ON true
         JOIN documents copied ON copied.kb_id = $1 AND copied.source = original.source || '#' || copy`;
      await transaction.query(
        `INSERT INTO documents (kb_id, source, title, content_type, chunk_count)
         SELECT kb_id, source || '#' || copy, title, content_type, chunk_count
           FROM documents CROSS JOIN generate_series($2::int, $3::int) AS copy
          WHERE kb_id = $1 AND source NOT LIKE '%#%'`,
        [kbId, first, last],
      );
      await transaction.query(
        `INSERT INTO chunks (document_id, kb_id, ordinal, text, token_count, content_hash, term_count, embedding, embedding_dim)
         SELECT copied.id, c.kb_id, c.ordinal, c.text, c.token_count, c.content_hash, c.term_count,
                ${randomUnitVector('copied.id')}, ${dimension}
           FROM documents original ${copyOf}
           JOIN chunks c ON c.document_id = original.id
          WHERE original.kb_id = $1 AND original.source NOT LIKE '%#%'`,
        [kbId, first, last],
      );
      await transaction.query(
        `INSERT INTO chunk_terms (kb_id, term, chunk_id, frequency, impact)
         SELECT t.kb_id, t.term, chunk_copy.id, t.frequency, t.impact
           FROM documents original ${copyOf}
           JOIN chunks c ON c.document_id = original.id
           JOIN chunks chunk_copy ON chunk_copy.document_id = copied.id AND chunk_copy.ordinal = c.ordinal
           JOIN chunk_terms t ON t.chunk_id = c.id
          WHERE original.kb_id = $1 AND original.source NOT LIKE '%#%'`,
        [kbId, first, last],
      );
    });
    process.stderr.write(`\r  ${((last + 1) * baseChunks).toLocaleString('en')} chunks`);
    if (first === 1) await database.query('ANALYZE');
  }
  process.stderr.write('\n');
}

/** The HNSW index of migration 001, built once after loading (much faster than row by row). */
async function buildVectorIndex(database: Database, backend: string): Promise<void> {
  await database.transaction(async (transaction) => {
    if (backend === 'postgres') await transaction.query(`SET LOCAL maintenance_work_mem = '1GB'`);
    await transaction.query(
      `CREATE INDEX chunks_embedding_384_idx ON chunks
         USING hnsw ((embedding::vector(384)) vector_cosine_ops) WHERE embedding_dim = 384`,
    );
  });
}

async function timeQueries(database: Database, kbId: string, corpus: Corpus): Promise<Record<string, number[]>> {
  const baseSources = corpus.documents.map((document) => document.source);
  const copies = await database.query<{ source: string; chunk_count: number }>(
    `SELECT source, chunk_count FROM documents WHERE kb_id = $1`,
    [kbId],
  );
  const sourcesOf = new Map<string, string[]>();
  const chunksOf = new Map<string, number>();
  for (const { source, chunk_count: chunkCount } of copies.rows) {
    const base = source.split('#')[0]!;
    sourcesOf.set(base, [...(sourcesOf.get(base) ?? []), source]);
    chunksOf.set(base, (chunksOf.get(base) ?? 0) + chunkCount);
  }
  const random = seededRandom(7);
  const queries = Array.from({ length: warmupQueries + timedQueries }, (_, index) => {
    // One base document and all its copies: a "product area" filter of ~1/28 of the chunks.
    const base = baseSources[Math.floor(random() * baseSources.length)]!;
    return {
      terms: lexicalTerms(corpus.questions[index % corpus.questions.length]!),
      vector: unitVector(random),
      sources: sourcesOf.get(base) ?? [],
      filteredRows: Math.min(resultLimit, chunksOf.get(base) ?? 0),
    };
  });
  const timings = {
    'searchLexical (limit 50)': [] as number[],
    'searchLexical, impact path forced': [] as number[],
    'nearestChunks (limit 50)': [] as number[],
    'nearestChunks, sources filter': [] as number[],
    'both legs concurrently': [] as number[],
  };
  const lexical = (query: (typeof queries)[number]) => searchLexical(database, { kbId, terms: query.terms, limit: resultLimit });
  const vector = (query: (typeof queries)[number], filtered: boolean) =>
    nearestChunks(database, {
      kbId,
      vector: query.vector,
      limit: resultLimit,
      ...(filtered ? { filters: { sources: query.sources } } : {}),
    });
  for (const [index, query] of queries.entries()) {
    const record = index >= warmupQueries;
    const time = async (into: number[], work: () => Promise<unknown>) => {
      const started = performance.now();
      await work();
      if (record) into.push(performance.now() - started);
    };
    await time(timings['searchLexical (limit 50)'], () => lexical(query));
    await time(timings['searchLexical, impact path forced'], () =>
      searchLexical(database, { kbId, terms: query.terms, limit: resultLimit, exhaustivePostings: 1 }),
    );
    await time(timings['nearestChunks (limit 50)'], () => vector(query, false));
    await time(timings['nearestChunks, sources filter'], async () => {
      const found = await vector(query, true);
      if (found.length < query.filteredRows) {
        throw new Error(`a filtered vector search returned ${found.length} of ${query.filteredRows} rows`);
      }
    });
    await time(timings['both legs concurrently'], () => Promise.all([lexical(query), vector(query, false)]));
  }
  return timings;
}

/**
 * The product's retriever end to end, as /search and /answer run it (topK 5): both legs,
 * the lexical reranking of 50 candidates, fusion, diversity and passage loading. The
 * query vector comes from a stand-in embedder returning random unit vectors, as the
 * stored ones are: this measures the database and ranking work, not a model.
 */
async function timeRetriever(
  database: Database,
  kb: { id: string; name: string; embedder: string },
  corpus: Corpus,
  lexical: LexicalSearcher,
): Promise<Record<string, number[]>> {
  const random = seededRandom(11);
  const randomVectors: Embedder = {
    id: kb.embedder,
    dimension,
    maxBatchSize: 1,
    embedDocuments: async (texts) => texts.map(() => unitVector(random)),
    embedQuery: async () => unitVector(random),
  };
  const variants = {
    'retriever, lexical only (topK 5)': createHybridRetriever({ database, embedder: null }),
    'retriever, hybrid (topK 5)': createHybridRetriever({ database, embedder: randomVectors }),
    'retriever, lexical only, in-process index (topK 5)': createHybridRetriever({ database, embedder: null, lexical }),
    'retriever, hybrid, in-process index (topK 5)': createHybridRetriever({ database, embedder: randomVectors, lexical }),
  };
  const timings: Record<string, number[]> = {};
  for (const [name, retriever] of Object.entries(variants)) {
    timings[name] = [];
    for (let index = 0; index < warmupQueries + timedQueries; index += 1) {
      const started = performance.now();
      await retriever.retrieve({ kb, query: corpus.questions[index % corpus.questions.length]!, topK: 5 });
      if (index >= warmupQueries) timings[name].push(performance.now() - started);
    }
  }
  return timings;
}

/**
 * The in-process index of the KB (src/retrieval/lexical-searcher.ts): its first load,
 * the memory it takes (heap and array buffers after a full GC, and its own estimate),
 * and a patch after one document changes, the work a version bump costs.
 */
async function loadInProcessIndex(
  database: Database,
  kbId: string,
  backend: string,
  chunks: number,
): Promise<{ searcher: ReturnType<typeof createInProcessLexicalSearcher>; timings: Record<string, number[]> }> {
  const before = memoryAfterGc();
  const searcher = createInProcessLexicalSearcher({ database, whileLoading: 'wait' });
  const loadStarted = performance.now();
  await searcher.lookup({ kb: { id: kbId }, terms: ['install'], presence: [], limit: 1 });
  const loadMs = performance.now() - loadStarted;
  const after = memoryAfterGc();
  const [held] = searcher.held();
  const megabytes = (bytes: number) => (bytes / 1024 ** 2).toFixed(1);
  log(
    `${backend}: in-process index of ${chunks} chunks loaded in ${loadMs.toFixed(0)} ms; ` +
      `heap +${megabytes(after.heap - before.heap)} MB, array buffers +${megabytes(after.arrayBuffers - before.arrayBuffers)} MB, ` +
      `estimated ${megabytes(held?.bytes ?? 0)} MB`,
  );
  // One document rewritten (its chunks get new ids), then the version bumped, as ingestion does.
  const patches: number[] = [];
  for (let round = 0; round < 5; round++) {
    await database.transaction(async (transaction) => {
      const document = await transaction.query<{ id: string }>(
        `SELECT document_id AS id FROM chunks WHERE kb_id = $1 ORDER BY id DESC LIMIT 1`,
        [kbId],
      );
      await transaction.query(
        `WITH moved AS (
           INSERT INTO chunks (document_id, kb_id, ordinal, text, token_count, content_hash, term_count)
           SELECT document_id, kb_id, ordinal + 100000, text, token_count, content_hash, term_count FROM chunks WHERE document_id = $1
           RETURNING id, ordinal
         )
         INSERT INTO chunk_terms (kb_id, term, chunk_id, frequency, impact)
         SELECT t.kb_id, t.term, moved.id, t.frequency, t.impact
           FROM moved JOIN chunks old ON old.document_id = $1 AND old.ordinal = moved.ordinal - 100000
           JOIN chunk_terms t ON t.chunk_id = old.id`,
        [document.rows[0]!.id],
      );
      await transaction.query(`DELETE FROM chunks WHERE document_id = $1 AND ordinal < 100000`, [document.rows[0]!.id]);
      await transaction.query(`UPDATE chunks SET ordinal = ordinal - 100000 WHERE document_id = $1`, [document.rows[0]!.id]);
      await transaction.query(`UPDATE knowledge_bases SET version = version + 1 WHERE id = $1`, [kbId]);
    });
    const started = performance.now();
    await searcher.lookup({ kb: { id: kbId }, terms: ['install'], presence: [], limit: 1 });
    patches.push(performance.now() - started);
  }
  return {
    searcher,
    timings: {
      'in-process index: first load (one run)': [loadMs],
      'in-process index: patch after one document changed': patches,
      [`in-process index: memory, MB (estimated; heap + buffers measured ${megabytes(after.heap + after.arrayBuffers - before.heap - before.arrayBuffers)})`]: [
        (held?.bytes ?? 0) / 1024 ** 2,
      ],
    },
  };
}

/** Heap and array-buffer bytes after two full collections (the benches' memory figures). */
export function memoryAfterGc(): { heap: number; arrayBuffers: number } {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed, arrayBuffers: usage.arrayBuffers };
}

/** The lexical leg alone from the in-process index, as searchLexical is timed above (limit 50). */
async function timeInProcessQueries(searcher: LexicalSearcher, kbId: string, corpus: Corpus): Promise<Record<string, number[]>> {
  const timings: number[] = [];
  for (let index = 0; index < warmupQueries + timedQueries; index += 1) {
    const terms = lexicalTerms(corpus.questions[index % corpus.questions.length]!);
    const started = performance.now();
    await searcher.lookup({ kb: { id: kbId }, terms, presence: terms, limit: resultLimit });
    if (index >= warmupQueries) timings.push(performance.now() - started);
  }
  return { 'in-process lexical lookup (limit 50, version read included)': timings };
}

async function openBenchDatabase(backend: string): Promise<{ database: Database; cleanup: () => Promise<void> }> {
  if (backend === 'pglite') {
    const database = await openPglite();
    await migrate(database, await readMigrationFiles());
    return { database, cleanup: () => database.close() };
  }
  const schema = `oriole_bench_retrieval_${randomBytes(4).toString('hex')}`;
  const admin = openPostgres({ url: postgresUrl!, maxConnections: 1 });
  await admin.query('CREATE EXTENSION IF NOT EXISTS vector');
  await admin.query(`CREATE SCHEMA ${quoteIdentifier(schema)}`);
  const database = openPostgres({ url: postgresUrl!, schema, maxConnections: 4 });
  try {
    await migrate(database, await readMigrationFiles());
  } catch (error) {
    await database.close();
    await admin.query(`DROP SCHEMA ${quoteIdentifier(schema)} CASCADE`);
    await admin.close();
    throw error;
  }
  return {
    database,
    cleanup: async () => {
      await database.close();
      // ORIOLE_BENCH_KEEP=1 leaves the schema for EXPLAIN ANALYZE by hand.
      if (process.env.ORIOLE_BENCH_KEEP) log(`kept schema ${schema}`);
      else await admin.query(`DROP SCHEMA ${quoteIdentifier(schema)} CASCADE`);
      await admin.close();
    },
  };
}

async function loadCorpus(): Promise<Corpus> {
  const root = givenEvalSetsDirectory();
  if (!root) {
    log('no eval sets given (--eval-sets DIR or ORIOLE_EVAL_SETS_DIR): generated text with a Zipfian vocabulary');
    return generatedCorpus();
  }
  const directory = evalSetDirectory('rhdh-docs-ragas', root);
  const documents = await readJsonLines<{ id: string; title: string; text: string }>(path.join(directory, 'docs.jsonl'));
  const cases = await readJsonLines<{ question: string }>(path.join(directory, 'cases.jsonl'));
  return {
    name: 'rhdh-docs-ragas',
    documents: documents.map((document) => ({ source: document.id, title: document.title, chunks: simpleChunks(document.text) })),
    questions: cases.map((evalCase) => evalCase.question),
  };
}

/** 30 documents of 50 chunks of ~120 words drawn from a Zipfian (s = 1.1) vocabulary of 20,000 words. */
function generatedCorpus(): Corpus {
  const random = seededRandom(11);
  const vocabulary = Array.from({ length: 20_000 }, (_, rank) => `w${rank.toString(36)}x`);
  const weights = vocabulary.map((_, rank) => 1 / (rank + 1) ** 1.1);
  const cumulative: number[] = [];
  weights.reduce((sum, weight, index) => (cumulative[index] = sum + weight), 0);
  const total = cumulative.at(-1)!;
  const word = () => {
    const target = random() * total;
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (cumulative[middle]! < target) low = middle + 1;
      else high = middle;
    }
    return vocabulary[low]!;
  };
  const sentence = (words: number) => Array.from({ length: words }, word).join(' ');
  const documents = Array.from({ length: 30 }, (_, index) => ({
    source: `generated-${index}.md`,
    title: sentence(4),
    chunks: Array.from({ length: 50 }, () => sentence(120)),
  }));
  return { name: 'generated (Zipfian)', documents, questions: Array.from({ length: 200 }, () => sentence(8)) };
}

function unitVector(random: () => number): number[] {
  const vector = Array.from({ length: dimension }, () => random() - 0.5);
  const norm = Math.hypot(...vector);
  return vector.map((value) => value / norm);
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

export function formatRetrievalRows(rows: RetrievalRow[]): string {
  const header = '| backend | corpus | chunks | postings | measure | p50 (ms) | p95 (ms) |';
  const lines = rows.map(
    (row) =>
      `| ${row.backend} | ${row.corpus} | ${row.chunks} | ${row.postings} | ${row.measure} | ${row.p50.toFixed(1)} | ${row.p95.toFixed(1)} |`,
  );
  return [header, '|---|---|---|---|---|---|---|', ...lines].join('\n');
}

if (import.meta.filename === process.argv[1]) console.log(formatRetrievalRows(await benchRetrieval()));
