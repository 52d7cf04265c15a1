import type { AnswerLanguage, Passage, SourceConflict } from '../core/index.ts';
import { lexicalTerms } from '../retrieval/index.ts';
import { minKeyTermCoverage, questionCoverage } from './abstention.ts';
import { escapeMarkers, stripMarkers } from './citation-markers.ts';
import { rewriteOutsideCode } from './code-spans.ts';
import { askedAnswerTypes } from './confidence.ts';
import { termsCoveredByEquivalents } from './equivalent-terms.ts';
import { isGenericHanCharacter, isHanTerm, topicWeight } from './key-terms.ts';
import { splitTextUnits } from './sentences.ts';
import { statedValues, valueKinds, valuesDiffer, type StatedValue, type ValueKind } from './stated-values.ts';

/**
 * Sources that disagree: two documents among an answer's passages stating different
 * values for the same thing ("The Pro plan costs $19/month." against "The Pro plan costs
 * $29/month."). Pure: no I/O. Conservative by design, since a false alarm withholds or
 * muddies a good answer: a conflict needs
 * - the kind of value the question asks for (a price for "how much", a duration for "how
 *   long", a date for "when", a number for "how many", a version), read with its unit and
 *   bound (stated-values.ts), so "$19/month" never meets "$190/year" or "from $9";
 * - two DIFFERENT documents, each stating one value of that unit in one sentence (a
 *   sentence listing several, "Starter $19, Growth $29", names no single one);
 * - both sentences about the question (they cover its key terms, as abstention measures
 *   it, and 80 % of its topic words, with their headings) and about the same subject: the
 *   question's topic words are in both or neither, most of their words are shared, and
 *   not both of them have a topic word of their own ("annual" against "monthly",
 *   "Starter" against "Growth").
 */

export const conflictDefaults = {
  /**
   * Passages of uncited documents read, from the top of the ranking: the runners-up the
   * extractive reader reads too. Not cut by score: a page whose heading is the question
   * (an FAQ entry) can outscore the pricing page three times over on BM25, and the
   * statement itself must be about the question anyway (minSubjectCoverage).
   */
  maxPassages: 5,
  /** A sentence, with its headings, must cover this much of the question's key terms (as abstention measures it). */
  minSubjectCoverage: minKeyTermCoverage,
  /** Two sentences share at least this share of the smaller one's topic words. */
  minSharedTermShare: 0.5,
  /**
   * Each sentence, with its headings, has at least this share of the question's topic
   * words: "2016年艺术类招生答考生问" against the 2017 edition names the university and the
   * school a question about the school's founding names, but not "成立" (founded), and is
   * no answer to it.
   */
  minQuestionTopicShare: 0.8,
};
export type ConflictSettings = typeof conflictDefaults;

/** One document's statement of the value. */
export interface ConflictStatement {
  /** 0-based position of its passage among the passages given. */
  passageIndex: number;
  documentId: string;
  source: string;
  title: string | null;
  /** The sentence, list item or table row stating it. */
  text: string;
  value: StatedValue;
}

export interface DetectedConflict {
  kind: ValueKind;
  /** One statement per document, the answer's document first, then by rank; at least two differ. */
  statements: ConflictStatement[];
}

export interface ConflictInput {
  question: string;
  passages: readonly Passage[];
  /** The documents the answer cites (or would cite): every conflict involves one of them. */
  citedDocumentIds: Iterable<string>;
}

const versionQuestion = /\bversions?\b|\breleases?\b|版本/iu;
// "How much is the Pro plan?" asks a price without saying "cost"; askedAnswerTypes reads a number.
const howMuchQuestion = /\bhow much\b|多少钱/iu;

/**
 * The kinds of value the question asks for, if they are ones sources can disagree on:
 * the most specific kind askedAnswerTypes finds (confidence.ts), a price too when a "how
 * much" question reads as a number, else a version when it asks about one.
 */
export function askedValueKinds(question: string): ValueKind[] {
  const decisive = askedAnswerTypes(question)[0];
  if (decisive === 'number') return howMuchQuestion.test(question) ? ['number', 'price'] : ['number'];
  if (decisive && (valueKinds as readonly string[]).includes(decisive)) return [decisive as ValueKind];
  const open = decisive === undefined || decisive === 'name' || decisive === 'yes_no';
  return open && versionQuestion.test(question) ? ['version'] : [];
}

/** Conflicts between the cited documents and the other top passages, on the value the question asks for. */
export function findSourceConflicts(input: ConflictInput, settings: ConflictSettings = conflictDefaults): DetectedConflict[] {
  const cited = new Set(input.citedDocumentIds);
  if (cited.size === 0) return [];
  const question = questionProfile(input.question);
  const candidates = candidatePassages(input.passages, cited, settings);
  return askedValueKinds(input.question).flatMap((kind) => conflictsOfKind(kind, candidates, cited, question, settings));
}

