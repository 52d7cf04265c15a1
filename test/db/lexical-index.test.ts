import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createKnowledgeBase,
  migrate,
  searchLexical,
  writeChunkTerms,
  type Database,
  type KnowledgeBase,
  type LexicalMatch,
  type SqlExecutor,
} from '../../src/db/index.ts';
import { bm25Defaults } from '../../src/core/index.ts';
import { lexicalTerms, termFrequencies } from '../../src/retrieval/lexical/index.ts';
import { readMigrationFiles } from '../../src/db/migration-files.ts';
import { openMigrated, testBackends } from '../helpers/databases.ts';
import { insertDocument } from '../helpers/fixtures.ts';

interface IndexedChunk {
  chunkId: string;
  documentId: string;
  terms: Map<string, number>;
}

/** Inserts a document and indexes its chunks the way ingestion will. */
async function indexDocument(
  executor: SqlExecutor,
  kbId: string,
  source: string,
  texts: string[],
): Promise<IndexedChunk[]> {
  const { documentId, chunkIds } = await insertDocument(executor, {
    kbId,
    source,
    chunks: texts.map((text) => ({ text })),
  });
  const chunks = chunkIds.map((chunkId, index) => ({ chunkId, documentId, terms: termFrequencies(texts[index]!) }));
  await writeChunkTerms(executor, kbId, chunks);
  return chunks;
}

/** Okapi BM25 written out from its definition, to check the SQL against. */
function expectedRanking(
  corpus: IndexedChunk[],
  queryTerms: string[],
  settings: { k1: number; b: number } = bm25Defaults,
): { chunkId: string; score: number }[] {
  const lengthOf = (chunk: IndexedChunk) => [...chunk.terms.values()].reduce((sum, count) => sum + count, 0);
  const chunkCount = corpus.length;
  const averageLength = corpus.reduce((sum, chunk) => sum + lengthOf(chunk), 0) / chunkCount;
  const scored = corpus.map((chunk) => {
    let score = 0;
    for (const term of queryTerms) {
      const frequency = chunk.terms.get(term) ?? 0;
      if (frequency === 0) continue;
      const documentFrequency = corpus.filter((other) => other.terms.has(term)).length;
      const idf = Math.log(1 + (chunkCount - documentFrequency + 0.5) / (documentFrequency + 0.5));
      const norm = 1 - settings.b + (settings.b * lengthOf(chunk)) / averageLength;
      score += (idf * frequency * (settings.k1 + 1)) / (frequency + settings.k1 * norm);
    }
    return { chunkId: chunk.chunkId, score };
  });
  return scored
    .filter((entry) => entry.score > 0)
    .sort((left, right) => right.score - left.score || compareIds(left.chunkId, right.chunkId));
}

const compareIds = (left: string, right: string) => (BigInt(left) < BigInt(right) ? -1 : BigInt(left) > BigInt(right) ? 1 : 0);

function expectRanking(found: LexicalMatch[], expected: { chunkId: string; score: number }[]): void {
  expect(found.map((match) => match.chunkId)).toEqual(expected.map((entry) => entry.chunkId));
  found.forEach((match, index) => expect(match.score).toBeCloseTo(expected[index]!.score, 8));
}

const corpusTexts = {
  'install.md': [
    'Install the Developer Hub operator, then install the Developer Hub instance.',
    'Installing plugins: plugins are installed from the dynamic plugins configuration.',
  ],
  'auth.md': [
    'Authentication with OAuth2 and Keycloak. Configure the Keycloak realm for the Developer Hub.',
    'Role-based access control (RBAC) policies for the Developer Hub: permissions for plugins.',
    'The audit log records every RBAC policy change.',
  ],
  'upgrade.md': [
    'Upgrade Developer Hub v1.7 to v1.8 with the operator. Back up the database before you upgrade, read the release notes, check the plugins, and keep the old configuration until the new version runs.',
  ],
  '招生.md': ['中国人民大学2018年高水平艺术团招生简章：甲类降分政策指降至一本线。', '报考条件：符合普通高校招生全国统一考试报考条件。'],
};

