import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestDocument } from '../../ingest/pipeline/index.ts';
import { OrioleError, type Embedder, type Retriever, type RetrievalKnowledgeBase } from '../../src/core/index.ts';
import { ensureKnowledgeBase, type Database } from '../../src/db/index.ts';
import { createEmbedder } from '../../src/embedders/index.ts';
import { createHybridRetriever, type HybridRetrieverSettings } from '../../src/retrieval/index.ts';
import { openMigrated, testBackends } from '../helpers/databases.ts';
import { testIngestContext } from '../helpers/ingestion.ts';
import { writeTinyBertModel } from '../helpers/tiny-bert-model.ts';

/** A small help center: some questions paraphrase it (the vector leg's job), some quote rare codes (the lexical leg's). */
const articles: Record<string, string> = {
  'billing/pricing.md': '# Plans and price\n\nThe Pro plan price is 20 each month. The Team plan price is 50 each month. You pay by card.',
  'billing/refunds.md': '# Refund policy\n\nWe refund a payment within 14 days. Ask support for the refund.',
  'account/reset-password.md': '# Reset your password\n\nOpen the login page and click forgot password. We send you an email with a link.',
  'account/delete-account.md': '# Delete your account\n\nTo delete your account open settings and select delete account.',
  'developers/webhooks.md': '# Webhooks\n\nA webhook calls your endpoint when a message arrives, signed with HMAC.',
  'troubleshooting/error-codes.md': '# Error codes\n\nCode E4012 means the session key is not valid. Code E5001 means the service is down.',
  'messaging/notifications.md':
    '# Notifications\n\nEnable push message alerts on your mobile device. Each message shows a notification; message sounds can be set per message.',
  'troubleshooting/status.md': '# Service status\n\nIf you see an error, check the status page. An error can show when the service is busy.',
};

/** Questions whose words the articles don't use: only meaning finds them. */
const paraphrases = [
  { query: 'what is the fee', source: 'billing/pricing.md' },
  { query: 'how can I remove my profile', source: 'account/delete-account.md' },
  { query: 'I lost my username', source: 'account/reset-password.md' },
];
/** Questions that hinge on one rare identifier, which the tiny model only sees as letters. */
const identifiers = [
  { query: 'HMAC message', source: 'developers/webhooks.md' },
  { query: 'E4012 error', source: 'troubleshooting/error-codes.md' },
];

