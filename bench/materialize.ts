/**
 * Writes one public eval set in the form `oriole ingest` and `oriole eval` take, so the
 * product can be measured on it end to end (docs/public-eval-sets.md):
 *
 *   npx tsx bench/materialize.ts --eval-sets DIR <set> <out-dir> [--limit N]
 *
 * gives OUT/docs/<id>.md (one Markdown file a document) and OUT/cases.jsonl (the first N
 * cases, `gold_sources` naming those files).
 */
import { parseArgs } from 'node:util';
import { materializeSet } from './eval-sets.ts';

const { values: options, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    // Read by evalSetDirectory (bench/eval-sets.ts); declared so the strict parse accepts it.
    'eval-sets': { type: 'string' },
    limit: { type: 'string' },
  },
});
const [set, out] = positionals;
if (!set || !out || positionals.length > 2) {
  throw new Error('usage: npx tsx bench/materialize.ts --eval-sets DIR <set> <out-dir> [--limit N]');
}
const limit = options.limit === undefined ? Number.POSITIVE_INFINITY : Number(options.limit);
if (!(limit > 0)) throw new Error('--limit takes a positive number');
const written = await materializeSet(set, out, limit);
console.log(`${written.cases} cases, ${written.documents} documents in ${out}/docs`);
