// Retrieval: text → terms (lexical), and the hybrid retriever over the db's two legs.
export * from './lexical/index.ts';
export { createHybridRetriever, defaultHybridRetrieverSettings } from './hybrid-retriever.ts';
export type { HybridRetrieverDependencies, HybridRetrieverSettings } from './hybrid-retriever.ts';
export { reciprocalRankFusion, diversifyByDocument } from './fusion.ts';
export type { RankedLeg } from './fusion.ts';
export { createInProcessLexicalSearcher, sqlLexicalSearcher, defaultLexicalBudgetBytes } from './lexical-searcher.ts';
export type { LexicalSearcher, LexicalLookup, LexicalLookupResult, InProcessLexicalOptions } from './lexical-searcher.ts';
