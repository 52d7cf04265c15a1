import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestDocument } from '../../ingest/pipeline/index.ts';
import type { RetrievalKnowledgeBase } from '../../src/core/index.ts';
import {
  bumpKnowledgeBaseVersion,
  deleteDocumentById,
  ensureKnowledgeBase,
  getKnowledgeBase,
  type Database,
  type KnowledgeBase,
  type StoredPassage,
} from '../../src/db/index.ts';
import { createHybridRetriever } from '../../src/retrieval/index.ts';
import { createRememberedPassages } from '../../src/retrieval/remembered-passages.ts';
import { openMigrated, testBackends } from '../helpers/databases.ts';
import { testIngestContext } from '../helpers/ingestion.ts';

function passage(chunkId: string, text = `text of ${chunkId}`): StoredPassage {
  return { chunkId, documentId: 'd', source: 's.md', title: null, url: null, heading: null, headingPath: [], pages: [], ordinal: 0, text };
}

describe('remembered passages', () => {
  it('recalls passages kept at the same version and names the rest as missing', () => {
    const remembered = createRememberedPassages(100);
    remembered.keep('kb', 3, [passage('1'), passage('2')]);
    const { found, missing } = remembered.recall('kb', 3, ['1', '2', '9']);
    expect([...found.keys()]).toEqual(['1', '2']);
    expect(missing).toEqual(['9']);
  });

  it('forgets a KB’s passages when a retrieval reads a newer version of it', () => {
    const remembered = createRememberedPassages(100);
    remembered.keep('kb', 3, [passage('1', 'old text')]);
    expect(remembered.recall('kb', 4, ['1']).missing).toEqual(['1']);
    remembered.keep('kb', 4, [passage('1', 'new text')]);
    expect(remembered.recall('kb', 4, ['1']).found.get('1')?.text).toBe('new text');
    expect(remembered.size()).toBe(1);
  });

  it('neither serves nor keeps for a retrieval that read an older version', () => {
    const remembered = createRememberedPassages(100);
    remembered.keep('kb', 5, [passage('1', 'current')]);
    expect(remembered.recall('kb', 4, ['1']).missing).toEqual(['1']);
    remembered.keep('kb', 4, [passage('1', 'stale'), passage('2', 'stale')]);
    expect(remembered.recall('kb', 5, ['1', '2'])).toMatchObject({ missing: ['2'] });
    expect(remembered.recall('kb', 5, ['1']).found.get('1')?.text).toBe('current');
  });

  it('keeps KBs apart', () => {
    const remembered = createRememberedPassages(100);
    remembered.keep('a', 1, [passage('1', 'from a')]);
    expect(remembered.recall('b', 1, ['1']).missing).toEqual(['1']);
    expect(remembered.recall('a', 1, ['1']).found.get('1')?.text).toBe('from a');
  });

  it('holds at most its capacity, giving up the least recently used KB’s passages first', () => {
    const remembered = createRememberedPassages(3);
    remembered.keep('old', 1, [passage('1'), passage('2')]);
    remembered.keep('new', 1, [passage('3'), passage('4')]);
    expect(remembered.size()).toBe(3);
    expect(remembered.recall('new', 1, ['3', '4']).missing).toEqual([]);
    expect(remembered.recall('old', 1, ['1', '2']).missing).toEqual(['1']);
  });

  it('remembers nothing with capacity 0', () => {
    const remembered = createRememberedPassages(0);
    remembered.keep('kb', 1, [passage('1')]);
    expect(remembered.recall('kb', 1, ['1']).missing).toEqual(['1']);
    expect(remembered.size()).toBe(0);
  });
});

describe.each(testBackends())('the retriever’s remembered passages on $name', (backend) => {
  let database: Database;
  let stored: KnowledgeBase;
  /** Counts the statements that read chunk texts by id (src/db/passages.ts's loadPassages). */
  let passageReads = 0;
  const counting = (): Database => ({
    ...database,
    backend: database.backend,
    query: (text, values) => {
      if (/FROM chunks c JOIN documents d ON d\.id = c\.document_id\s+WHERE c\.kb_id/.test(text)) passageReads += 1;
      return database.query(text, values);
    },
    transaction: (work) => database.transaction(work),
    close: () => database.close(),
  });
  const ingest = (source: string, text: string) =>
    ingestDocument(testIngestContext(database, null), stored, { source, bytes: new TextEncoder().encode(text) });
  const current = async (): Promise<RetrievalKnowledgeBase> => {
    const kb = await getKnowledgeBase(database, stored.name);
    return { id: kb.id, name: kb.name, embedder: kb.embedder, version: kb.version };
  };

  beforeAll(async () => {
    database = await openMigrated(backend);
    stored = await ensureKnowledgeBase(database, { name: 'remembered', embedder: 'none' });
    await ingest('billing/refunds.md', '# Refund policy\n\nWe refund a payment within 14 days of the charge.');
    await ingest('billing/invoices.md', '# Invoices\n\nEvery payment gets an invoice by email.');
  }, 60_000);
  afterAll(() => backend.cleanup());

  it('reads the passages of a repeated search once while the KB is unchanged', async () => {
    const retriever = createHybridRetriever({ database: counting(), embedder: null });
    const kb = await current();
    const first = await retriever.retrieve({ kb, query: 'refund payment', topK: 5 });
    const readsAfterFirst = passageReads;
    const second = await retriever.retrieve({ kb, query: 'refund payment', topK: 5 });
    expect(readsAfterFirst).toBeGreaterThan(0);
    expect(passageReads).toBe(readsAfterFirst);
    expect(second.passages).toEqual(first.passages);
  });

  it('serves the new text and title after a document changes, and never a deleted document', async () => {
    const retriever = createHybridRetriever({ database: counting(), embedder: null });
    const before = await retriever.retrieve({ kb: await current(), query: 'refund payment', topK: 5 });
    expect(before.passages.map((found) => found.title)).toContain('Refund policy');

    await ingest('billing/refunds.md', '# Refunds and returns\n\nWe refund a payment within 30 days of the charge.');
    const changed = await retriever.retrieve({ kb: await current(), query: 'refund payment', topK: 5 });
    const refund = changed.passages.find((found) => found.source === 'billing/refunds.md');
    expect(refund).toMatchObject({ title: 'Refunds and returns' });
    expect(refund?.text).toContain('30 days');

    const invoices = (await retriever.retrieve({ kb: await current(), query: 'invoice payment', topK: 5 })).passages.find(
      (found) => found.source === 'billing/invoices.md',
    )!;
    await database.transaction(async (transaction) => {
      await deleteDocumentById(transaction, invoices.documentId);
      await bumpKnowledgeBaseVersion(transaction, stored.id);
    });
    const afterDelete = await retriever.retrieve({ kb: await current(), query: 'invoice payment', topK: 5 });
    expect(afterDelete.passages.map((found) => found.source)).not.toContain('billing/invoices.md');
  });
});
