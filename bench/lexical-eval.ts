/**
 * Measures the lexical leg on the shared eval sets: chunks each document, indexes the
 * chunks' terms into an in-memory PGlite, runs every case through `searchLexical`, and
 * prints doc-level hit@5 and MRR@5 next to the reference figures, with query latency.
 *
 *   npx tsx bench/lexical-eval.ts --eval-sets DIR                  the chosen configuration
 *   npx tsx bench/lexical-eval.ts --eval-sets DIR --variants       every variant of docs/lexical-retrieval.md
 *   npx tsx bench/lexical-eval.ts --eval-sets DIR --only NAME,…    some variants (names as printed)
 *   TEST_DATABASE_URL=… npx tsx bench/lexical-eval.ts --eval-sets DIR --scale rhdh-docs-ragas:250000
 *                                                  latency on PostgreSQL with the set copied to that many chunks
 *
 * The sets are read at run time from `--eval-sets DIR` (or ORIOLE_EVAL_SETS_DIR) and
 * never copied into the repository (docs/public-eval-sets.md).
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPostgres, quoteIdentifier, searchLexical } from '../src/db/index.ts';
import { bm25Defaults } from '../src/core/index.ts';
import {
  createLexicalTokenizer,
  englishStopwords,
  lexicalTokenizerDefaults,
  type LexicalTokenizerSettings,
} from '../src/retrieval/lexical/index.ts';
import {
  documentsRanked,
  evalSetDirectory,
  goldRank,
  indexSet,
  percentiles,
  readJsonLines,
  sets,
  structureChunkerAvailable,
  type EvalCase,
  type EvalDocument,
  type IndexedSet,
} from './eval-sets.ts';

/** Chunks fetched per query; doubled until they hold `documentsRanked` documents. */
const initialChunkLimit = 50;
/** Questions timed in --scale runs, and copies of the set made per statement there. */
const scaleCases = 100;
const copiesPerStatement = 10;

interface Variant {
  name: string;
  tokenizer: LexicalTokenizerSettings;
  /** Index "title\n\ntext" instead of the text alone. */
  breadcrumb: boolean;
  chunker: 'simple' | 'structure';
  k1: number;
  b: number;
  /** Passed to searchLexical; 1 prunes every query as early as it can (same results, other plan). */
  exhaustivePostings?: number;
}

const chosen: Variant = {
  name: 'chosen',
  tokenizer: lexicalTokenizerDefaults,
  breadcrumb: true,
  chunker: 'simple',
  ...bm25Defaults,
};

/** The interrogatives in `englishStopwords`; without them it is a plain function-word list. */
const englishQuestionWords = new Set([
  'what', 'which', 'who', 'whom', 'how', 'when', 'where', 'why', 'can', 'could', 'should', 'am', 'about',
  'any', 'some', 'our', 'us', 'he', 'she', 'his', 'her', 'here', 'also', 'just',
]);

