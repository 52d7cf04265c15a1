// The lexical leg's pure half: text → terms, the same at ingest and at query time.
// Postings are written and BM25 is scored in src/db/lexical-index.ts, with the
// parameters of `bm25Defaults` (src/core) unless a caller gives others.
export { lexicalTerms } from './lexical-terms.ts';
export { termFrequencies } from './term-frequencies.ts';
export { createLexicalTokenizer, lexicalTokenizerDefaults } from './lexical-tokenizer.ts';
export type { LexicalTokenizer, LexicalTokenizerSettings } from './lexical-tokenizer.ts';
export { englishStopwords } from './english-stopwords.ts';
