// Plain-text primitives shared by ingestion (chunking) and answering (citation checks).
export { splitSentences, sentenceSlices } from './sentences.ts';
