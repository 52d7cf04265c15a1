import { stemmer } from 'stemmer';
import { chineseStopwords } from './chinese-stopwords.ts';
import { englishStopwords } from './english-stopwords.ts';

/**
 * How text becomes lexical terms. One set of settings must be used both at ingest
 * and at query time, or queries stop matching; `lexicalTerms` fixes the measured
 * choice (docs/lexical-retrieval.md), and the other values exist so the eval bench
 * can reproduce the comparison.
 */
export interface LexicalTokenizerSettings {
  /** Porter-stem purely alphabetic Latin words ("configuring" → "configur"). */
  stemming: boolean;
  /** Words dropped before stemming; empty keeps every word. */
  stopwords: ReadonlySet<string>;
  /** Strings cut out of Chinese and Japanese runs before they are split; empty keeps all. */
  spacelessStopwords: readonly string[];
  /**
   * Chinese and Japanese runs (no spaces between words): overlapping character
   * bigrams, bigrams plus every single character, or the words of
   * `Intl.Segmenter`'s dictionary.
   */
  han: 'bigrams' | 'bigrams-and-characters' | 'words';
  /**
   * Words joined by '.', '-' or '_' (`v1.8`, `backstage.io`, `app-config.yaml`):
   * only their parts, only the whole, or the whole and its parts.
   */
  compounds: 'parts' | 'whole' | 'whole-and-parts';
  /** Longer terms (hashes, base64, minified code) are dropped: they never match a question. */
  maxTermLength: number;
}

export const lexicalTokenizerDefaults: LexicalTokenizerSettings = {
  stemming: true,
  stopwords: englishStopwords,
  spacelessStopwords: chineseStopwords,
  han: 'bigrams',
  compounds: 'whole-and-parts',
  maxTermLength: 64,
};

export type LexicalTokenizer = (text: string) => string[];

// Scripts written without spaces between words; everything else splits on non-letters.
const spacelessScripts = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}';
const wordCharacter = `[[\\p{L}\\p{N}\\p{M}]--[${spacelessScripts}]]`;
const tokenPattern = new RegExp(
  `(?<spaceless>[${spacelessScripts}]+)|(?<word>${wordCharacter}+(?:[._\\-]${wordCharacter}+)*)`,
  'gv',
);
// eslint-disable-next-line no-control-regex -- every ASCII character, controls included
const asciiPattern = /^[\x00-\x7f]*$/;
/** tokenPattern's words on lower-cased ASCII text, where nothing is spaceless. */
const asciiWordPattern = /[a-z0-9]+(?:[._-][a-z0-9]+)*/g;
const connectorPattern = /[._-]/;
const latinWordPattern = /^[a-z]+$/;

/** Distinct words whose stems one tokenizer remembers: a help center's vocabulary fits many times over. */
const stemsRemembered = 100_000;

/**
 * The Porter stemmer with its answers remembered. Stemming is a chain of regular
 * expressions per word, and the same few thousand words come back in every passage an
 * answer reads: it was a sixth of an extractive answer's CPU before (profiled).
 */
function memoizedStemmer(): (word: string) => string {
  let stems = new Map<string, string>();
  return (word) => {
    let stemmed = stems.get(word);
    if (stemmed === undefined) {
      stemmed = stemmer(word);
      if (stems.size >= stemsRemembered) stems = new Map();
      stems.set(word, stemmed);
    }
    return stemmed;
  };
}

export function createLexicalTokenizer(settings: LexicalTokenizerSettings = lexicalTokenizerDefaults): LexicalTokenizer {
  const segmenter = settings.han === 'words' ? new Intl.Segmenter('zh', { granularity: 'word' }) : undefined;
  const spacelessStopwordPattern =
    settings.spacelessStopwords.length > 0
      ? new RegExp(
          [...settings.spacelessStopwords]
            .sort((left, right) => right.length - left.length)
            .map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
            .join('|'),
          'gu',
        )
      : undefined;

  const stem = settings.stemming ? memoizedStemmer() : (word: string) => word;
  const addWord = (word: string, terms: string[]): void => {
    if (word.length > settings.maxTermLength || settings.stopwords.has(word)) return;
    terms.push(latinWordPattern.test(word) ? stem(word) : word);
  };

  const addCompound = (compound: string, terms: string[]): void => {
    if (!connectorPattern.test(compound)) {
      addWord(compound, terms);
      return;
    }
    if (settings.compounds !== 'parts' && compound.length <= settings.maxTermLength) terms.push(compound);
    if (settings.compounds !== 'whole') {
      for (const part of compound.split(/[._-]/)) addWord(part, terms);
    }
  };

  const addSpaceless = (text: string, terms: string[]): void => {
    for (const run of spacelessStopwordPattern ? text.split(spacelessStopwordPattern) : [text]) {
      if (run) addSpacelessRun(run, terms);
    }
  };

  const addSpacelessRun = (run: string, terms: string[]): void => {
    const characters = Array.from(run);
    if (segmenter) {
      for (const segment of segmenter.segment(run)) {
        if (segment.isWordLike) terms.push(segment.segment);
      }
      return;
    }
    if (characters.length === 1 || settings.han === 'bigrams-and-characters') terms.push(...characters);
    for (let index = 0; index + 1 < characters.length; index++) {
      terms.push(characters[index]! + characters[index + 1]!);
    }
  };

  return (text) => {
    const terms: string[] = [];
    if (asciiPattern.test(text)) {
      // NFKC leaves ASCII as it is, and in ASCII the Unicode classes are [a-z0-9]: the same
      // words as below, found three times faster (most help-center text is ASCII).
      for (const word of text.toLowerCase().match(asciiWordPattern) ?? []) addCompound(word, terms);
      return terms;
    }
    for (const match of text.normalize('NFKC').toLowerCase().matchAll(tokenPattern)) {
      const { spaceless, word } = match.groups ?? {};
      if (spaceless) addSpaceless(spaceless, terms);
      else if (word) addCompound(word, terms);
    }
    return terms;
  };
}