function variants(): Variant[] {
  const base = chosen;
  const tokenizer = (changes: Partial<LexicalTokenizerSettings>) => ({ ...base.tokenizer, ...changes });
  const list: Variant[] = [
    { ...base, name: 'chosen' },
    { ...base, name: 'no stemming', tokenizer: tokenizer({ stemming: false }) },
    { ...base, name: 'no stopwords', tokenizer: tokenizer({ stopwords: new Set(), spacelessStopwords: [] }) },
    {
      ...base,
      name: 'English stopwords without question words',
      tokenizer: tokenizer({ stopwords: new Set([...englishStopwords].filter((word) => !englishQuestionWords.has(word))) }),
    },
    { ...base, name: 'no Chinese question words', tokenizer: tokenizer({ spacelessStopwords: [] }) },
    { ...base, name: 'Chinese bigrams + characters', tokenizer: tokenizer({ han: 'bigrams-and-characters' }) },
    { ...base, name: 'Chinese Intl.Segmenter words', tokenizer: tokenizer({ han: 'words' }) },
    { ...base, name: 'compounds: parts only', tokenizer: tokenizer({ compounds: 'parts' }) },
    { ...base, name: 'compounds: whole only', tokenizer: tokenizer({ compounds: 'whole' }) },
    { ...base, name: 'no title breadcrumb', breadcrumb: false },
    { ...base, name: 'pruning forced (exhaustivePostings 1)', exhaustivePostings: 1 },
    { ...base, name: 'no pruning (exhaustivePostings ∞)', exhaustivePostings: Number.POSITIVE_INFINITY },
    { ...base, name: 'k1 1.2 b 0.75', k1: 1.2, b: 0.75 },
    { ...base, name: 'k1 0.9 b 0.4 (reference)', k1: 0.9, b: 0.4 },
    { ...base, name: 'k1 1.5 b 0.4', k1: 1.5, b: 0.4 },
    { ...base, name: 'k1 1.2 b 0.2', k1: 1.2, b: 0.2 },
    { ...base, name: 'k1 1.2 b 0.6', k1: 1.2, b: 0.6 },
    { ...base, name: 'k1 0.6 b 0.4', k1: 0.6, b: 0.4 },
  ];
  if (structureChunkerAvailable()) list.push({ ...base, name: 'structure-aware chunker', chunker: 'structure' });
  return list;
}

interface Scores {
  hitAt5: number;
  mrrAt5: number;
  p50: number;
  p95: number;
}

async function evaluate(indexed: IndexedSet, cases: EvalCase[], variant: Variant): Promise<Scores> {
  const tokenize = createLexicalTokenizer(variant.tokenizer);
  let hits = 0;
  let reciprocalRanks = 0;
  const latencies: number[] = [];
  for (const evalCase of cases) {
    const terms = tokenize(evalCase.question);
    let limit = initialChunkLimit;
    let ranked: string[];
    for (;;) {
      const started = performance.now();
      const matches = await searchLexical(indexed.database, {
        kbId: indexed.kbId,
        terms,
        limit,
        k1: variant.k1,
        b: variant.b,
        ...(variant.exhaustivePostings === undefined ? {} : { exhaustivePostings: variant.exhaustivePostings }),
      });
      if (limit === initialChunkLimit) latencies.push(performance.now() - started);
      ranked = [...new Set(matches.map((match) => indexed.documentOf.get(match.documentId)!))];
      if (ranked.length >= documentsRanked || matches.length < limit) break;
      limit *= 2;
    }
    const rank = goldRank(ranked, evalCase.gold_doc_ids);
    if (rank > 0) {
      hits += 1;
      reciprocalRanks += 1 / rank;
    }
  }
  latencies.sort((left, right) => left - right);
  const percentile = (share: number) => latencies[Math.min(latencies.length - 1, Math.floor(share * latencies.length))]!;
  return { hitAt5: hits / cases.length, mrrAt5: reciprocalRanks / cases.length, p50: percentile(0.5), p95: percentile(0.95) };
}

/** Variants that share chunks and terms share one index; only query settings differ. */
function indexKey(variant: Variant): string {
  return JSON.stringify([{ ...variant.tokenizer, stopwords: [...variant.tokenizer.stopwords] }, variant.breadcrumb, variant.chunker]);
}

/**
 * Query latency on a PostgreSQL server at `chunkTarget` chunks: one set indexed as
 * usual, then its documents, chunks and postings copied server-side until the KB
 * holds that many chunks (every term's document frequency grows in proportion).
 * Runs in a schema of its own, dropped at the end.
 */
