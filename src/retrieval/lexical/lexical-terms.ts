import { createLexicalTokenizer } from './lexical-tokenizer.ts';

/**
 * The terms of `text` for the lexical index, in order, repeats kept: Unicode
 * lower-case after NFKC, English words Porter-stemmed without stopwords, identifiers
 * such as `v1.8` or `app-config.yaml` whole and in parts, Chinese and Japanese as
 * character bigrams. Used for chunks at ingest and for questions at query time.
 */
export const lexicalTerms: (text: string) => string[] = createLexicalTokenizer();
