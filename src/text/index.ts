// Plain-text primitives shared by ingestion (chunking) and answering (citation checks).
export { splitSentences, sentenceSlices } from './sentences.ts';
export { repairText, textFlaw, textFlawDescriptions, type RepairedText, type TextFlaw } from './well-formed.ts';
export { decodePercents, decodePercentsStrictly, keepStrayPercents } from './percent-decoding.ts';