function conflictsOfKind(
  kind: ValueKind,
  candidates: ReturnType<typeof candidatePassages>,
  cited: ReadonlySet<string>,
  question: QuestionProfile,
  settings: ConflictSettings,
): DetectedConflict[] {
  const statements = candidates.flatMap(({ passage, passageIndex }) => passageStatements(passage, passageIndex, kind, question, settings));
  const conflicts: DetectedConflict[] = [];
  const seen = new Set<string>();
  for (const anchor of statements.filter((statement) => cited.has(statement.documentId))) {
    const peers = firstPerDocument(
      statements.filter((other) => other.documentId !== anchor.documentId && other.value.key === anchor.value.key && sameSubject(anchor, other, question, settings)),
    );
    if (!peers.some((peer) => valuesDiffer(peer.value, anchor.value))) continue;
    const group = [anchor, ...peers];
    const id = `${anchor.value.key}|${group.map((statement) => statement.documentId).sort().join(',')}`;
    if (seen.has(id)) continue;
    seen.add(id);
    conflicts.push({ kind, statements: group.map(({ subject: _subject, context: _context, ownSubject: _own, ...statement }) => statement) });
  }
  return conflicts;
}

// ── Statements ─────────────────────────────────────────────────────────────────────

interface Statement extends ConflictStatement {
  /** Its topic words (comparableTerms), from the sentence, or with its heading when the sentence does not name the question's subject itself. */
  subject: Set<string>;
  /** Its topic words with the passage's title and headings. */
  context: Set<string>;
  /** Whether the sentence alone covers the question. */
  ownSubject: boolean;
}

interface QuestionProfile {
  terms: string[];
  topic: Set<string>;
}

function questionProfile(question: string): QuestionProfile {
  const terms = [...new Set(lexicalTerms(question))];
  return { terms, topic: comparableTerms(terms) };
}

/** The passages of cited documents, and the runners-up of other documents among the top ones. */
function candidatePassages(passages: readonly Passage[], cited: ReadonlySet<string>, settings: ConflictSettings) {
  return passages
    .map((passage, passageIndex) => ({ passage, passageIndex }))
    .filter(({ passage, passageIndex }) => cited.has(passage.documentId) || passageIndex < settings.maxPassages);
}

function passageStatements(passage: Passage, passageIndex: number, kind: ValueKind, question: QuestionProfile, settings: ConflictSettings): Statement[] {
  const heading = passage.heading ?? passage.headingPath.at(-1) ?? passage.title ?? '';
  const around = [passage.title ?? '', ...passage.headingPath, passage.heading ?? ''].join('\n');
  const statements: Statement[] = [];
  for (const unit of splitTextUnits(passage.text)) {
    if (unit.kind === 'code') continue;
    const values = statedValues(unit.text, kind);
    if (values.length === 0) continue;
    const coverage = (text: string, headingText: string) =>
      questionCoverage(question.terms, question.terms, [{ text, title: null, heading: headingText, headingPath: [], score: 0 }]);
    if (coverage(unit.text, around) < settings.minSubjectCoverage) continue;
    const words = lexicalTerms(withoutValues(unit.text, values));
    const ownSubject = coverage(unit.text, '') >= settings.minSubjectCoverage;
    const subject = comparableTerms(ownSubject ? words : [...words, ...lexicalTerms(heading)]);
    // The unit its value is counted in ("users") is a topic word the question may name.
    const context = comparableTerms([...lexicalTerms(unit.text), ...lexicalTerms(around)]);
    for (const value of singleValuesByKey(values)) {
      statements.push({ passageIndex, documentId: passage.documentId, source: passage.source, title: passage.title, text: unit.text, value, subject, context, ownSubject });
    }
  }
  return statements;
}

/**
 * Per unit of measure, the value a sentence states, unless it states several different
 * ones (a list of plans). A sentence giving one price in several periods ("$190/year
 * ($15.83/month)") states the first; the others are its conversions, not prices of
 * their own.
 */
function singleValuesByKey(all: StatedValue[]): StatedValue[] {
  const values = all[0]?.kind === 'price' ? all.filter((value) => value.key === all[0]!.key) : all;
  const byKey = new Map<string, StatedValue[]>();
  for (const value of values) byKey.set(value.key, [...(byKey.get(value.key) ?? []), value]);
  return [...byKey.values()].filter((same) => same.every((value) => !valuesDiffer(value, same[0]!))).map((same) => same[0]!);
}

