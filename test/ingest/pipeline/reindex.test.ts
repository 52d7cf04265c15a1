import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectInputs, ingestInputs, planInputs, reindexKnowledgeBase } from '../../../ingest/pipeline/index.ts';
import type { Embedder } from '../../../src/core/index.ts';
import { ensureKnowledgeBase, getKnowledgeBase, nearestChunks, type Database } from '../../../src/db/index.ts';
import { createEmbedder } from '../../../src/embedders/index.ts';
import { openMigrated, testBackends } from '../../helpers/databases.ts';
import { testCollectDependencies, testIngestContext } from '../../helpers/ingestion.ts';
import { writeTinyBertModel } from '../../helpers/tiny-bert-model.ts';

describe.each(testBackends())('oriole reindex on $name', (backend) => {
  let database: Database;
  let modelsDir: string;
  let embedder: Embedder;
  const missing = async (kbId: string) =>
    Number((await database.query<{ n: string }>('SELECT count(*) AS n FROM chunks WHERE kb_id = $1 AND embedding IS NULL', [kbId])).rows[0]!.n);

  beforeAll(async () => {
    database = await openMigrated(backend);
    modelsDir = await mkdtemp(path.join(tmpdir(), 'oriole-models-'));
    await writeTinyBertModel(modelsDir, 'oriole-test/tiny-bert');
    embedder = (await createEmbedder('transformers:oriole-test/tiny-bert', { modelsDir }))!;
  });
  afterAll(async () => {
    await backend.cleanup();
    await rm(modelsDir, { recursive: true, force: true });
  });

  it('embeds the chunks stored while the model was unavailable', async () => {
    // The configured model could not load: ingestion ran lexical-only under the KB's embedder spec.
    const kb = await ensureKnowledgeBase(database, { name: 'fallback', embedder: embedder.id });
    const context = testIngestContext(database, null, { embedderSpec: embedder.id });
    const plan = await planInputs([path.resolve('test/fixtures/help-docs')]);
    const summary = await ingestInputs(context, kb, collectInputs(plan, testCollectDependencies(), {}), { prune: false });
    expect(summary.embedded).toBe(0);
    expect(await missing(kb.id)).toBe(summary.chunks);

    const result = await reindexKnowledgeBase(database, kb, embedder);
    expect(result).toEqual({ embedded: summary.chunks, switchedFrom: null });
    expect(await missing(kb.id)).toBe(0);
    const updated = await getKnowledgeBase(database, 'fallback');
    expect(updated.embeddingDim).toBe(embedder.dimension);
    const nearest = await nearestChunks(database, { kbId: kb.id, vector: await embedder.embedQuery('reset password'), limit: 3 });
    expect(nearest).toHaveLength(3);
    expect(await reindexKnowledgeBase(database, updated, embedder)).toEqual({ embedded: 0, switchedFrom: null });
  });

  it('switches a lexical-only KB to an embedder and embeds all of it', async () => {
    const kb = await ensureKnowledgeBase(database, { name: 'lexical', embedder: 'none' });
    const context = testIngestContext(database, null);
    const plan = await planInputs([path.resolve('test/fixtures/help-docs')]);
    const summary = await ingestInputs(context, kb, collectInputs(plan, testCollectDependencies(), {}), { prune: false });
    const result = await reindexKnowledgeBase(database, kb, embedder);
    expect(result).toEqual({ embedded: summary.chunks, switchedFrom: 'none' });
    expect((await getKnowledgeBase(database, 'lexical')).embedder).toBe(embedder.id);
    expect(await missing(kb.id)).toBe(0);
  });
});