async function scale(url: string, setName: string, chunkTarget: number): Promise<void> {
  const directory = evalSetDirectory(setName);
  const documents = await readJsonLines<EvalDocument>(path.join(directory, 'docs.jsonl'));
  const cases = (await readJsonLines<EvalCase>(path.join(directory, 'cases.jsonl'))).slice(0, scaleCases);
  const schema = `oriole_lexical_scale_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${quoteIdentifier(schema)}`);
  try {
    const indexed = await indexSet(documents, chosen, async () => openPostgres({ url, schema, maxConnections: 2 }));
    const { database, kbId } = indexed;
    try {
      const baseChunks = indexed.chunkCount;
      const copies = Math.max(0, Math.ceil(chunkTarget / baseChunks) - 1);
      const started = performance.now();
      for (let first = 1; first <= copies; first += copiesPerStatement) {
        const last = Math.min(copies, first + copiesPerStatement - 1);
        await database.transaction(async (transaction) => {
          await transaction.query(
            `INSERT INTO documents (kb_id, source, title, content_type, chunk_count)
             SELECT kb_id, source || '#' || copy, title, content_type, chunk_count
               FROM documents CROSS JOIN generate_series($2::int, $3::int) AS copy
              WHERE kb_id = $1 AND source NOT LIKE '%#%'`,
            [kbId, first, last],
          );
          await transaction.query(
            `INSERT INTO chunks (document_id, kb_id, ordinal, text, token_count, content_hash, term_count)
             SELECT copied.id, c.kb_id, c.ordinal, c.text, c.token_count, c.content_hash, c.term_count
               FROM chunks c
               JOIN documents original ON original.id = c.document_id AND original.source NOT LIKE '%#%'
               JOIN documents copied ON copied.kb_id = $1 AND split_part(copied.source, '#', 1) = original.source
                AND nullif(split_part(copied.source, '#', 2), '')::int BETWEEN $2 AND $3
              WHERE c.kb_id = $1`,
            [kbId, first, last],
          );
          await transaction.query(
            `INSERT INTO chunk_terms (kb_id, term, chunk_id, frequency)
             SELECT $1, t.term, copy.id, t.frequency
               FROM chunk_terms t
               JOIN chunks c ON c.id = t.chunk_id
               JOIN documents original ON original.id = c.document_id AND original.source NOT LIKE '%#%'
               JOIN documents copied ON copied.kb_id = $1 AND split_part(copied.source, '#', 1) = original.source
                AND nullif(split_part(copied.source, '#', 2), '')::int BETWEEN $2 AND $3
               JOIN chunks copy ON copy.document_id = copied.id AND copy.ordinal = c.ordinal
              WHERE t.kb_id = $1`,
            [kbId, first, last],
          );
        });
        process.stderr.write(`\r${setName}: ${((last + 1) * baseChunks).toLocaleString('en')} chunks`);
      }
      await database.query('VACUUM ANALYZE');
      const sizes = await database.query<{ chunks: string; postings: string; size: string }>(
        `SELECT (SELECT count(*) FROM chunks WHERE kb_id = $1) AS chunks,
                (SELECT count(*) FROM chunk_terms WHERE kb_id = $1) AS postings,
                pg_size_pretty(pg_total_relation_size('chunks') + pg_total_relation_size('chunk_terms')) AS size`,
        [kbId],
      );
      const size = sizes.rows[0]!;
      console.error(`\n${setName}: ${size.chunks} chunks, ${size.postings} postings, ${size.size}, copied in ${((performance.now() - started) / 1000).toFixed(0)} s`);

      const tokenize = createLexicalTokenizer(chosen.tokenizer);
      const timings = { pruned: [] as number[], exhaustive: [] as number[], aggregate: [] as number[] };
      const time = async (into: number[], work: () => Promise<unknown>) => {
        const begun = performance.now();
        await work();
        into.push(performance.now() - begun);
      };
      for (const evalCase of cases) {
        const terms = tokenize(evalCase.question);
        await time(timings.pruned, () => searchLexical(database, { kbId, terms, limit: initialChunkLimit }));
        await time(timings.exhaustive, () =>
          searchLexical(database, { kbId, terms, limit: initialChunkLimit, exhaustivePostings: Number.POSITIVE_INFINITY }),
        );
        // What reading N and avgdl would cost without lexical_statistics.
        await time(timings.aggregate, () =>
          database.query('SELECT count(*), avg(term_count) FROM chunks WHERE kb_id = $1', [kbId]),
        );
      }
      const cell = (latencies: number[]) => {
        const { p50, p95 } = percentiles(latencies);
        return `${p50.toFixed(0)} / ${p95.toFixed(0)}`;
      };
      console.log('| set | chunks | postings | searchLexical p50 / p95 (ms) | without pruning | N, avgdl by aggregate |');
      console.log('|---|---|---|---|---|---|');
      console.log(
        `| ${setName} | ${size.chunks} | ${size.postings} | ${cell(timings.pruned)} | ${cell(timings.exhaustive)} | ${cell(timings.aggregate)} |`,
      );
    } finally {
      await database.close();
    }
  } finally {
    if (!process.env.ORIOLE_KEEP_TEST_SCHEMAS) await admin.query(`DROP SCHEMA ${quoteIdentifier(schema)} CASCADE`);
    await admin.end();
  }
}

