/**
 * How a known model family wants to be used: which token vector stands for the
 * text, and what each side of a search is prefixed with. Taken from the model
 * cards; callers never pass prefixes (docs/embedders.md).
 */
export interface ModelProfile {
  /** 'cls': the first token's vector (bge, gte v1.5); 'mean': the average over tokens. */
  pooling: 'cls' | 'mean';
  /** Put before a search query. */
  queryPrefix: string;
  /** Put before each document chunk. */
  documentPrefix: string;
}

const bgeEnglishInstruction = 'Represent this sentence for searching relevant passages: ';
const bgeChineseInstruction = '为这个句子生成表示以用于检索相关文章：';
const e5InstructInstruction = 'Instruct: Given a web search query, retrieve relevant passages that answer the query\nQuery: ';

/** First match wins; tested against the model name without its organisation, lower-cased. */
const profiles: ReadonlyArray<{ pattern: RegExp; profile: ModelProfile }> = [
  { pattern: /^bge-.*-en(-v1\.5)?$/, profile: { pooling: 'cls', queryPrefix: bgeEnglishInstruction, documentPrefix: '' } },
  { pattern: /^bge-.*-zh(-v1\.5)?$/, profile: { pooling: 'cls', queryPrefix: bgeChineseInstruction, documentPrefix: '' } },
  { pattern: /^bge-/, profile: { pooling: 'cls', queryPrefix: '', documentPrefix: '' } },
  { pattern: /e5-.*instruct/, profile: { pooling: 'mean', queryPrefix: e5InstructInstruction, documentPrefix: '' } },
  { pattern: /(^|-)e5-/, profile: { pooling: 'mean', queryPrefix: 'query: ', documentPrefix: 'passage: ' } },
  // Alibaba's gte v1.5 and multilingual models read the [CLS] vector; thenlper's gte-small/base/large average.
  { pattern: /^gte-.*(v1\.5|multilingual)/, profile: { pooling: 'cls', queryPrefix: '', documentPrefix: '' } },
  { pattern: /^gte-/, profile: { pooling: 'mean', queryPrefix: '', documentPrefix: '' } },
  { pattern: /minilm/, profile: { pooling: 'mean', queryPrefix: '', documentPrefix: '' } },
];

const unknownModelProfile: ModelProfile = { pooling: 'mean', queryPrefix: '', documentPrefix: '' };

/** The profile for a Hugging Face model id such as 'Xenova/bge-small-en-v1.5'; mean pooling, no prefixes when unknown. */
export function modelProfile(modelId: string): ModelProfile {
  const name = (modelId.split('/').pop() ?? modelId).toLowerCase();
  return profiles.find(({ pattern }) => pattern.test(name))?.profile ?? unknownModelProfile;
}
