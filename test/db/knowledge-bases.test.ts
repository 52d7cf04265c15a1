import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrioleError } from '../../src/core/index.ts';
import {
  createKnowledgeBase,
  deleteKnowledgeBase,
  ensureKnowledgeBase,
  listKnowledgeBases,
  type Database,
  type KnowledgeBase,
} from '../../src/db/index.ts';
import { openMigrated, testBackends } from '../helpers/databases.ts';
import { insertDocument, seededUnitVector } from '../helpers/fixtures.ts';

const perKbTables = ['documents', 'chunks', 'chunk_terms', 'jobs', 'answers', 'api_keys'];

/** Writes one of everything a KB can own, so deletion has something to find. */
async function populate(database: Database, kb: KnowledgeBase): Promise<void> {
  await insertDocument(database, {
    kbId: kb.id,
    source: 'billing/refunds.md',
    chunks: [
      { text: 'Refunds take five days', embedding: seededUnitVector(1, 384), terms: ['refund', 'day'] },
      { text: 'Annual plans are refunded pro rata', terms: ['annual', 'refund'] },
    ],
  });
  await database.query(`INSERT INTO jobs (kb_id, kind) VALUES ($1, 'ingest')`, [kb.id]);
  const answer = await database.query<{ id: string }>(
    `INSERT INTO answers (kb_id, kb_version, question, answer, abstained, mode)
     VALUES ($1, 1, 'How long do refunds take?', 'Five days [1]', false, 'extractive') RETURNING id`,
    [kb.id],
  );
  await database.query(`INSERT INTO feedback (answer_id, rating) VALUES ($1, 'up')`, [answer.rows[0]!.id]);
  await database.query(`INSERT INTO api_keys (prefix, key_hash, scope, kb_id) VALUES ('ok_', $1, 'query', $2)`, [
    `hash-of-${kb.name}`,
    kb.id,
  ]);
}

async function countsFor(database: Database, kbId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of perKbTables) {
    const result = await database.query<{ count: string }>(`SELECT count(*) FROM ${table} WHERE kb_id = $1`, [kbId]);
    counts[table] = Number(result.rows[0]!.count);
  }
  const feedback = await database.query<{ count: string }>(
    `SELECT count(*) FROM feedback f JOIN answers a ON a.id = f.answer_id WHERE a.kb_id = $1`,
    [kbId],
  );
  counts.feedback = Number(feedback.rows[0]!.count);
  return counts;
}

describe.each(testBackends())('knowledge bases on $name', (backend) => {
  let database: Database;
  beforeAll(async () => {
    database = await openMigrated(backend);
  });
  afterAll(() => backend.cleanup());

  it('are created with the embedder they will hold vectors of, and listed with their sizes', async () => {
    const kb = await createKnowledgeBase(database, { name: 'help-center', embedder: 'none' });
    expect(kb).toMatchObject({ name: 'help-center', embedder: 'none', embeddingDim: null, version: 0 });
    await insertDocument(database, { kbId: kb.id, source: 'a.md', chunks: [{ text: 'one' }, { text: 'two' }] });
    const listed = (await listKnowledgeBases(database)).find((item) => item.name === 'help-center');
    expect(listed).toMatchObject({ documentCount: 1, chunkCount: 2 });
  });

  it('refuse a duplicate name with conflict, and a bad name with invalid_request', async () => {
    await createKnowledgeBase(database, { name: 'twice', embedder: 'none' });
    await expect(createKnowledgeBase(database, { name: 'twice', embedder: 'none' })).rejects.toMatchObject({
      code: 'conflict',
    });
    for (const name of ['', '../etc', 'with space', 'x'.repeat(65), "'; DROP TABLE chunks; --"]) {
      await expect(createKnowledgeBase(database, { name, embedder: 'none' })).rejects.toMatchObject({
        code: 'invalid_request',
      });
    }
  });

  it('are created on first use by ensureKnowledgeBase, once', async () => {
    const first = await ensureKnowledgeBase(database, { name: 'lazy', embedder: 'none' });
    const second = await ensureKnowledgeBase(database, { name: 'lazy', embedder: 'use-lite' });
    expect(second.id).toBe(first.id);
    expect(second.embedder).toBe('none');
  });

  it('delete everything of the deleted KB and nothing of the others', async () => {
    const doomed = await createKnowledgeBase(database, { name: 'doomed', embedder: 'test:384' });
    const kept = await createKnowledgeBase(database, { name: 'kept', embedder: 'test:384' });
    await populate(database, doomed);
    await populate(database, kept);
    const keptBefore = await countsFor(database, kept.id);
    expect(Object.values(await countsFor(database, doomed.id)).every((count) => count > 0)).toBe(true);

    await deleteKnowledgeBase(database, 'doomed');

    expect(Object.values(await countsFor(database, doomed.id)).every((count) => count === 0)).toBe(true);
    expect(await countsFor(database, kept.id)).toEqual(keptBefore);
    const names = (await listKnowledgeBases(database)).map((item) => item.name);
    expect(names).toContain('kept');
    expect(names).not.toContain('doomed');
  });

  it('report not_found when deleting a KB that does not exist', async () => {
    const error = await deleteKnowledgeBase(database, 'never-was').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OrioleError);
    expect(error).toMatchObject({ code: 'not_found' });
  });
});
