import { benchAnswerCache, formatAnswerCacheRows } from './answer-cache.ts';
import { benchIngest, formatIngestRows } from './ingest.ts';
import { benchRetrieval, formatRetrievalRows } from './retrieval.ts';

/**
 * `npm run bench -- --eval-sets DIR`: speed figures that live outside the tests, on the
 * public eval sets in DIR (or ORIOLE_EVAL_SETS_DIR; docs/public-eval-sets.md). Environment:
 * BENCH_DATABASE_URL adds a PostgreSQL run; BENCH_EMBEDDERS (default "none,use-lite:3").
 * Retrieval also runs on PostgreSQL (10k and 100k chunks) when ORIOLE_BENCH_DATABASE_URL
 * or TEST_DATABASE_URL is set.
 */
console.log('## Ingestion (rhdh-docs-ragas)\n');
console.log(formatIngestRows(await benchIngest()));
console.log('\n## Retrieval: the two database legs, limit 50\n');
console.log(formatRetrievalRows(await benchRetrieval()));
console.log('\n## Answer cache: the same question again on an unchanged KB (PGlite, sample help center)\n');
console.log(formatAnswerCacheRows(await benchAnswerCache()));
