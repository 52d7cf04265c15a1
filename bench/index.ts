import { benchIngest, formatIngestRows } from './ingest.ts';
import { benchRetrieval, formatRetrievalRows } from './retrieval.ts';

/**
 * `npm run bench`: speed figures that live outside the tests. Environment:
 * BENCH_DATABASE_URL adds a PostgreSQL run; BENCH_EMBEDDERS (default "none,use-lite");
 * ORIOLE_EVALSETS points at the shared eval sets (default ../shared/evalsets).
 * Retrieval also runs on PostgreSQL (10k and 100k chunks) when ORIOLE_BENCH_DATABASE_URL
 * or TEST_DATABASE_URL is set.
 */
console.log('## Ingestion (rhdh-docs-ragas)\n');
console.log(formatIngestRows(await benchIngest()));
console.log('\n## Retrieval: the two database legs, limit 50\n');
console.log(formatRetrievalRows(await benchRetrieval()));
