import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { givenEvalSetsDirectory, indexSet, loadSet, sets, type IndexedSet } from '../../bench/eval-sets.ts';
import { searchLexical } from '../../src/db/index.ts';
import { createInProcessLexicalSearcher, lexicalTerms, lexicalTokenizerDefaults } from '../../src/retrieval/index.ts';

/**
 * The public eval sets' questions (docs/public-eval-sets.md), when ORIOLE_EVAL_SETS_DIR
 * names them: the in-process index ranks every question's top 100 chunks exactly as
 * exhaustive BM25 in SQL does. The sets are read at run time, never copied here;
 * without them this file is skipped (the random-KB property test always runs).
 */
const root = givenEvalSetsDirectory([]);
const present = sets.filter((set) => root && existsSync(path.join(root, set.name, 'cases.jsonl')));

// Absent sets still name their (skipped) tests, so a run without them says what it left out.
describe.skipIf(present.length === 0).each(present.length > 0 ? present : sets)('in-process lexical index on the $name questions', (set) => {
  const indexed: IndexedSet[] = [];

  afterAll(async () => {
    await Promise.all(indexed.map((entry) => entry.database.close()));
  });

  it(
    'returns the chunks and scores of exhaustive SQL BM25 for every question',
    async () => {
      const { documents, cases } = await loadSet(set.name);
      const index = await indexSet(documents, { tokenizer: lexicalTokenizerDefaults, breadcrumb: true, chunker: 'simple' });
      indexed.push(index);
      const searcher = createInProcessLexicalSearcher({ database: index.database, whileLoading: 'wait' });
      for (const evalCase of cases) {
        const terms = lexicalTerms(evalCase.question);
        const expected = await searchLexical(index.database, {
          kbId: index.kbId,
          terms,
          limit: 100,
          exhaustivePostings: Number.POSITIVE_INFINITY,
        });
        const { matches } = await searcher.lookup({ kb: { id: index.kbId }, terms, presence: terms, limit: 100 });
        expect(matches.map((match) => match.chunkId), evalCase.question).toEqual(expected.map((match) => match.chunkId));
        matches.forEach((match, at) => expect(Math.abs(match.score - expected[at]!.score), evalCase.question).toBeLessThan(1e-8));
      }
    },
    600_000,
  );
});
