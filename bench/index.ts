import { benchIngest, formatIngestRows } from './ingest.ts';

/**
 * `npm run bench`: speed figures that live outside the tests. Environment:
 * BENCH_DATABASE_URL adds a PostgreSQL run; BENCH_EMBEDDERS (default "none,use-lite");
 * ORIOLE_EVALSETS points at the shared eval sets (default ../shared/evalsets).
 */
console.log('## Ingestion (rhdh-docs-ragas)\n');
console.log(formatIngestRows(await benchIngest()));
