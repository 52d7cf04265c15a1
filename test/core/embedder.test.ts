import { describe, expect, it } from 'vitest';
import { OrioleError, assertEmbedderMatches } from '../../src/core/index.ts';

describe('assertEmbedderMatches', () => {
  const kb = { name: 'help', embedder: 'transformers:Xenova/bge-small-en-v1.5' };

  it('accepts the embedder that produced the KB’s vectors', () => {
    expect(() => assertEmbedderMatches(kb, 'transformers:Xenova/bge-small-en-v1.5')).not.toThrow();
  });

  it('refuses another one with embedder_mismatch, naming both and both ways out', () => {
    const error = (() => {
      try {
        assertEmbedderMatches(kb, 'openai:text-embedding-3-small');
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(OrioleError);
    expect((error as OrioleError).code).toBe('embedder_mismatch');
    expect((error as OrioleError).message).toBe(
      "Knowledge base 'help' was embedded with 'transformers:Xenova/bge-small-en-v1.5', but this server uses " +
        "'openai:text-embedding-3-small'. Set ORIOLE_EMBEDDER=transformers:Xenova/bge-small-en-v1.5, or re-embed the KB " +
        "with 'oriole reindex --kb help --embedder openai:text-embedding-3-small'.",
    );
    expect((error as OrioleError).details).toEqual({
      kb: 'help',
      kbEmbedder: 'transformers:Xenova/bge-small-en-v1.5',
      configured: 'openai:text-embedding-3-small',
    });
  });

  it('treats a lexical-only KB as recorded with the embedder "none"', () => {
    expect(() => assertEmbedderMatches({ name: 'plain', embedder: 'none' }, 'use-lite')).toThrow(/embedded with 'none'/);
  });
});
