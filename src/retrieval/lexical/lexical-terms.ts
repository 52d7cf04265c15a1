import { createLexicalTokenizer } from './lexical-tokenizer.ts';

/**
 * The terms of `text` for the lexical index, in order, repeats kept: Unicode
 * lower-case after NFKC; English words Porter-stemmed, without function and question
 * words; identifiers such as `v1.8` or `app-config.yaml` whole and in parts; Chinese
 * and Japanese as character bigrams, cut at question words. Used for chunks at
 * ingest and for questions at query time (docs/lexical-retrieval.md).
 */
export const lexicalTerms: (text: string) => string[] = createLexicalTokenizer();
