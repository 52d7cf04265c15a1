import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bumpKnowledgeBaseVersion,
  createKnowledgeBase,
  deleteDocumentsByIds,
  searchLexical,
  writeChunkTerms,
  type Database,
  type LexicalFilters,
  type LexicalMatch,
  type SqlExecutor,
} from '../../src/db/index.ts';
import { createInProcessLexicalSearcher, sqlLexicalSearcher } from '../../src/retrieval/index.ts';
import { openMigrated, testBackends, uniqueName } from '../helpers/databases.ts';
import { seededRandom } from '../../src/core/seeded-random.ts';

interface RandomDocument {
  source: string;
  tags: Record<string, string>;
  chunks: Map<string, number>[];
}

/** Documents of chunks drawn from a skewed vocabulary, with duplicated chunks (exact ties) and empty ones. */
function randomDocuments(random: () => number, count: number, prefix: string): RandomDocument[] {
  const vocabulary = Array.from({ length: 5 + Math.floor(random() * 60) }, (_, rank) => `t${rank}`);
  const word = () => vocabulary[Math.floor(vocabulary.length * random() ** 2)]!;
  return Array.from({ length: count }, (_, index) => {
    const chunks: Map<string, number>[] = [];
    for (let chunk = 0; chunk < 1 + Math.floor(random() * 5); chunk++) {
      if (chunks.length > 0 && random() < 0.15) {
        chunks.push(new Map(chunks[0]!)); // a duplicated passage: ties broken by chunk id
        continue;
      }
      const terms = new Map<string, number>();
      const length = random() < 0.05 ? 0 : 1 + Math.floor(random() * 30);
      for (let at = 0; at < length; at++) {
        const term = word();
        terms.set(term, (terms.get(term) ?? 0) + 1);
      }
      chunks.push(terms);
    }
    return {
      source: `${prefix}-${index}.md`,
      tags: (random() < 0.5 ? { team: random() < 0.5 ? 'a' : 'b' } : {}) as Record<string, string>,
      chunks,
    };
  });
}

async function storeDocuments(database: Database, kbId: string, documents: RandomDocument[]): Promise<string[]> {
  return database.transaction(async (transaction) => {
    const ids: string[] = [];
    for (const document of documents) ids.push(await storeDocument(transaction, kbId, document));
    await bumpKnowledgeBaseVersion(transaction, kbId);
    return ids;
  });
}

async function storeDocument(executor: SqlExecutor, kbId: string, document: RandomDocument): Promise<string> {
  const inserted = await executor.query<{ id: string }>(
    `INSERT INTO documents (kb_id, source, content_type, content_hash, tags, chunk_count)
     VALUES ($1, $2, 'text/markdown', md5($2), $3, $4) RETURNING id`,
    [kbId, document.source, JSON.stringify(document.tags), document.chunks.length],
  );
  const documentId = inserted.rows[0]!.id;
  const chunkIds: string[] = [];
  for (const ordinal of document.chunks.keys()) {
    const chunk = await executor.query<{ id: string }>(
      `INSERT INTO chunks (document_id, kb_id, ordinal, text, token_count, content_hash) VALUES ($1, $2, $3::int, 'x', 1, md5($3::text)) RETURNING id`,
      [documentId, kbId, ordinal],
    );
    chunkIds.push(String(chunk.rows[0]!.id));
  }
  await writeChunkTerms(
    executor,
    kbId,
    chunkIds.map((chunkId, ordinal) => ({ chunkId, terms: document.chunks[ordinal]! })),
  );
  return documentId;
}

function randomFilters(random: () => number, documentIds: string[], sources: string[]): LexicalFilters | undefined {
  const choice = random();
  const some = <T>(values: T[]) => values.filter(() => random() < 0.4);
  if (choice < 0.4) return undefined;
  if (choice < 0.55) return { documentIds: some(documentIds) };
  if (choice < 0.7) return { sources: some(sources) };
  if (choice < 0.85) return { tags: { team: random() < 0.5 ? 'a' : 'b' } };
  return { sources: some(sources), tags: { team: 'a' }, documentIds: some(documentIds) };
}