describe.each(testBackends())('lexical index on $name', (backend) => {
  let database: Database;
  let kb: KnowledgeBase;
  let other: KnowledgeBase;
  const corpus: IndexedChunk[] = [];
  const documentIds = new Map<string, string>();

  beforeAll(async () => {
    database = await openMigrated(backend);
    kb = await createKnowledgeBase(database, { name: 'lexical', embedder: 'none' });
    other = await createKnowledgeBase(database, { name: 'other', embedder: 'none' });
    for (const [source, texts] of Object.entries(corpusTexts)) {
      const chunks = await indexDocument(database, kb.id, source, texts);
      corpus.push(...chunks);
      documentIds.set(source, chunks[0]!.documentId);
    }
    // Another KB with the same words, more often: it must change neither results nor statistics.
    await indexDocument(database, other.id, 'decoy.md', [
      'Keycloak Keycloak Keycloak OAuth2 plugins plugins install install upgrade',
      'RBAC RBAC audit audit 人民大学 招生 报考条件',
    ]);
  });
  afterAll(() => backend.cleanup());

  it('sets term_count to the number of terms of each chunk', async () => {
    const result = await database.query<{ id: string; term_count: number }>(
      'SELECT id, term_count FROM chunks WHERE kb_id = $1',
      [kb.id],
    );
    const counts = new Map(result.rows.map((row) => [String(row.id), row.term_count]));
    for (const chunk of corpus) {
      expect(counts.get(chunk.chunkId)).toBe([...chunk.terms.values()].reduce((sum, count) => sum + count, 0));
    }
  });

  it('ranks and scores exactly as BM25 computed by hand', async () => {
    const terms = lexicalTerms('How do I install plugins with the operator in Developer Hub?');
    const found = await searchLexical(database, { kbId: kb.id, terms, limit: 10 });
    expectRanking(found, expectedRanking(corpus, terms));
    expect(found.length).toBeGreaterThan(3);
  });

  it('applies the k1 and b it is given', async () => {
    const terms = lexicalTerms('upgrade plugins RBAC policy');
    for (const settings of [{ k1: 1.2, b: 0.75 }, { k1: 0.5, b: 0 }, { k1: 2, b: 1 }]) {
      const found = await searchLexical(database, { kbId: kb.id, terms, limit: 10, ...settings });
      expectRanking(found, expectedRanking(corpus, terms, settings));
    }
  });

  it('counts a repeated query term once', async () => {
    const found = await searchLexical(database, { kbId: kb.id, terms: ['keycloak', 'keycloak', 'plugin'], limit: 10 });
    expectRanking(found, expectedRanking(corpus, ['keycloak', 'plugin']));
  });

  it('gives the exact ranking on the impact-ordered path when no term has more postings than it reads', async () => {
    const questions = [
      'How do I install plugins with the operator in Developer Hub?',
      'Keycloak Developer Hub plugins',
      'upgrade plugins RBAC policy Developer Hub',
      '人民大学高水平艺术团甲类的降分政策是什么？',
    ];
    for (const question of questions) {
      const terms = lexicalTerms(question);
      const expected = expectedRanking(corpus, terms);
      for (const limit of [1, 2, 3, 10]) {
        const found = await searchLexical(database, { kbId: kb.id, terms, limit, exhaustivePostings: 1 });
        expectRanking(found, expected.slice(0, limit));
      }
    }
  });

  it('answers a large query in two statements: statistics, then one scoring pass', async () => {
    const statements: string[] = [];
    const recording: SqlExecutor = {
      query: (text, values) => {
        statements.push(text);
        return database.query(text, values);
      },
    };
    const terms = lexicalTerms('Keycloak Developer Hub');
    const found = await searchLexical(recording, { kbId: kb.id, terms, limit: 1, exhaustivePostings: 1, postingsPerTerm: 2 });
    expectRanking(found, expectedRanking(corpus, terms).slice(0, 1));
    expect(statements).toHaveLength(2);
    expect(statements[1]).toContain('best_postings');
  });

  it('rescores exactly the candidates it finds among each term’s best postings', async () => {
    // "develop" and "hub" are in 6 chunks, "keycloak", "plugin" and "instal" in fewer: only 2 postings
    // of each are read, so the common terms are cut short.
    for (const question of ['Keycloak Developer Hub', 'install plugins Developer Hub', 'upgrade plugins RBAC policy Developer Hub']) {
      const terms = lexicalTerms(question);
      const expected = expectedRanking(corpus, terms);
      const found = await searchLexical(database, { kbId: kb.id, terms, limit: 3, exhaustivePostings: 1, postingsPerTerm: 2 });
      expect(found).toHaveLength(3);
      // Every score is the chunk's exact BM25 score, with the KB's true N, avgdl and df.
      for (const match of found) {
        expect(match.score).toBeCloseTo(expected.find((entry) => entry.chunkId === match.chunkId)!.score, 8);
      }
      // The best chunk holds the rarest terms, whose postings were read whole.
      expect(found[0]!.chunkId).toBe(expected[0]!.chunkId);
    }
  });

  it('falls back to the exact search when filters reject the best postings', async () => {
    const terms = lexicalTerms('install plugins Developer Hub operator');
    const allowed = documentIds.get('upgrade.md')!;
    const expected = expectedRanking(corpus, terms).filter((entry) =>
      corpus.some((chunk) => chunk.chunkId === entry.chunkId && chunk.documentId === allowed),
    );
    const filters = { sources: ['upgrade.md'] };
    const found = await searchLexical(database, { kbId: kb.id, terms, limit: 3, filters, exhaustivePostings: 1, postingsPerTerm: 1 });
    expectRanking(found, expected.slice(0, 3));
    expect(found).toHaveLength(1);
  });

  it('ranks a chunk with a rare term above chunks with a common one (IDF)', async () => {
    const found = await searchLexical(database, { kbId: kb.id, terms: lexicalTerms('Keycloak Developer Hub'), limit: 10 });
    // "developer hub" is in most chunks; "keycloak" in one, which wins although the others repeat "hub".
    expect(found[0]!.chunkId).toBe(corpus[2]!.chunkId);
    expect(found.length).toBeGreaterThan(3);
  });

  it('ranks the shorter of two chunks with the same matches first (length normalisation)', async () => {
    // Chunks 0 (short) and 5 (long) both say "operator" once.
    const [short, long] = [corpus[0]!, corpus[5]!];
    expect(short.terms.get('oper')).toBe(1);
    expect(long.terms.get('oper')).toBe(1);
    const found = await searchLexical(database, { kbId: kb.id, terms: ['oper'], limit: 10 });
    expect(found.map((match) => match.chunkId)).toEqual([short.chunkId, long.chunkId]);
    expect(found[0]!.score).toBeGreaterThan(found[1]!.score);
    // Without length normalisation they tie, and the lower chunk id comes first.
    const unnormalised = await searchLexical(database, { kbId: kb.id, terms: ['oper'], limit: 10, b: 0 });
    expect(unnormalised[0]!.score).toBeCloseTo(unnormalised[1]!.score, 12);
    expect(unnormalised.map((match) => match.chunkId)).toEqual(
      [short.chunkId, long.chunkId].sort(compareIds),
    );
  });

  it('breaks ties by chunk id', async () => {
    const tied = await indexDocument(database, kb.id, 'tied.md', ['zebra crossing', 'zebra crossing', 'zebra crossing']);
    try {
      const found = await searchLexical(database, { kbId: kb.id, terms: ['zebra'], limit: 3 });
      expect(found.map((match) => match.chunkId)).toEqual(tied.map((chunk) => chunk.chunkId).sort(compareIds));
    } finally {
      await database.query('DELETE FROM documents WHERE source = $1 AND kb_id = $2', ['tied.md', kb.id]);
    }
  });

  it('finds a Chinese chunk for a Chinese question', async () => {
    const terms = lexicalTerms('人民大学高水平艺术团甲类的降分政策是什么？');
    const found = await searchLexical(database, { kbId: kb.id, terms, limit: 5 });
    expect(found[0]).toMatchObject({ chunkId: corpus[6]!.chunkId, documentId: documentIds.get('招生.md') });
    expectRanking(found, expectedRanking(corpus, terms));
  });

  it('keeps filtered searches filling `limit` from the matching documents', async () => {
    const terms = lexicalTerms('install plugins');
    const unfiltered = await searchLexical(database, { kbId: kb.id, terms, limit: 2 });
    expect(unfiltered.every((match) => match.documentId === documentIds.get('install.md'))).toBe(true);

    const bySource = await searchLexical(database, {
      kbId: kb.id,
      terms,
      limit: 2,
      filters: { sources: ['auth.md', 'upgrade.md'] },
    });
    expect(bySource).toHaveLength(2);
    const allowed = [documentIds.get('auth.md'), documentIds.get('upgrade.md')];
    expect(bySource.every((match) => allowed.includes(match.documentId))).toBe(true);
    // Statistics stay those of the whole KB: filtered scores equal the unfiltered ones.
    const everything = await searchLexical(database, { kbId: kb.id, terms, limit: 10 });
    const expected = everything.filter((match) => allowed.includes(match.documentId)).slice(0, 2);
    expect(bySource).toEqual(expected);

    const byDocument = await searchLexical(database, {
      kbId: kb.id,
      terms,
      limit: 1,
      filters: { documentIds: [documentIds.get('upgrade.md')!] },
    });
    expect(byDocument.map((match) => match.chunkId)).toEqual([corpus[5]!.chunkId]);
  });

  it('filters by tags', async () => {
    await database.query('UPDATE documents SET tags = $1 WHERE id = $2', [
      JSON.stringify({ product: 'rhdh', audience: 'admin' }),
      documentIds.get('auth.md'),
    ]);
    await database.query('UPDATE documents SET tags = $1 WHERE id = $2', [
      JSON.stringify({ product: 'rhdh', audience: 'developer' }),
      documentIds.get('install.md'),
    ]);
    const terms = lexicalTerms('Developer Hub plugins RBAC');
    const admin = await searchLexical(database, {
      kbId: kb.id,
      terms,
      limit: 3,
      filters: { tags: { product: 'rhdh', audience: 'admin' } },
    });
    expect(admin).toHaveLength(3);
    expect(new Set(admin.map((match) => match.documentId))).toEqual(new Set([documentIds.get('auth.md')]));

    const product = await searchLexical(database, { kbId: kb.id, terms, limit: 10, filters: { tags: { product: 'rhdh' } } });
    expect(new Set(product.map((match) => match.documentId))).toEqual(
      new Set([documentIds.get('auth.md'), documentIds.get('install.md')]),
    );
    const combined = await searchLexical(database, {
      kbId: kb.id,
      terms,
      limit: 10,
      filters: { tags: { product: 'rhdh' }, sources: ['install.md'] },
    });
    expect(new Set(combined.map((match) => match.documentId))).toEqual(new Set([documentIds.get('install.md')]));
    const none = await searchLexical(database, { kbId: kb.id, terms, limit: 10, filters: { tags: { product: 'other' } } });
    expect(none).toEqual([]);
  });

  it('never returns chunks of another knowledge base', async () => {
    const terms = lexicalTerms('Keycloak OAuth2 plugins install upgrade RBAC audit 人民大学 招生 报考条件');
    const found = await searchLexical(database, { kbId: kb.id, terms, limit: 50 });
    const ours = new Set(corpus.map((chunk) => chunk.chunkId));
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((match) => ours.has(match.chunkId))).toBe(true);
    expectRanking(found, expectedRanking(corpus, terms));
  });

  it('returns nothing for an empty query or unknown terms', async () => {
    expect(await searchLexical(database, { kbId: kb.id, terms: [], limit: 5 })).toEqual([]);
    expect(await searchLexical(database, { kbId: kb.id, terms: lexicalTerms('the of and ?'), limit: 5 })).toEqual([]);
    expect(await searchLexical(database, { kbId: kb.id, terms: ['nonexistentterm'], limit: 5 })).toEqual([]);
  });

  it('refuses an invalid limit or BM25 setting', async () => {
    await expect(searchLexical(database, { kbId: kb.id, terms: ['plugin'], limit: 0 })).rejects.toThrow(/limit/);
    await expect(searchLexical(database, { kbId: kb.id, terms: ['plugin'], limit: 5, b: 2 })).rejects.toThrow(/BM25/);
  });

  it('replaces a chunk’s postings when it is indexed again', async () => {
    const [chunk] = await indexDocument(database, kb.id, 'rewrite.md', ['first version about walruses']);
    await writeChunkTerms(database, kb.id, [{ chunkId: chunk!.chunkId, terms: termFrequencies('second text on narwhals narwhals') }]);
    expect(await searchLexical(database, { kbId: kb.id, terms: ['walrus'], limit: 5 })).toEqual([]);
    const found = await searchLexical(database, { kbId: kb.id, terms: ['narwhal'], limit: 5 });
    expect(found.map((match) => match.chunkId)).toEqual([chunk!.chunkId]);
    const stored = await database.query<{ term_count: number }>('SELECT term_count FROM chunks WHERE id = $1', [
      chunk!.chunkId,
    ]);
    expect(stored.rows[0]!.term_count).toBe(4);
    await database.query('DELETE FROM documents WHERE source = $1 AND kb_id = $2', ['rewrite.md', kb.id]);
  });

  it('refuses to index a chunk of another knowledge base', async () => {
    await expect(
      writeChunkTerms(database, other.id, [{ chunkId: corpus[0]!.chunkId, terms: new Map([['x', 1]]) }]),
    ).rejects.toThrow(/not in knowledge base/);
  });

  it('refuses a posting whose chunk is missing or of another KB, and drops a deleted chunk’s postings (migration 009)', async () => {
    const insertPosting = (kbId: string, chunkId: string) =>
      database.query(`INSERT INTO chunk_terms (kb_id, term, chunk_id, frequency, impact) VALUES ($1, 'orphan', $2, 1, 1)`, [kbId, chunkId]);
    await expect(insertPosting(other.id, corpus[0]!.chunkId)).rejects.toThrow(/does not exist in its knowledge base/);
    await expect(insertPosting(kb.id, '999999999')).rejects.toThrow(/does not exist in its knowledge base/);

    const [chunk] = await indexDocument(database, kb.id, 'gone.md', ['ephemeral mayflies']);
    await database.query('DELETE FROM documents WHERE source = $1 AND kb_id = $2', ['gone.md', kb.id]);
    const left = await database.query<{ postings: string }>('SELECT count(*) AS postings FROM chunk_terms WHERE chunk_id = $1', [
      chunk!.chunkId,
    ]);
    expect(Number(left.rows[0]!.postings)).toBe(0);
    const frequency = await database.query('SELECT 1 FROM lexical_terms WHERE kb_id = $1 AND term = ANY($2::text[])', [
      kb.id,
      [...chunk!.terms.keys()],
    ]);
    expect(frequency.rows).toEqual([]);
  });

  it('refuses invalid postings', async () => {
    const chunkId = corpus[0]!.chunkId;
    await expect(writeChunkTerms(database, kb.id, [{ chunkId, terms: new Map([['x', 0]]) }])).rejects.toThrow(/positive integer/);
    await expect(writeChunkTerms(database, kb.id, [{ chunkId, terms: new Map([['', 1]]) }])).rejects.toThrow(/empty/);
    await expect(writeChunkTerms(database, kb.id, [{ chunkId, terms: new Map([['字'.repeat(400), 1]]) }])).rejects.toThrow(
      /longer than/,
    );
    await expect(
      writeChunkTerms(database, kb.id, [
        { chunkId, terms: new Map([['x', 1]]) },
        { chunkId, terms: new Map([['y', 1]]) },
      ]),
    ).rejects.toThrow(/twice/);
    // Nothing was changed by the refused calls.
    const found = await searchLexical(database, { kbId: kb.id, terms: ['instal'], limit: 10 });
    expect(found.map((match) => match.chunkId)).toContain(chunkId);
  });

  it('writes more postings than one statement holds', async () => {
    const { chunkIds } = await insertDocument(database, { kbId: other.id, source: 'large.md', chunks: [{ text: 'large' }, { text: 'more' }] });
    const terms = (offset: number) => new Map(Array.from({ length: 7_000 }, (_, index) => [`t${offset + index}`, 1 + (index % 3)]));
    await database.transaction((transaction) =>
      writeChunkTerms(transaction, other.id, [
        { chunkId: chunkIds[0]!, terms: terms(0) },
        { chunkId: chunkIds[1]!, terms: terms(3_500) },
      ]),
    );
    const stored = await database.query<{ postings: string; total: string }>(
      'SELECT count(*) AS postings, sum(frequency) AS total FROM chunk_terms WHERE chunk_id = ANY($1::bigint[])',
      [chunkIds],
    );
    expect(Number(stored.rows[0]!.postings)).toBe(14_000);
    const found = await searchLexical(database, { kbId: other.id, terms: ['t4000'], limit: 5 });
    expect(found.map((match) => match.chunkId).sort(compareIds)).toEqual([...chunkIds].sort(compareIds));
  });

  it('keeps each term’s document frequency in lexical_terms and each posting’s impact', async () => {
    const mismatches = async () => {
      const result = await database.query<{ kb_id: string; term: string; stored: string | null; actual: string | null }>(
        `SELECT coalesce(s.kb_id, a.kb_id) AS kb_id, coalesce(s.term, a.term) AS term,
                s.document_frequency AS stored, a.document_frequency AS actual
           FROM lexical_terms s
           FULL JOIN (SELECT kb_id, term, count(*) AS document_frequency FROM chunk_terms GROUP BY kb_id, term) a
             ON a.kb_id = s.kb_id AND a.term = s.term
          WHERE s.document_frequency IS DISTINCT FROM a.document_frequency`,
      );
      return result.rows;
    };
    const staleImpacts = async () => {
      const result = await database.query<{ stale: string }>(
        `SELECT count(*) AS stale FROM chunk_terms p JOIN chunks c ON c.id = p.chunk_id
          WHERE p.impact IS DISTINCT FROM lexical_impact(p.frequency, c.term_count)`,
      );
      return Number(result.rows[0]!.stale);
    };
    expect(await mismatches()).toEqual([]);
    expect(await staleImpacts()).toBe(0);

    const extra = await createKnowledgeBase(database, { name: 'frequencies', embedder: 'none' });
    const [first] = await indexDocument(database, extra.id, 'a.md', ['alpha beta beta', 'alpha gamma']);
    await indexDocument(database, extra.id, 'b.md', ['alpha delta']);
    const frequencyOf = async (term: string) => {
      const result = await database.query<{ document_frequency: string }>(
        'SELECT document_frequency FROM lexical_terms WHERE kb_id = $1 AND term = $2',
        [extra.id, term],
      );
      return result.rows[0] ? Number(result.rows[0].document_frequency) : 0;
    };
    expect(await frequencyOf('alpha')).toBe(3);
    // Indexing a chunk again is idempotent; rewriting it moves its terms.
    await writeChunkTerms(database, extra.id, [first!]);
    expect(await frequencyOf('alpha')).toBe(3);
    await writeChunkTerms(database, extra.id, [{ chunkId: first!.chunkId, terms: new Map([['epsilon', 2]]) }]);
    expect([await frequencyOf('alpha'), await frequencyOf('beta'), await frequencyOf('epsilon')]).toEqual([2, 0, 1]);
    // A posting written without an impact gets it from its chunk.
    await database.query(`INSERT INTO chunk_terms (kb_id, term, chunk_id, frequency) VALUES ($1, 'zeta', $2, 1)`, [
      extra.id,
      first!.chunkId,
    ]);
    expect(await frequencyOf('zeta')).toBe(1);
    expect(await staleImpacts()).toBe(0);
    await database.query('DELETE FROM documents WHERE kb_id = $1 AND source = $2', [extra.id, 'b.md']);
    expect([await frequencyOf('alpha'), await frequencyOf('delta')]).toEqual([1, 0]);
    expect(await mismatches()).toEqual([]);
    await database.query('DELETE FROM knowledge_bases WHERE id = $1', [extra.id]);
    expect(await mismatches()).toEqual([]);
  });

  it('keeps each KB’s chunk count and total length current in lexical_statistics', async () => {
    const totals = async () => {
      const result = await database.query<{ kb_id: string; chunk_count: string; term_total: string; actual: boolean }>(
        `SELECT s.kb_id, s.chunk_count, s.term_total,
                (s.chunk_count, s.term_total) = (SELECT count(*), coalesce(sum(term_count), 0) FROM chunks c WHERE c.kb_id = s.kb_id) AS actual
           FROM lexical_statistics s ORDER BY s.kb_id`,
      );
      return result.rows;
    };
    expect((await totals()).map((row) => row.actual)).toEqual([true, true]);

    const extra = await createKnowledgeBase(database, { name: 'statistics', embedder: 'none' });
    await indexDocument(database, extra.id, 'a.md', ['one two three', 'four five']);
    const [removed] = await indexDocument(database, extra.id, 'b.md', ['six seven eight nine']);
    let rows = await totals();
    expect(rows.find((row) => row.kb_id === extra.id)).toMatchObject({ chunk_count: '3', term_total: '9', actual: true });

    await writeChunkTerms(database, extra.id, [{ chunkId: removed!.chunkId, terms: new Map([['six', 2]]) }]);
    await database.query('DELETE FROM documents WHERE kb_id = $1 AND source = $2', [extra.id, 'a.md']);
    rows = await totals();
    expect(rows.find((row) => row.kb_id === extra.id)).toMatchObject({ chunk_count: '1', term_total: '2', actual: true });
    expect(rows.every((row) => row.actual)).toBe(true);

    await database.query('DELETE FROM knowledge_bases WHERE id = $1', [extra.id]);
    rows = await totals();
    expect(rows.map((row) => row.kb_id)).not.toContain(extra.id);
    expect(rows.every((row) => row.actual)).toBe(true);
  });
});

