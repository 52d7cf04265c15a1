/** Okapi BM25's two free parameters. */
export interface Bm25Settings {
  /** Term-frequency saturation: how much a term's second, third… occurrence still adds. */
  k1: number;
  /** Length normalisation, 0 (none) to 1 (full): how much a longer chunk is discounted. */
  b: number;
}

/**
 * k1 1.2 (Robertson's and Lucene's default) with b 0.4 (Anserini's passage setting).
 * Chunks are cut to about one size, so full normalisation (b 0.75, the classic value
 * for whole documents of any length) mostly penalises the dense chunks that hold the
 * answer. k1 1.2 scored a little above Anserini's 0.9 on both eval sets, in every
 * tokenizer configuration tried; docs/lexical-retrieval.md has the figures.
 * Here in core because two stages apply them: storage scores BM25 in SQL when a
 * caller gives no parameters, and the retrieval stage and the bench choose them.
 */
export const bm25Defaults: Bm25Settings = { k1: 1.2, b: 0.4 };
