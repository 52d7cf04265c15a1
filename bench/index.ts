import { benchAnswerCache, formatAnswerCacheRows } from './answer-cache.ts';
import { benchIngest, formatIngestRows } from './ingest.ts';
import { benchRetrieval, formatRetrievalRows } from './retrieval.ts';
import { benchScale, parseScale } from './scale.ts';
import { givenEvalSetsDirectory } from './eval-sets.ts';

/**
 * `npm run bench -- --eval-sets DIR`: speed figures that live outside the tests, on the
 * public eval sets in DIR (or ORIOLE_EVAL_SETS_DIR; docs/public-eval-sets.md). Environment:
 * BENCH_DATABASE_URL adds a PostgreSQL run; BENCH_EMBEDDERS (default "none,use-lite:3").
 * Retrieval also runs on PostgreSQL (10k and 100k chunks) when ORIOLE_BENCH_DATABASE_URL
 * or TEST_DATABASE_URL is set.
 *
 * `npm run bench -- --scale 1m --eval-sets DIR [--drop]` runs the large-KB benchmark instead
 * (bench/scale.ts: a million chunks on PostgreSQL; most of an hour).
 */
const scaleAt = process.argv.indexOf('--scale');
if (scaleAt >= 0) {
  const scale = process.argv[scaleAt + 1];
  if (!scale || scale.startsWith('--')) throw new Error('--scale takes a chunk count such as 100k or 1m');
  console.log(
    await benchScale({ chunks: parseScale(scale), evalSetsRoot: givenEvalSetsDirectory(), drop: process.argv.includes('--drop') }),
  );
  process.exit(0);
}
console.log('## Ingestion (rhdh-docs-ragas)\n');
console.log(formatIngestRows(await benchIngest()));
console.log('\n## Retrieval: the two database legs, limit 50\n');
console.log(formatRetrievalRows(await benchRetrieval()));
console.log('\n## Answer cache: the same question again on an unchanged KB (PGlite, sample help center)\n');
console.log(formatAnswerCacheRows(await benchAnswerCache()));