describe.each(testBackends())('migration 004 on $name', (backend) => {
  afterAll(() => backend.cleanup());

  it('backfills document frequencies and impacts of the postings written before it', async () => {
    const database = await backend.open();
    const migrations = await readMigrationFiles();
    await migrate(database, migrations.filter((migration) => migration.id <= 3));
    // Written as a server of migration 003 wrote it: today's createKnowledgeBase reads columns added since.
    const created = await database.query<{ id: string }>(`INSERT INTO knowledge_bases (name, embedder) VALUES ('before', 'none') RETURNING id`);
    const kb = { id: String(created.rows[0]!.id) };
    const texts = ['alpha beta beta gamma', 'alpha delta', 'beta beta beta beta epsilon alpha'];
    const { chunkIds } = await insertDocument(database, { kbId: kb.id, source: 'old.md', chunks: texts.map((text) => ({ text })) });
    // Postings as writeChunkTerms wrote them before migration 004: no impact column.
    for (const [index, chunkId] of chunkIds.entries()) {
      const terms = termFrequencies(texts[index]!);
      const length = [...terms.values()].reduce((sum, count) => sum + count, 0);
      await database.query('UPDATE chunks SET term_count = $2 WHERE id = $1', [chunkId, length]);
      for (const [term, frequency] of terms) {
        await database.query('INSERT INTO chunk_terms (kb_id, term, chunk_id, frequency) VALUES ($1, $2, $3, $4)', [
          kb.id,
          term,
          chunkId,
          frequency,
        ]);
      }
    }

    const report = await migrate(database, migrations.filter((migration) => migration.id <= 4));
    expect(report.applied).toEqual(['004_lexical_impacts']);
    const frequencies = await database.query<{ term: string; document_frequency: string }>(
      'SELECT term, document_frequency FROM lexical_terms WHERE kb_id = $1 ORDER BY term',
      [kb.id],
    );
    expect(Object.fromEntries(frequencies.rows.map((row) => [row.term, Number(row.document_frequency)]))).toEqual({
      alpha: 3,
      beta: 2,
      delta: 1,
      epsilon: 1,
      gamma: 1,
    });
    // impact = tf·2.2 / (tf + 1.2·(0.6 + 0.4·dl/100)): "beta" in the third chunk, tf 4, dl 6.
    const impact = await database.query<{ impact: number }>(
      `SELECT impact FROM chunk_terms WHERE chunk_id = $1 AND term = 'beta'`,
      [chunkIds[2]],
    );
    expect(impact.rows[0]!.impact).toBeCloseTo((4 * 2.2) / (4 + 1.2 * (0.6 + (0.4 * 6) / 100)), 5);
    const searched = await searchLexical(database, { kbId: kb.id, terms: ['beta', 'alpha'], limit: 3, exhaustivePostings: 1 });
    expect(searched.map((match) => match.chunkId)).toEqual([chunkIds[2], chunkIds[0], chunkIds[1]]);
    await database.close();
  });
});
