import { webUrlOrNull, type Citation, type Passage } from '../core/index.ts';
import { lexicalTerms } from '../retrieval/index.ts';
import { citationMarkers, markerNumbers, markersBeforeSentenceEnd, replaceMarkerGroups, stripMarkers } from './citation-markers.ts';
import { rewriteOutsideCode } from './code-spans.ts';
import { splitTextUnits } from './sentences.ts';
import { claimText, supportScore, supportThreshold, supportingSpan } from './support.ts';

/**
 * A sentence citing several documents may draw part of its claim from each: a document
 * counts as supporting it when the sentence is supported by all its cited documents
 * together and this share of it by that document alone.
 */
export const partialSupportThreshold = 0.25;

export interface ResolvedSentence {
  /** The sentence without its markers. */
  text: string;
  /** The `index` of each citation the sentence makes (its own markers, or its paragraph's or list's). */
  citationIndexes: number[];
  /** Whether its cited passages support it; a sentence with no content terms ("Here's how:") is. */
  supported: boolean;
}

export interface ResolvedAnswer {
  /** The answer with markers renumbered to match `citations`, and markers to no passage removed. */
  text: string;
  citations: Citation[];
  /** The answer's prose sentences and list items (code blocks are not claims). */
  sentences: ResolvedSentence[];
}

interface CitedDocument {
  index: number;
  documentId: string;
  passageIndexes: number[];
}

/**
 * Turns an answer whose markers `[n]` point at the 1-based position of a passage into
 * what the `/answer` contract shows: markers renumbered 1..k in order of first
 * appearance, one citation per document (several chunks of one article are one
 * source), markers to a missing passage removed, and each citation checked against
 * the sentences citing it.
 */
export function resolveCitations(answerText: string, passages: readonly Passage[]): ResolvedAnswer {
  const documents = new Map<string, CitedDocument>();
  // Model markers in any form ([1, 2], [1][2], 【1】, [^1]) become one `[n]` per cited document.
  const text = rewriteOutsideCode(answerText, (prose) =>
    markersBeforeSentenceEnd(
      replaceMarkerGroups(prose, (numbers, spaced) => {
        const indexes = citedIndexes(numbers, passages, documents);
        if (indexes.length === 0) return '';
        return `${spaced ? ' ' : ''}${citationMarkers(indexes)}`;
      }),
    ),
  );
  const cited = [...documents.values()];
  const documentTexts = new Map(cited.map((document) => [document.index, citedText(document, passages)]));
  const sentences = attributeSentences(text).map(({ text: sentence, citationIndexes }) => ({
    text: sentence,
    citationIndexes,
    supported: isSupported(sentence, citationIndexes, documentTexts),
  }));
  const citations = cited.map((document) =>
    toCitation(document, passages, sentences, documentTexts.get(document.index)!),
  );
  return { text: text.replace(/[^\S\n]+$/gm, '').trim(), citations, sentences };
}

/** The citation indexes a marker group's passage numbers stand for, registering newly cited documents. */
function citedIndexes(numbers: number[], passages: readonly Passage[], documents: Map<string, CitedDocument>): number[] {
  const indexes: number[] = [];
  for (const number of numbers) {
    const passageIndex = number - 1;
    const passage = passages[passageIndex];
    if (!passage) continue;
    let document = documents.get(passage.documentId);
    if (!document) {
      document = { index: documents.size + 1, documentId: passage.documentId, passageIndexes: [] };
      documents.set(passage.documentId, document);
    }
    if (!document.passageIndexes.includes(passageIndex)) document.passageIndexes.push(passageIndex);
    if (!indexes.includes(document.index)) indexes.push(document.index);
  }
  return indexes;
}

// The cited chunks of one document in document order, as one text to check claims against.
function citedText(document: CitedDocument, passages: readonly Passage[]): string {
  return document.passageIndexes
    .map((index) => passages[index]!)
    .sort((left, right) => left.ordinal - right.ordinal)
    .map((passage) => passage.text)
    .join('\n\n');
}

/**
 * Each sentence with the citations that cover it: its own markers, else those of the
 * next (or previous) cited sentence of its paragraph or list, since models often cite
 * once at the end of a paragraph or step list. A unit made only of markers
 * ("Sources: [1]") gives them to the sentence before it.
 */
function attributeSentences(text: string): Array<{ text: string; citationIndexes: number[]; block: number }> {
  const units: Array<{ text: string; citationIndexes: number[]; block: number }> = [];
  for (const unit of splitTextUnits(text)) {
    if (unit.kind === 'code') continue;
    const citationIndexes = [...new Set(markerNumbers(unit.text))];
    const sentence = stripMarkers(unit.text).trim();
    const previous = units.at(-1);
    if (lexicalTerms(claimText(sentence)).length === 0 && citationIndexes.length > 0 && previous) {
      for (const index of citationIndexes) if (!previous.citationIndexes.includes(index)) previous.citationIndexes.push(index);
      if (claimText(sentence).replace(/[\p{P}\p{S}\s]/gu, '').length === 0) continue;
    }
    units.push({ text: sentence, citationIndexes, block: unit.block });
  }
  return units.map((unit, position) => {
    if (unit.citationIndexes.length > 0) return unit;
    const sameBlock = (other: (typeof units)[number]) => other.block === unit.block && other.citationIndexes.length > 0;
    const donor = units.slice(position + 1).find(sameBlock) ?? units.slice(0, position).reverse().find(sameBlock);
    return donor ? { ...unit, citationIndexes: [...donor.citationIndexes] } : unit;
  });
}

function isSupported(sentence: string, citationIndexes: number[], documentTexts: Map<number, string>): boolean {
  if (lexicalTerms(claimText(sentence)).length === 0) return true;
  if (citationIndexes.length === 0) return false;
  const union = citationIndexes.map((index) => documentTexts.get(index) ?? '').join('\n\n');
  return supportScore(sentence, union) >= supportThreshold;
}

function toCitation(
  document: CitedDocument,
  passages: readonly Passage[],
  sentences: ResolvedSentence[],
  documentText: string,
): Citation {
  const first = passages[document.passageIndexes[0]!]!;
  const citing = sentences.filter((sentence) => sentence.citationIndexes.includes(document.index));
  const claim = citing.find((sentence) => lexicalTerms(claimText(sentence.text)).length > 0)?.text ?? '';
  return {
    index: document.index,
    documentId: first.documentId,
    chunkId: first.chunkId,
    source: first.source,
    title: first.title,
    url: webUrlOrNull(first.url),
    heading: first.heading,
    page: first.pages[0] ?? null,
    snippet: supportingSpan(claim, documentText),
    score: first.score,
    supported: citing.length > 0 && citing.every((sentence) => supportsCitedSentence(sentence, documentText)),
  };
}

function supportsCitedSentence(sentence: ResolvedSentence, documentText: string): boolean {
  if (lexicalTerms(claimText(sentence.text)).length === 0) return true;
  const alone = supportScore(sentence.text, documentText);
  return alone >= supportThreshold || (sentence.supported && alone >= partialSupportThreshold);
}
