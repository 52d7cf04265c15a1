// Retrieval: text → terms (lexical), and the hybrid retriever over the db's two legs.
export * from './lexical/index.ts';