function expectSameRanking(found: LexicalMatch[], expected: LexicalMatch[], context: string): void {
  expect(found.map((match) => [match.chunkId, match.documentId]), context).toEqual(expected.map((match) => [match.chunkId, match.documentId]));
  found.forEach((match, at) => expect(Math.abs(match.score - expected[at]!.score), context).toBeLessThan(1e-8));
}

describe.each(testBackends())('in-process lexical index ($name)', (backend) => {
  let database: Database;

  beforeAll(async () => {
    database = await openMigrated(backend);
  }, 120_000);

  afterAll(async () => {
    await backend.cleanup();
  });

  it(
    'returns the chunks and scores of exact SQL BM25 on random KBs and filters, before and after documents are added and deleted',
    async () => {
      for (let seed = 1; seed <= 12; seed++) {
        const random = seededRandom(seed);
        const kb = await createKnowledgeBase(database, { name: uniqueName('random'), embedder: 'none' });
        const searcher = createInProcessLexicalSearcher({ database, whileLoading: 'wait' });
        const documents = randomDocuments(random, 3 + Math.floor(random() * 10), 'first');
        let documentIds = await storeDocuments(database, kb.id, documents);
        let sources = documents.map((document) => document.source);

        const compare = async (round: string) => {
          for (let query = 0; query < 15; query++) {
            const terms = Array.from({ length: 1 + Math.floor(random() * 6) }, () => `t${Math.floor(random() * 70)}`);
            const limit = 1 + Math.floor(random() * 25);
            const filters = randomFilters(random, documentIds, sources);
            const context = `seed ${seed}, ${round}, query ${query}: ${terms.join(' ')} limit ${limit} filters ${JSON.stringify(filters)}`;
            const expected = await searchLexical(database, {
              kbId: kb.id,
              terms,
              limit,
              exhaustivePostings: Number.POSITIVE_INFINITY,
              ...(filters ? { filters } : {}),
            });
            const found = await searcher.lookup({ kb: { id: kb.id }, terms, presence: terms, limit, ...(filters ? { filters } : {}) });
            expectSameRanking(found.matches, expected, context);
            const sql = await sqlLexicalSearcher(database).lookup({ kb: { id: kb.id }, terms: [], presence: terms, limit });
            expect([...found.presentTerms].sort(), context).toEqual([...sql.presentTerms].sort());
          }
        };

        await compare('loaded');
        // Patched: some documents deleted, others added, in one version each.
        const deleted = documentIds.filter(() => random() < 0.3);
        await database.transaction(async (transaction) => {
          await deleteDocumentsByIds(transaction, kb.id, deleted);
          await bumpKnowledgeBaseVersion(transaction, kb.id);
        });
        const added = randomDocuments(random, 1 + Math.floor(random() * 4), 'second');
        const addedIds = await storeDocuments(database, kb.id, added);
        sources = [...sources.filter((_, at) => !deleted.includes(documentIds[at]!)), ...added.map((document) => document.source)];
        documentIds = [...documentIds.filter((id) => !deleted.includes(id)), ...addedIds];
        await compare('patched');
      }
    },
    300_000,
  );

  it('shares one load among concurrent first searches and sees the KB disappear', async () => {
    const kb = await createKnowledgeBase(database, { name: uniqueName('shared'), embedder: 'none' });
    await storeDocuments(database, kb.id, randomDocuments(seededRandom(99), 5, 'doc'));
    let snapshots = 0;
    const counting: Database = {
      ...database,
      query: (text, values) => {
        if (text.includes('FROM chunk_terms WHERE kb_id')) snapshots += 1;
        return database.query(text, values);
      },
      transaction: (work) =>
        database.transaction((transaction) =>
          work({
            query: (text, values) => {
              if (text.includes('FROM chunk_terms WHERE kb_id')) snapshots += 1;
              return transaction.query(text, values);
            },
          }),
        ),
    };
    const searcher = createInProcessLexicalSearcher({ database: counting, whileLoading: 'wait' });
    const lookups = await Promise.all(
      Array.from({ length: 5 }, () => searcher.lookup({ kb: { id: kb.id }, terms: ['t0', 't1'], presence: ['t0'], limit: 5 })),
    );
    expect(snapshots).toBe(1);
    expect(lookups.every((lookup) => lookup.matches.length > 0)).toBe(true);
    expect(searcher.held().map((held) => held.kbId)).toEqual([kb.id]);

    await database.query(`DELETE FROM knowledge_bases WHERE id = $1`, [kb.id]);
    const afterDelete = await searcher.lookup({ kb: { id: kb.id }, terms: ['t0'], presence: ['t0'], limit: 5 });
    expect(afterDelete.matches).toEqual([]);
    expect(searcher.held()).toEqual([]);
  });

  it('answers from SQL while the index loads in the background, then from the index, with the same results', async () => {
    const kb = await createKnowledgeBase(database, { name: uniqueName('background'), embedder: 'none' });
    await storeDocuments(database, kb.id, randomDocuments(seededRandom(42), 8, 'doc'));
    const searcher = createInProcessLexicalSearcher({ database });
    const terms = ['t0', 't1', 't3'];
    const expected = await searchLexical(database, { kbId: kb.id, terms, limit: 10 });
    const first = await searcher.lookup({ kb: { id: kb.id }, terms, presence: terms, limit: 10 });
    expectSameRanking(first.matches, expected, 'while loading');
    const deadline = Date.now() + 30_000;
    while (searcher.held().length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(searcher.held().map((held) => held.kbId)).toEqual([kb.id]);
    const second = await searcher.lookup({ kb: { id: kb.id }, terms, presence: terms, limit: 10 });
    expectSameRanking(second.matches, expected, 'loaded');
  });

  it('drops the least recently searched KB beyond its memory budget, and searches a KB larger than the budget in SQL', async () => {
    const first = await createKnowledgeBase(database, { name: uniqueName('first'), embedder: 'none' });
    const second = await createKnowledgeBase(database, { name: uniqueName('second'), embedder: 'none' });
    await storeDocuments(database, first.id, randomDocuments(seededRandom(5), 6, 'a'));
    await storeDocuments(database, second.id, randomDocuments(seededRandom(6), 6, 'b'));
    const probe = createInProcessLexicalSearcher({ database, whileLoading: 'wait' });
    await probe.lookup({ kb: { id: first.id }, terms: ['t0'], presence: [], limit: 3 });
    await probe.lookup({ kb: { id: second.id }, terms: ['t0'], presence: [], limit: 3 });
    const sizes = probe.held().map((held) => held.bytes);

    const bounded = createInProcessLexicalSearcher({ database, whileLoading: 'wait', budgetBytes: Math.max(...sizes) + 1 });
    await bounded.lookup({ kb: { id: first.id }, terms: ['t0'], presence: [], limit: 3 });
    await bounded.lookup({ kb: { id: second.id }, terms: ['t0'], presence: [], limit: 3 });
    expect(bounded.held().map((held) => held.kbId)).toEqual([second.id]);

    const tiny = createInProcessLexicalSearcher({ database, whileLoading: 'wait', budgetBytes: 1 });
    const terms = ['t0', 't1', 't2'];
    const viaSql = await tiny.lookup({ kb: { id: first.id }, terms, presence: terms, limit: 10 });
    expect(tiny.held()).toEqual([]);
    expectSameRanking(viaSql.matches, await searchLexical(database, { kbId: first.id, terms, limit: 10 }), 'SQL fallback');
  });
});