function withoutValues(text: string, values: StatedValue[]): string {
  let result = text;
  for (const value of [...values].sort((left, right) => right.start - left.start)) result = `${result.slice(0, value.start)} ${result.slice(value.end)}`;
  return result;
}

function firstPerDocument(statements: Statement[]): Statement[] {
  const seen = new Set<string>();
  return statements.filter((statement) => {
    if (seen.has(statement.documentId)) return false;
    seen.add(statement.documentId);
    return true;
  });
}

// ── Same subject ───────────────────────────────────────────────────────────────────

/**
 * The words that say what a sentence is about: topic words (not question or action
 * words, nor the words of asking for a value: "cost", "price", "多少", "期限"), without
 * figures. Chinese is compared by character, its generic characters left out: the
 * tokenizer's bigrams straddle words ("格为", "为每") differently in two wordings.
 */
function comparableTerms(terms: readonly string[]): Set<string> {
  const comparable = new Set<string>();
  const valueWords = terms.filter(isValueWord);
  const valueCharacters = new Set(valueWords.filter(isHanTerm).flatMap((term) => Array.from(term)));
  for (const term of terms) {
    if (/\d/u.test(term) || valueWords.includes(term)) continue;
    if (isHanTerm(term)) {
      for (const character of Array.from(term)) {
        if (/\p{Script=Han}/u.test(character) && !isGenericHanCharacter(character) && !valueCharacters.has(character) && !valueHanCharacters.has(character)) comparable.add(character);
      }
    } else if (topicWeight(term) >= 1) {
      comparable.add(term);
    }
  }
  return comparable;
}

/** Characters of Chinese value phrases that no question word carries alone: "为" (is), "每" (per), units. */
const valueHanCharacters = new Set(Array.from('为每月年天日周元块起至到约'));

function isValueWord(term: string): boolean {
  return askedAnswerTypes(term).length > 0 || versionQuestion.test(term) || /^(?:cost|price|fee|charg|pai|pay|month|year|week|dai|hour|minut|limit|maximum|minimum|max|min|per)$/u.test(term);
}

function sameSubject(left: Statement, right: Statement, question: QuestionProfile, settings: ConflictSettings): boolean {
  // A topic word of the question in one's sentence or headings and not in the other's: "annual plans" against plans in general.
  for (const term of question.topic) if (has(left.context, term) !== has(right.context, term)) return false;
  if (question.topic.size > 0 && countShared(question.topic, left.context) / question.topic.size < settings.minQuestionTopicShare) return false;
  const [smaller, larger] = left.subject.size <= right.subject.size ? [left.subject, right.subject] : [right.subject, left.subject];
  if (smaller.size === 0) return false;
  const shared = countShared(smaller, larger);
  if (shared / smaller.size < settings.minSharedTermShare) return false;
  // Each names something the other does not: two plans, two regions, two products.
  return !(ownWords(left.subject, right.subject) > 0 && ownWords(right.subject, left.subject) > 0);
}

function has(terms: ReadonlySet<string>, term: string): boolean {
  return terms.has(term) || termsCoveredByEquivalents([term], terms).size > 0;
}

function countShared(terms: ReadonlySet<string>, other: ReadonlySet<string>): number {
  let shared = 0;
  for (const term of terms) if (has(other, term)) shared += 1;
  return shared;
}

function ownWords(terms: ReadonlySet<string>, other: ReadonlySet<string>): number {
  return terms.size - countShared(terms, other);
}

// ── What the answer does about it ───────────────────────────────────────────────────

/**
 * What an answer does about the conflicts among its sources:
 * - `none`: there are none, or the answer already states every value in disagreement;
 * - `abstain`: they are on the very value asked and no value is stated by more documents
 *   than any other, so no source can be preferred (`conflicting_sources`);
 * - `note`: one value is stated by more documents (a majority): the answer gives it, and
 *   a note quotes the statements of the other values, citing their documents.
 * Deterministic: it depends only on the conflicts and the answer's text.
 */
export type ConflictResolution =
  | { action: 'none' }
  | { action: 'abstain'; conflicts: DetectedConflict[] }
  | {
      action: 'note';
      conflicts: DetectedConflict[];
      /** Per conflict, the best-ranked statement of the value most documents state. */
      preferred: ConflictStatement[];
      /** Whether the answer states every preferred value already. */
      answerStatesPreferred: boolean;
      /** One statement per value not preferred, best-ranked first. */
      others: ConflictStatement[];
      /** One statement per value the answer does not state. */
      unstated: ConflictStatement[];
    };

