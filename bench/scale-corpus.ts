/**
 * The text and vectors of the large-KB benchmark (bench/scale.ts): documents recombined from
 * the sentences of the public eval sets, and 384-dimensional vectors projected from each
 * chunk's terms.
 *
 * Every document is generated from its number alone, so a load killed halfway resumes
 * where it stopped and two runs build the same KB.
 */
import path from 'node:path';
import { createHash } from 'node:crypto';
import { lexicalTerms, termFrequencies } from '../src/retrieval/lexical/index.ts';
import { seededRandom } from '../src/core/seeded-random.ts';
import { countTokens, defaultChunkingSettings } from '../ingest/chunking/index.ts';
import { evalSetDirectory, readJsonLines } from './eval-sets.ts';

export const scaleDimension = 384;
export const chunksPerDocument = 20;
/** Tag values of `product`: a filter on one of them keeps about a tenth of the KB. */
export const productCount = 10;
/** Chunks as big as ingestion's defaults make them: ~200 estimated tokens, ~800 English or ~200 Chinese characters. */
const { targetTokens, maxTokens } = defaultChunkingSettings;

interface BaseDocument {
  title: string;
  sentences: string[];
}

interface SourceSet {
  name: string;
  /** Share of the generated documents drawn from this set. */
  share: number;
  documents: BaseDocument[];
  questions: string[];
}

export interface ScaleCorpus {
  sets: SourceSet[];
  /** The sets' questions, English and Chinese in the sets' shares. */
  questions: string[];
  /** Distinct sentences the documents are recombined from. */
  sentenceCount: number;
  projector: TermProjector;
}

export interface GeneratedChunk {
  text: string;
  contentHash: string;
  terms: Map<string, number>;
  vector: number[];
}

export interface GeneratedDocument {
  source: string;
  title: string;
  tags: Record<string, string>;
  chunks: GeneratedChunk[];
}

/**
 * The rhdh-docs-ragas (English) and domainrag-ruc (Chinese) documents cut into sentences:
 * three documents in four come from the English set.
 */
export async function loadScaleCorpus(evalSetsRoot: string | undefined): Promise<ScaleCorpus> {
  const sets: SourceSet[] = [];
  for (const [name, share] of [
    ['rhdh-docs-ragas', 0.75],
    ['domainrag-ruc', 0.25],
  ] as const) {
    const directory = evalSetDirectory(name, evalSetsRoot);
    const documents = await readJsonLines<{ title: string; text: string }>(path.join(directory, 'docs.jsonl'));
    const cases = await readJsonLines<{ question: string }>(path.join(directory, 'cases.jsonl'));
    sets.push({
      name,
      share,
      documents: documents
        .map((document) => ({ title: document.title, sentences: sentencesOf(document.text) }))
        .filter((document) => document.sentences.length >= 3),
      questions: cases.map((evalCase) => evalCase.question),
    });
  }
  const allSentences = sets.flatMap((set) => set.documents.flatMap((document) => document.sentences));
  const questions = interleave(sets[0]!.questions, sets[1]!.questions, 3);
  return { sets, questions, sentenceCount: new Set(allSentences).size, projector: createTermProjector(allSentences) };
}

/** Sentences (or lines of code and lists) of at least 20 characters. */
function sentencesOf(text: string): string[] {
  return text
    .split(/\n+|(?<=[.!?])\s+|(?<=[。！？；])/)
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence.length >= 20);
}

/** `perFirst` items of `first` for each one of `second`, as long as `first` lasts. */
function interleave<T>(first: T[], second: T[], perFirst: number): T[] {
  const mixed: T[] = [];
  for (let index = 0; index < first.length; index++) {
    mixed.push(first[index]!);
    if (index % perFirst === perFirst - 1 && second[Math.floor(index / perFirst)] !== undefined) {
      mixed.push(second[Math.floor(index / perFirst)]!);
    }
  }
  return mixed;
}

/**
 * Document `number` of the KB: a base document of one set supplies the title and most of
 * each chunk (a run of its sentences from a random place), and a sentence of another
 * document of the set ends each chunk, so few chunks repeat another (3.4 % of a million)
 * and every term keeps the document frequency real text gives it.
 */