async function main(): Promise<void> {
  const argumentsGiven = process.argv.slice(2);
  const scaleAt = argumentsGiven.indexOf('--scale');
  if (scaleAt >= 0) {
    const url = process.env.TEST_DATABASE_URL;
    if (!url) throw new Error('--scale runs on the PostgreSQL server named by TEST_DATABASE_URL');
    const [setName, chunks] = (argumentsGiven[scaleAt + 1] ?? '').split(':');
    await scale(url, setName ?? '', Number(chunks));
    return;
  }
  const onlyAt = argumentsGiven.indexOf('--only');
  const only = onlyAt >= 0 ? new Set(argumentsGiven[onlyAt + 1]?.split(',')) : undefined;
  const selected = argumentsGiven.includes('--variants') || only
    ? variants().filter((variant) => !only || only.has(variant.name))
    : [chosen];

  const results = new Map<string, Map<string, Scores>>();
  for (const set of sets) {
    const directory = evalSetDirectory(set.name);
    const documents = await readJsonLines<EvalDocument>(path.join(directory, 'docs.jsonl'));
    const cases = await readJsonLines<EvalCase>(path.join(directory, 'cases.jsonl'));
    const groups = new Map<string, Variant[]>();
    for (const variant of selected) groups.set(indexKey(variant), [...(groups.get(indexKey(variant)) ?? []), variant]);
    for (const group of groups.values()) {
      const indexed = await indexSet(documents, group[0]!);
      console.error(`${set.name}: ${indexed.chunkCount} chunks indexed in ${indexed.indexSeconds.toFixed(1)} s (${group.map((variant) => variant.name).join(', ')})`);
      try {
        for (const variant of group) {
          const scores = await evaluate(indexed, cases, variant);
          results.set(variant.name, (results.get(variant.name) ?? new Map()).set(set.name, scores));
          console.error(`  ${variant.name}: hit@5 ${scores.hitAt5.toFixed(3)} MRR@5 ${scores.mrrAt5.toFixed(3)} p50 ${scores.p50.toFixed(1)} ms p95 ${scores.p95.toFixed(1)} ms`);
        }
      } finally {
        await indexed.database.close();
      }
    }
  }

  const format = (value: number) => value.toFixed(3);
  console.log(`| variant | ${sets.map((set) => `${set.name} hit@5 / MRR@5`).join(' | ')} | latency p50 / p95 (ms) |`);
  console.log(`|---|${sets.map(() => '---|').join('')}---|`);
  console.log(
    `| reference (README) | ${sets.map((set) => `${format(set.reference.hitAt5)} / ${format(set.reference.mrrAt5)}`).join(' | ')} | |`,
  );
  for (const variant of selected) {
    const scores = results.get(variant.name)!;
    const cells = sets.map((set) => {
      const score = scores.get(set.name)!;
      return `${format(score.hitAt5)} / ${format(score.mrrAt5)}`;
    });
    const latency = sets.map((set) => {
      const score = scores.get(set.name)!;
      return `${score.p50.toFixed(1)} / ${score.p95.toFixed(1)}`;
    });
    console.log(`| ${variant.name} | ${cells.join(' | ')} | ${latency.join(' · ')} |`);
  }
}

await main();
