import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestDocument } from '../../ingest/pipeline/index.ts';
import type { Reranker, RetrievalKnowledgeBase } from '../../src/core/index.ts';
import { ensureKnowledgeBase, type Database } from '../../src/db/index.ts';
import { createReranker } from '../../src/rerankers/index.ts';
import { createHybridRetriever } from '../../src/retrieval/index.ts';
import { openMigrated, testBackends } from '../helpers/databases.ts';
import { testIngestContext } from '../helpers/ingestion.ts';
import { writeTinyCrossEncoderModel } from '../helpers/tiny-bert-model.ts';

/**
 * "remove my profile": BM25 ranks the page that repeats "profile" first and the one that
 * repeats "remove" second; the page about deleting an account only says "remove" once in
 * passing. A cross-encoder that knows delete ≈ remove and account ≈ profile puts it first.
 */
const articles: Record<string, string> = {
  'account/profile-photo.md': '# Profile photo\n\nYour profile shows a photo. Upload a new profile photo on the profile page.',
  'billing/remove-card.md': '# Remove a card\n\nTo remove a card, open billing and select remove.',
  'account/delete-account.md':
    '# Delete your account\n\nTo delete your account, open settings and select delete account. We then remove all of your data.',
  'messaging/notifications.md': '# Notifications\n\nEnable push message alerts on your mobile device.',
};
const query = 'remove my profile';

describe.each(testBackends())('reranking retrieval candidates on $name', (backend) => {
  let database: Database;
  let modelsDir: string;
  let reranker: Reranker;
  let kb: RetrievalKnowledgeBase;

  beforeAll(async () => {
    database = await openMigrated(backend);
    modelsDir = await mkdtemp(path.join(tmpdir(), 'oriole-rerankers-'));
    await writeTinyCrossEncoderModel(modelsDir, 'oriole-test/tiny-cross-encoder', {
      synonyms: [
        ['delete', 'remove'],
        ['account', 'profile'],
      ],
    });
    reranker = (await createReranker('transformers:oriole-test/tiny-cross-encoder', { modelsDir }))!;
    const stored = await ensureKnowledgeBase(database, { name: 'reranked', embedder: 'none' });
    kb = { id: stored.id, name: stored.name, embedder: stored.embedder };
    const context = testIngestContext(database, null);
    for (const [source, text] of Object.entries(articles)) {
      await ingestDocument(context, stored, { source, bytes: new TextEncoder().encode(text) });
    }
  }, 60_000);
  afterAll(async () => {
    await backend.cleanup();
    await rm(modelsDir, { recursive: true, force: true });
  });

  it('moves the passage the cross-encoder finds most relevant to the top, and says it ran', async () => {
    const fused = await createHybridRetriever({ database, embedder: null }).retrieve({ kb, query, topK: 3 });
    expect(fused.passages.map((passage) => passage.source)).toEqual([
      'account/profile-photo.md',
      'billing/remove-card.md',
      'account/delete-account.md',
    ]);
    expect(fused.info.reranker).toBeNull();

    const reranked = await createHybridRetriever({ database, embedder: null, reranker }).retrieve({ kb, query, topK: 3 });
    expect(reranked.passages.map((passage) => passage.source)).toEqual([
      'account/delete-account.md',
      'account/profile-photo.md',
      'billing/remove-card.md',
    ]);
    expect(reranked.info).toMatchObject({ mode: 'lexical', reranker: 'transformers:oriole-test/tiny-cross-encoder', query });
    // The scores are the cross-encoder's, best first; the lexical evidence is still reported.
    const scores = reranked.passages.map((passage) => passage.score);
    expect(scores).toEqual([...scores].sort((left, right) => right - left));
    expect(scores[0]).toBeGreaterThan(scores[1]!);
    expect(reranked.passages[0]!.lexicalScore).toBeGreaterThan(0);
  });

  it('reranks only the first crossEncoderCandidates fused hits, and at least topK', async () => {
    const calls: number[] = [];
    const counting: Reranker = {
      id: reranker.id,
      rerank: async (text, texts) => {
        calls.push(texts.length);
        return reranker.rerank(text, texts);
      },
    };
    const narrow = createHybridRetriever({ database, embedder: null, reranker: counting, settings: { crossEncoderCandidates: 2 } });
    const top = await narrow.retrieve({ kb, query, topK: 1 });
    expect(calls).toEqual([2]);
    // The third fused hit is not among the two candidates, so it cannot win.
    expect(top.passages.map((passage) => passage.source)).toEqual(['account/profile-photo.md']);

    await narrow.retrieve({ kb, query, topK: 3 });
    expect(calls).toEqual([2, 3]);
  });

  it('passes no candidates to the reranker when nothing matches', async () => {
    const result = await createHybridRetriever({ database, embedder: null, reranker }).retrieve({ kb, query: 'zebra', topK: 3 });
    expect(result.passages).toEqual([]);
    expect(result.info.reranker).toBe(reranker.id);
  });
});
