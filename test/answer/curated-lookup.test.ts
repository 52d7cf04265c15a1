import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCuratedAnswers } from '../../src/answer/curated/curated-lookup.ts';
import type { Embedder } from '../../src/core/index.ts';
import { createKnowledgeBase, getKnowledgeBase, insertCuratedAnswer, type Database } from '../../src/db/index.ts';
import { createEmbedder } from '../../src/embedders/index.ts';
import { openMigrated, testBackends } from '../helpers/databases.ts';

/** The vector half of curated matching, with a real embedder (use-lite: offline, in the npm package). */
describe.each(testBackends())('curated answers matched by vector on $name', { timeout: 120_000 }, (backend) => {
  let database: Database;
  let embedder: Embedder;
  let curatedId: string;

  beforeAll(async () => {
    database = await openMigrated(backend);
    embedder = (await createEmbedder('use-lite', {}))!;
    // A low threshold for this KB: "Can I get my money back?" shares one term with the phrasing and
    // swaps its other (Dice 0.4, times the half of the phrasing it holds: 0.2), and is lifted over
    // 0.35 by its vector only.
    await createKnowledgeBase(database, { name: 'vectors', embedder: 'use-lite', settings: { curatedThreshold: 0.35 } });
    await createKnowledgeBase(database, { name: 'lexical', embedder: 'none', settings: { curatedThreshold: 0.35 } });
    const kb = await getKnowledgeBase(database, 'vectors');
    const curated = await insertCuratedAnswer(database, kb.id, {
      questions: ['Can I get a refund?'],
      answer: 'Yes, within 30 days.',
      citations: [],
      tags: [],
      enabled: true,
    });
    curatedId = curated.id;
    const lexicalKb = await getKnowledgeBase(database, 'lexical');
    await insertCuratedAnswer(database, lexicalKb.id, { questions: ['Can I get a refund?'], answer: 'Yes.', citations: [], tags: [], enabled: true });
  }, 120_000);
  afterAll(() => backend.cleanup());

  it('lifts a paraphrase over the KB threshold with the KB embedder, and not without it', async () => {
    const withVectors = createCuratedAnswers({ database, embedder });
    const served = await withVectors.answerFor(await getKnowledgeBase(database, 'vectors'), { question: 'Can I get my money back?' });
    expect(served?.response).toMatchObject({ mode: 'curated', curatedAnswerId: curatedId, answer: 'Yes, within 30 days.' });
    expect(served?.response.retrieval).toMatchObject({ mode: 'hybrid', embedder: 'use-lite' });

    // The same KB served by a process without the model: lexical only, no match.
    const lexicalOnly = createCuratedAnswers({ database, embedder: null });
    expect(await lexicalOnly.answerFor(await getKnowledgeBase(database, 'vectors'), { question: 'Can I get my money back?' })).toBeUndefined();
    // A KB embedded with another model (here none) is never compared by this embedder's vectors.
    expect(await withVectors.answerFor(await getKnowledgeBase(database, 'lexical'), { question: 'Can I get my money back?' })).toBeUndefined();
    // Nor on its own: a question sharing no term with a phrasing.
    expect(await withVectors.answerFor(await getKnowledgeBase(database, 'vectors'), { question: 'Do you reimburse purchases?' })).toBeUndefined();
  });

  it('does not match a follow-up that depends on its history', async () => {
    const lookup = createCuratedAnswers({ database, embedder: null });
    const kb = await getKnowledgeBase(database, 'vectors');
    expect(await lookup.answerFor(kb, { question: 'Can I get a refund?' })).toBeDefined();
    const followUp = await lookup.answerFor(kb, {
      question: 'and a refund for that?',
      history: [
        { role: 'user', content: 'How do I cancel my Growth plan?' },
        { role: 'assistant', content: 'Open Billing and choose Cancel.' },
      ],
    });
    expect(followUp).toBeUndefined();
  });
});