export function generateDocument(corpus: ScaleCorpus, number: number): GeneratedDocument {
  const random = seededRandom(0x5ca1e + number * 7919);
  const set = random() < corpus.sets[0]!.share ? corpus.sets[0]! : corpus.sets[1]!;
  const baseIndex = Math.floor(random() * set.documents.length);
  const base = set.documents[baseIndex]!;
  const title = `${base.title} (${number})`;
  const chunks: GeneratedChunk[] = [];
  for (let ordinal = 0; ordinal < chunksPerDocument; ordinal++) {
    let text = '';
    let at = Math.floor(random() * base.sentences.length);
    while (countTokens(text) < targetTokens * 0.8) {
      text = text ? `${text} ${base.sentences[at % base.sentences.length]}` : base.sentences[at % base.sentences.length]!;
      at++;
    }
    const other = set.documents[Math.floor(random() * set.documents.length)]!;
    text = `${text} ${other.sentences[Math.floor(random() * other.sentences.length)]}`;
    while (countTokens(text) > maxTokens) text = text.slice(0, Math.floor(text.length * 0.9));
    // Indexed as ingestion indexes a chunk: the title breadcrumb, then the text.
    const terms = termFrequencies(`${title}\n\n${text}`);
    chunks.push({ text, contentHash: createHash('sha256').update(text).digest('hex'), terms, vector: corpus.projector.vectorOf(terms) });
  }
  return {
    source: `scale/${set.name}/${number}.md`,
    title,
    tags: { product: `p${number % productCount}`, area: `${set.name}-${baseIndex}` },
    chunks,
  };
}

export interface TermProjector {
  /** A unit vector: the sum of the terms' fixed random vectors, weighted by √tf × idf. */
  vectorOf(terms: ReadonlyMap<string, number>): number[];
  vectorOfText(text: string): number[];
}

/**
 * Vectors with the geometry of real text, without a model: each term has a fixed random
 * direction (seeded by the term), and a text's vector is the idf-weighted sum of its terms'
 * directions (a random projection of its TF-IDF vector). Texts sharing rare terms are near,
 * unrelated texts nearly orthogonal, and the neighbourhoods HNSW searches are clustered as
 * topics are, not uniform as random vectors would be. No model could embed a million chunks
 * here in the time a benchmark has: the Hugging Face hub is unreachable and the one offline
 * model, USE lite on pure JavaScript, embeds a few texts a second.
 */
function createTermProjector(sentences: string[]): TermProjector {
  const documentFrequency = new Map<string, number>();
  for (const sentence of sentences) {
    for (const term of new Set(lexicalTerms(sentence))) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
  }
  const rarest = Math.log(1 + sentences.length);
  const idf = (term: string) => {
    const frequency = documentFrequency.get(term);
    return frequency ? Math.log(1 + sentences.length / frequency) : rarest;
  };
  const directions = new Map<string, Float32Array>();
  const directionOf = (term: string) => {
    let direction = directions.get(term);
    if (!direction) {
      const random = seededRandom(hashTerm(term));
      direction = new Float32Array(scaleDimension);
      for (let index = 0; index < scaleDimension; index++) direction[index] = random() - 0.5;
      directions.set(term, direction);
    }
    return direction;
  };
  const vectorOf = (terms: ReadonlyMap<string, number>) => {
    const sum = new Float64Array(scaleDimension);
    for (const [term, frequency] of terms) {
      const weight = Math.sqrt(frequency) * idf(term);
      const direction = directionOf(term);
      for (let index = 0; index < scaleDimension; index++) sum[index]! += weight * direction[index]!;
    }
    let norm = 0;
    for (const value of sum) norm += value * value;
    norm = Math.sqrt(norm) || 1;
    return Array.from(sum, (value) => Math.round((value / norm) * 1e6) / 1e6);
  };
  return { vectorOf, vectorOfText: (text) => vectorOf(termFrequencies(text)) };
}

/** FNV-1a, 32 bits. */
function hashTerm(term: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < term.length; index++) {
    hash ^= term.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
