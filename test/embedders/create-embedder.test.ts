import { describe, expect, it } from 'vitest';
import { OrioleError } from '../../src/core/index.ts';
import { createEmbedder, loadEmbedder, modelProfile, parseEmbedderSpec } from '../../src/embedders/index.ts';

describe('embedder specs', () => {
  it.each([
    ['transformers:Xenova/bge-small-en-v1.5', { kind: 'transformers', model: 'Xenova/bge-small-en-v1.5' }],
    ['openai:text-embedding-3-small', { kind: 'openai', model: 'text-embedding-3-small' }],
    ['use-lite', { kind: 'use-lite' }],
    ['none', { kind: 'none' }],
  ])('reads %s', (spec, expected) => {
    expect(parseEmbedderSpec(spec)).toEqual(expected);
  });

  it.each(['word2vec', 'transformers:', 'openai', 'transformers:a b', ''])('refuses %j as config_invalid', async (spec) => {
    const error = await createEmbedder(spec, {}).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OrioleError);
    expect((error as OrioleError).code).toBe('config_invalid');
    expect((error as OrioleError).message).toContain("'transformers:<hf-model-id>', 'openai:<model>', 'use-lite' or 'none'");
    await expect(loadEmbedder(spec, {}, () => undefined)).rejects.toMatchObject({ code: 'config_invalid' });
  });

  it("makes 'none' lexical-only, ready, and without warning", async () => {
    expect(await createEmbedder('none', {})).toBeNull();
    const warnings: string[] = [];
    const loaded = await loadEmbedder('none', {}, (message) => warnings.push(message));
    expect(loaded.embedder).toBeNull();
    expect(loaded.status).toMatchObject({ spec: 'none', ready: true, lexicalOnly: true });
    expect(warnings).toEqual([]);
  });
});

describe('the per-model table', () => {
  const bgeInstruction = 'Represent this sentence for searching relevant passages: ';

  it.each([
    ['Xenova/bge-small-en-v1.5', { pooling: 'cls', queryPrefix: bgeInstruction, documentPrefix: '' }],
    ['BAAI/bge-base-en-v1.5', { pooling: 'cls', queryPrefix: bgeInstruction, documentPrefix: '' }],
    ['Xenova/bge-small-zh-v1.5', { pooling: 'cls', queryPrefix: '为这个句子生成表示以用于检索相关文章：', documentPrefix: '' }],
    ['Xenova/bge-m3', { pooling: 'cls', queryPrefix: '', documentPrefix: '' }],
    ['Xenova/multilingual-e5-small', { pooling: 'mean', queryPrefix: 'query: ', documentPrefix: 'passage: ' }],
    ['intfloat/e5-small-v2', { pooling: 'mean', queryPrefix: 'query: ', documentPrefix: 'passage: ' }],
    ['Xenova/all-MiniLM-L6-v2', { pooling: 'mean', queryPrefix: '', documentPrefix: '' }],
    ['Xenova/paraphrase-multilingual-MiniLM-L12-v2', { pooling: 'mean', queryPrefix: '', documentPrefix: '' }],
    ['Xenova/gte-small', { pooling: 'mean', queryPrefix: '', documentPrefix: '' }],
    ['Alibaba-NLP/gte-base-en-v1.5', { pooling: 'cls', queryPrefix: '', documentPrefix: '' }],
    ['someone/unknown-model', { pooling: 'mean', queryPrefix: '', documentPrefix: '' }],
  ])('%s', (modelId, expected) => {
    expect(modelProfile(modelId)).toEqual(expected);
  });

  it('asks e5 instruct models for their query instruction', () => {
    expect(modelProfile('intfloat/multilingual-e5-large-instruct')).toMatchObject({
      pooling: 'mean',
      queryPrefix: expect.stringMatching(/^Instruct: .*\nQuery: $/) as unknown,
      documentPrefix: '',
    });
  });
});