export function resolveSourceConflicts(conflicts: readonly DetectedConflict[], answerText: string): ConflictResolution {
  const untold = conflicts.filter((conflict) => !answerStatesEveryValue(conflict, answerText));
  if (untold.length === 0) return { action: 'none' };
  if (untold.some((conflict) => preferredValue(conflict) === undefined)) return { action: 'abstain', conflicts: untold };
  const groups = untold.map((conflict) => rankedValueGroups(conflict));
  const preferred = groups.map((ranked) => ranked[0]![0]!);
  const others = groups.flatMap((ranked) => ranked.slice(1).map((group) => group[0]!));
  const unstated = groups.flatMap((ranked) => ranked.map((group) => group[0]!)).filter((statement) => !answerStates(answerText, statement.value));
  return {
    action: 'note',
    conflicts: untold,
    preferred,
    answerStatesPreferred: preferred.every((statement) => answerStates(answerText, statement.value)),
    others,
    unstated,
  };
}

/** The statements grouped by the value they state (equal values together), best-ranked first. */
export function valueGroups(conflict: DetectedConflict): ConflictStatement[][] {
  const groups: ConflictStatement[][] = [];
  for (const statement of conflict.statements) {
    const group = groups.find((candidate) => !valuesDiffer(candidate[0]!.value, statement.value));
    if (group) group.push(statement);
    else groups.push([statement]);
  }
  return groups;
}

/** The value groups, the most stated first (ties by rank). */
function rankedValueGroups(conflict: DetectedConflict): ConflictStatement[][] {
  return valueGroups(conflict).sort((left, right) => right.length - left.length);
}

/** The value more documents state than any other, if one is. */
export function preferredValue(conflict: DetectedConflict): StatedValue | undefined {
  const groups = rankedValueGroups(conflict);
  return groups.length > 0 && (groups.length === 1 || groups[0]!.length > groups[1]!.length) ? groups[0]![0]!.value : undefined;
}

function answerStatesEveryValue(conflict: DetectedConflict, answerText: string): boolean {
  return valueGroups(conflict).every((group) => answerStates(answerText, group[0]!.value));
}

function answerStates(answerText: string, value: StatedValue): boolean {
  return statedValues(stripMarkers(answerText), value.kind).some((stated) => stated.key === value.key && !valuesDiffer(stated, value));
}

/**
 * The most an answer drawing on sources that disagree can be trusted: with k different
 * values stated, at most one in k is right, so its confidence is capped at 1/k. Applied
 * after the fitted model (confidence.ts), which has no feature for it.
 */
export function conflictConfidenceCap(conflicts: readonly DetectedConflict[]): number {
  return Math.min(1, ...conflicts.map((conflict) => 1 / valueGroups(conflict).length));
}

/**
 * The sentence an answer ends with when its sources disagree: the statements it does not
 * make, quoted as written, each with the `[n]` of its passage (1-based), so the note is
 * cited and checked like the rest of the answer.
 */
export function conflictNote(quoted: readonly ConflictStatement[], language: AnswerLanguage): string {
  if (language === 'zh') return `但各资料的说法不一致：${quoted.map((statement) => `「${quote(statement)}」[${statement.passageIndex + 1}]`).join('；')}。`;
  return `However, the sources disagree: ${quoted.map((statement) => `"${quote(statement)}" [${statement.passageIndex + 1}]`).join('; ')}.`;
}

/** Statements as an extractive answer quotes them: each sentence ending with the `[n]` of its passage. */
export function quotedStatements(statements: readonly ConflictStatement[], language: AnswerLanguage): string {
  const separator = language === 'zh' ? '' : ' ';
  return statements
    .map((statement) => (language === 'zh' ? `${quote(statement)}[${statement.passageIndex + 1}]。` : `${quote(statement)} [${statement.passageIndex + 1}].`))
    .join(separator);
}

/** A statement's sentence without its final punctuation, a bracketed number in it escaped so it cannot pass for a citation. */
function quote(statement: ConflictStatement): string {
  return rewriteOutsideCode(statement.text.replace(/[.。!！?？;；:：]+$/u, '').trim(), escapeMarkers);
}

/** The conflicts as the answer reports and logs them. */
export function reportedConflicts(conflicts: readonly DetectedConflict[]): SourceConflict[] {
  return conflicts.map((conflict) => ({
    kind: conflict.kind,
    statements: conflict.statements.map((statement) => ({
      value: statement.value.written,
      documentId: statement.documentId,
      source: statement.source,
      title: statement.title,
      text: statement.text,
    })),
  }));
}

/** For logs and eval reports: the values in disagreement ("$19/month (pricing.md) vs $29/month (faq.md)"). */
export function conflictDetail(conflicts: readonly DetectedConflict[]): string {
  return conflicts
    .map((conflict) => valueGroups(conflict).map((group) => `${group[0]!.value.written} (${group.map((statement) => statement.source).join(', ')})`).join(' vs '))
    .join('; ');
}
