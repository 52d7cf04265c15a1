/**
 * The answer cache's server time: the sample help center on PGlite (lexical-only), one
 * question asked once (a miss: the whole pipeline) and then repeatedly (hits), through the
 * real app (`app.request`, no socket). Reports the response's own `timings.totalMs`.
 *
 *   npx tsx bench/answer-cache.ts          # also part of `npm run bench`
 */
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../src/core/index.ts';
import { migrate } from '../src/db/index.ts';
import { readMigrationFiles } from '../src/db/migration-files.ts';
import { openPglite } from '../src/db/pglite.ts';
import { composeNode } from '../src/entry/compose.ts';
import { ingestFolder } from '../test/helpers/ingestion.ts';

const repeats = 300;
const questions = ['How do I reset my password?', 'Can I get a refund on an annual plan?', '如何重置密码？'];

export interface AnswerCacheRow {
  question: string;
  firstMs: number;
  cachedP50Ms: number;
  cachedP95Ms: number;
  hits: number;
}

export async function benchAnswerCache(): Promise<AnswerCacheRow[]> {
  const database = await openPglite();
  try {
    await migrate(database, await readMigrationFiles());
    const context = await ingestFolder(database, path.resolve(import.meta.dirname, '../examples/help-center'));
    const config = loadConfig({ ORIOLE_EMBEDDER: 'none', ORIOLE_LOG_LEVEL: 'silent', ORIOLE_RATE_LIMIT_PER_MINUTE: '0' });
    const node = composeNode(config, { database, logger: pino({ level: 'silent' }), models: { embedder: null, reranker: null } }, { ingestContext: context, chatModel: null });
    const app = node.app();
    const ask = async (question: string) => {
      const response = await app.request('/answer', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ question }) });
      const body = (await response.json()) as { cached?: boolean; timings: { totalMs: number } };
      if (response.status !== 200) throw new Error(`POST /answer answered ${response.status}: ${JSON.stringify(body)}`);
      return body;
    };
    const rows: AnswerCacheRow[] = [];
    for (const question of questions) {
      const first = await ask(question);
      const times: number[] = [];
      let hits = 0;
      for (let index = 0; index < repeats; index++) {
        const again = await ask(question);
        times.push(again.timings.totalMs);
        if (again.cached) hits += 1;
      }
      times.sort((left, right) => left - right);
      rows.push({
        question,
        firstMs: first.timings.totalMs,
        cachedP50Ms: times[Math.floor(times.length * 0.5)]!,
        cachedP95Ms: times[Math.floor(times.length * 0.95)]!,
        hits,
      });
    }
    await node.stop();
    return rows;
  } finally {
    await database.close();
  }
}

export function formatAnswerCacheRows(rows: AnswerCacheRow[]): string {
  const lines = [
    `| question | first answer (ms) | repeated: p50 / p95 (ms) | served from the cache |`,
    '|---|---|---|---|',
    ...rows.map((row) => `| ${row.question} | ${row.firstMs.toFixed(1)} | ${row.cachedP50Ms.toFixed(1)} / ${row.cachedP95Ms.toFixed(1)} | ${row.hits} of ${repeats} |`),
  ];
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(formatAnswerCacheRows(await benchAnswerCache()));