describe.each(testBackends())('hybrid retrieval on $name', (backend) => {
  let database: Database;
  let modelsDir: string;
  let embedder: Embedder;
  let kb: RetrievalKnowledgeBase;
  const retriever = (settings: Partial<HybridRetrieverSettings> = {}, withEmbedder: Embedder | null = embedder): Retriever =>
    createHybridRetriever({ database, embedder: withEmbedder, settings });
  const reciprocalRank = async (target: Retriever, query: string, source: string) => {
    const { passages } = await target.retrieve({ kb, query, topK: 5 });
    const rank = passages.findIndex((passage) => passage.source === source);
    return rank < 0 ? 0 : 1 / (rank + 1);
  };
  const meanReciprocalRank = async (target: Retriever, cases: { query: string; source: string }[]) => {
    let sum = 0;
    for (const { query, source } of cases) sum += await reciprocalRank(target, query, source);
    return sum / cases.length;
  };

  beforeAll(async () => {
    database = await openMigrated(backend);
    modelsDir = await mkdtemp(path.join(tmpdir(), 'oriole-models-'));
    await writeTinyBertModel(modelsDir, 'oriole-test/tiny-synonyms', {
      synonyms: [
        ['price', 'cost', 'fee', 'charge'],
        ['delete', 'remove'],
        ['account', 'profile'],
        ['forgot', 'lost'],
        ['password', 'username'],
      ],
    });
    embedder = (await createEmbedder('transformers:oriole-test/tiny-synonyms', { modelsDir }))!;
    const stored = await ensureKnowledgeBase(database, { name: 'hybrid', embedder: embedder.id });
    kb = { id: stored.id, name: stored.name, embedder: stored.embedder };
    const context = testIngestContext(database, embedder);
    for (const [source, text] of Object.entries(articles)) {
      await ingestDocument(context, stored, { source, bytes: new TextEncoder().encode(text), tags: { area: source.split('/')[0]! } });
    }
  }, 60_000);
  afterAll(async () => {
    await backend.cleanup();
    await rm(modelsDir, { recursive: true, force: true });
  });

  it('finds by meaning and by rare identifiers at once, better than either leg alone', async () => {
    const cases = [...paraphrases, ...identifiers];
    const lexicalOnly = await meanReciprocalRank(retriever({ legs: { lexical: true, vector: false } }), cases);
    const vectorOnly = await meanReciprocalRank(retriever({ legs: { lexical: false, vector: true } }), cases);
    const hybrid = await meanReciprocalRank(retriever(), cases);
    expect(await meanReciprocalRank(retriever({ legs: { lexical: true, vector: false } }), identifiers)).toBe(1);
    expect(await meanReciprocalRank(retriever({ legs: { lexical: false, vector: true } }), paraphrases)).toBe(1);
    expect(hybrid).toBeGreaterThan(lexicalOnly);
    expect(hybrid).toBeGreaterThan(vectorOnly);
    expect(hybrid).toBe(1);
  });

  it('reports how it ran: hybrid with the embedder, or lexical-only with the reason', async () => {
    const hybrid = await retriever().retrieve({ kb, query: 'refund', topK: 3 });
    expect(hybrid.info).toMatchObject({ mode: 'hybrid', embedder: embedder.id, query: 'refund', queryTerms: ['refund'], matchedTerms: ['refund'] });
    expect(hybrid.passages[0]).toMatchObject({ source: 'billing/refunds.md', title: 'Refund policy', heading: 'Refund policy' });
    expect(hybrid.passages[0]!.lexicalScore).toBeGreaterThan(0);
    expect(hybrid.passages[0]!.vectorSimilarity).toBeGreaterThan(0);

    const lexical = await retriever({}, null).retrieve({ kb, query: 'refund', topK: 3 });
    expect(lexical.info.mode).toBe('lexical');
    expect(lexical.info.embedder).toBeNull();
    expect(lexical.info.warning).toMatch(/not loaded/);
    expect(lexical.passages[0]!.source).toBe('billing/refunds.md');
  });

  it('returns topK passages from the filtered documents only', async () => {
    const sources = ['billing/pricing.md', 'billing/refunds.md', 'messaging/notifications.md'];
    for (const target of [retriever(), retriever({ legs: { lexical: false, vector: true } })]) {
      const { passages } = await target.retrieve({ kb, query: 'message error price', topK: 3, filters: { sources } });
      expect(passages).toHaveLength(3);
      expect(new Set(passages.map((passage) => passage.source))).toEqual(new Set(sources));
    }
    const tagged = await retriever().retrieve({ kb, query: 'password account', topK: 5, filters: { tags: { area: 'account' } } });
    expect(tagged.passages.map((passage) => passage.source).sort()).toEqual(['account/delete-account.md', 'account/reset-password.md']);
  });

  it('does not fill the top k with chunks of one page', async () => {
    const { passages } = await retriever().retrieve({ kb, query: 'message', topK: 4 });
    const perDocument = new Map<string, number>();
    for (const passage of passages) perDocument.set(passage.documentId, (perDocument.get(passage.documentId) ?? 0) + 1);
    expect(Math.max(...perDocument.values())).toBeLessThanOrEqual(2);
  });

  it('refuses to compare query vectors with vectors of another model', async () => {
    const other = { ...embedder, id: 'transformers:someone/else' };
    const error = await retriever({}, other)
      .retrieve({ kb, query: 'refund', topK: 3 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OrioleError);
    expect((error as OrioleError).code).toBe('embedder_mismatch');
    expect((error as OrioleError).details).toEqual({ kb: kb.name, kbEmbedder: kb.embedder, configured: other.id });
  });
});
