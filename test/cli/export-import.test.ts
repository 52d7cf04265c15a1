import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliTargets, oriole, withCliDatabase, type CliTarget } from '../helpers/cli.ts';

/**
 * Moving a knowledge base out of the embedded store: `oriole export` on PGlite (always: it
 * is the store people move from), then `oriole import` into a fresh database of each
 * selected backend (PostgreSQL in CI's second half). The copy answers the same, with the
 * same scores and the same lexical statistics.
 */
describe.each(cliTargets('oriole_import'))('oriole export from PGlite, oriole import into $name', (target: CliTarget) => {
  let from: Record<string, string>;
  let into: Record<string, string>;
  let folder: string;
  let file: string;
  const query = ['search', 'how do I get a refund for an annual plan', '--kb', 'help'];

  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'oriole-export-'));
    from = { ORIOLE_DATA_DIR: path.join(folder, 'embedded'), ORIOLE_EMBEDDER: 'none' };
    into = { ...(await target.setUp()), ORIOLE_EMBEDDER: 'none' };
    file = path.join(folder, 'help.jsonl');
    const ingested = await oriole(['ingest', 'examples/help-center/billing', 'examples/help-center/account', '--kb', 'help'], from, 180_000);
    expect(ingested.code).toBe(0);
    expect((await oriole(['kb', 'settings', 'help', '--set', 'topK=4'], from)).code).toBe(0);
  }, 240_000);
  afterAll(async () => {
    await target.tearDown();
    await rm(folder, { recursive: true, force: true });
  });

  it('copies every row: the same search results and scores, the same lexical statistics', async () => {
    const exported = await oriole(['export', file], from);
    expect(exported.stderr).toBe('');
    expect(exported.stdout).toMatch(/^Exported \d+ rows \(1 knowledge bases, \d+ documents, \d+ chunks\) to .*help\.jsonl \(schema \d+_\w+\)\.\n$/);
    const imported = await oriole(['import', file], into);
    expect(imported.stderr).toBe('');
    expect(imported.stdout).toContain('Imported');
    const [before, after] = [await oriole(query, from), await oriole(query, into)];
    expect(after.stdout).toBe(before.stdout);
    expect(after.stdout).toContain('refund-policy.md › Annual plans');
    const statistics = (environment: Record<string, string>) =>
      withCliDatabase(environment, async (database) => ({
        totals: (await database.query(`SELECT chunk_count, term_total FROM lexical_statistics`)).rows,
        terms: (await database.query(`SELECT term, document_frequency FROM lexical_terms ORDER BY term`)).rows,
        settings: (await database.query(`SELECT name, settings FROM knowledge_bases`)).rows,
      }));
    expect(await statistics(into)).toEqual(await statistics(from));
  });

  it('refuses to import into a database that holds data, and keeps it as it was', async () => {
    const again = await oriole(['import', file], into);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('This database already holds data (table ');
    expect((await oriole(query, into)).stdout).toContain('refund-policy.md › Annual plans');
  });

  it('refuses a cut-off export and writes nothing', async () => {
    const cut = path.join(folder, 'cut.jsonl');
    const lines = (await readFile(file, 'utf8')).split('\n');
    await writeFile(cut, lines.slice(0, Math.floor(lines.length / 2)).join('\n'));
    const empty = { ORIOLE_DATA_DIR: path.join(folder, 'empty'), ORIOLE_EMBEDDER: 'none' };
    const refused = await oriole(['import', cut], empty);
    // 2: a bad input file, as for any invalid_request.
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/The export is incomplete: \w+ should have \d+ rows, it has \d+/);
    const count = await withCliDatabase(empty, async (database) => (await database.query<{ count: string }>(`SELECT count(*)::text AS count FROM documents`)).rows[0]!.count);
    expect(count).toBe('0');
  });
});
