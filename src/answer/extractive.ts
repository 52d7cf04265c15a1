import type { AnswerLanguage, Passage } from '../core/index.ts';
import { lexicalTerms } from '../retrieval/index.ts';
import { citationMarker, escapeMarkers } from './citation-markers.ts';
import { rewriteOutsideCode } from './code-spans.ts';
import { detectLanguage } from './language.ts';
import { splitTextUnits } from './sentences.ts';
import { blockSpans, blockSpanDefaults, type SpanPart } from './block-spans.ts';
import { announcesBlock, startsWithConnective, withoutConnective } from './discourse.ts';
import { termsCoveredByEquivalents } from './equivalent-terms.ts';
import { isGenericHanCharacter, isHanTerm, topicWeight } from './key-terms.ts';

/** Tuning of the extractive reader; each value is explained where it is used. */
export const extractiveDefaults = {
  /** Passages read, from the top of the ranking. */
  maxPassages: 5,
  /** Prose sentences in an answer. */
  maxSentences: 3,
  /** Length of an answer made of sentences. */
  maxCharacters: 600,
  /**
   * A code block, list or table is quoted whole up to this many lines and characters,
   * a longer one cut at a line boundary with "…"; a span of several steps stays within
   * maxSpanCharacters (block-spans.ts).
   */
  maxBlockLines: blockSpanDefaults.maxBlockLines,
  maxBlockCharacters: blockSpanDefaults.maxBlockCharacters,
  maxSpanCharacters: blockSpanDefaults.maxSpanCharacters,
};
export type ExtractiveOptions = Partial<typeof extractiveDefaults>;

/** A question term found only in the title or headings above a sentence counts this much. */
const headingTermCredit = 0.6;
/** Score added for the top passage, shrinking with rank (÷ rank + 1): retrieval already ranked them. */
const rankPriorWeight = 0.08;
/**
 * Score added to a span (a step list, code block or table with its introduction)
 * answering a how-to question: one under a heading that names part of the question and
 * that, with its heading, covers this share of the question's terms found anywhere in
 * the passages.
 */
const howToSpanBonus = 0.25;
const howToSpanCoverage = 0.6;
/**
 * An FAQ entry whose heading matches the question this much (headingFit) less than the
 * best-matching entry's asks another question.
 */
const otherEntryFitMargin = 0.15;
/**
 * Score added to a sentence stating what the question asks for: a duration for "how
 * long", a price for "how much", a number for "how many".
 */
const answerTypeBonus = 0.15;
/** Score added to the sentence right after the best one: it usually completes it. */
const continuationBonus = 0.1;
/** Further sentences are kept only when they score this share of the best one's score… */
const followerScoreShare = 0.6;
/** …and cover at least this share of the question's weighted terms. */
const followerMinCoverage = 0.2;
/** A sentence whose terms are mostly (this share) in the sentences already chosen repeats them. */
const redundantTermShare = 0.7;
/**
 * A sentence of another document sharing this share of its terms with the best one is
 * about the same thing: when it states other figures, it contradicts the best one and
 * is left out…
 */
const sameClaimTermShare = 0.5;
/** …and one sharing this share of them states the same thing: negated, it says the opposite. */
const sameStatementTermShare = 0.8;
/** Prose units with fewer content terms are headings or fragments, not answers. */
const minSentenceTerms = 3;

const answerTypes: Array<{ question: RegExp; answer: RegExp }> = [
  {
    question: /\bhow long\b|\bhow soon\b|多久|多长时间|几天/iu,
    answer: /\d+\s*(?:[–-]\s*\d+\s*)?(?:business |working )?(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?)\b|\d+\s*(?:秒|分钟|小时|天|个工作日|工作日|周|个月|年)/iu,
  },
  {
    question: /\bhow much\b|\bcost|\bprice|\bpricing\b|\bfee|多少钱|价格|费用|收费/iu,
    answer: /[$€£¥]\s?\d|\d\s*(?:usd|eur|dollars?|美元|元)/iu,
  },
  { question: /\bhow many\b|\blimit|\bmaximum\b|\bmax\b|多少|几个|上限|最多/iu, answer: /\d/u },
];

/**
 * A question asking how to do something, which a code block or a table with the
 * sentence that introduces it answers: "How do I…", "…的写法", "示例". Narrower than
 * howToQuestion: "Can I…?" asks yes or no, and a step list answers "I forgot…".
 */
const blockQuestion =
  /\b(?:how (?:do|can|to|should|would)|steps? to|(?:an? |some )?examples? of|what(?:'s| is) the (?:command|syntax|code) (?:to|for))\b|如何|怎么|怎样|步骤|示例|例子|写法|用法/iu;

const howToQuestion =
  /^\s*(?:steps?\b|where (?:do|can) i\b|can i\b|is it possible\b|i (?:forgot|lost|can'?t|cannot)\b)|\b(?:how (?:do|does|can|to|should|would)|what (?:should|do) i do|what now|steps? to)\b|如何|怎么|怎样|步骤|方法|忘记|忘了|办法/iu;

export interface ExtractiveSentence {
  /** The sentence, list item, table row or span as it stands in the passage, without a marker. */
  text: string;
  /** 0-based position of its passage in the passages given. */
  passageIndex: number;
  /** Its selection score (coverage, rank prior and bonuses). */
  score: number;
  /** Its weighted coverage of the question's terms, in [0,1]. */
  coverage: number;
  kind: ExtractiveUnitKind;
  /** A span's parts (its introduction, then its code block, list or table), as Markdown. */
  parts?: SpanPart[];
}

/**
 * A prose sentence, one list item, a table row spelled out with its column names, or a
 * span: a code block, step list or table quoted whole with the sentence that introduces it.
 */
export type ExtractiveUnitKind = 'sentence' | 'list-item' | 'table-row' | 'span';

export interface ExtractiveAnswer {
  /** The answer, each sentence or step list ending with the `[n]` of its passage (1-based); empty when nothing matched. */
  text: string;
  language: AnswerLanguage;
  /** The chosen sentences in answer order. */
  sentences: ExtractiveSentence[];
  /** Their scores, in answer order. */
  scores: number[];
  /**
   * The best sentence's weighted coverage of the question's terms that the passages
   * contain, in [0,1]: how much of what the passages say about the question the best
   * evidence speaks about. Low means abstain. Terms no passage contains are the
   * key-term check's business (decideAbstention): counting them here too declined long
   * chatty questions twice over.
   */
  confidence: number;
}

/** What the question asks for: how to do something (a step list answers), or how to write it (a code block or table answers too). */
interface QuestionKind {
  howTo: boolean;
  forBlock: boolean;
}

interface Candidate {
  text: string;
  parts?: SpanPart[];
  documentId: string;
  passageIndex: number;
  rank: number;
  position: number;
  terms: Set<string>;
  contextTerms: Set<string>;
  /** Its section's own heading: the innermost one above it, and whether it asks a question (an FAQ entry). */
  section: { terms: Set<string>; asks: boolean };
  kind: ExtractiveUnitKind;
}

/**
 * The answer without a model: the sentences of the top passages that best cover the
 * question, rarer question terms counting more, near-duplicates from overlapping chunks
 * dropped, each ending with its passage's `[n]` marker so the text goes through
 * resolveCitations like a model's. A how-to question, or a best sentence that announces
 * a block ("Install with:"), is answered by one span instead: the introduction and the
 * code block, list or table after it, quoted whole.
 */
export function extractiveAnswer(question: string, passages: readonly Passage[], options: ExtractiveOptions = {}): ExtractiveAnswer {
  const settings = { ...extractiveDefaults, ...options };
  const language = detectLanguage(question);
  const allQuestionTerms = [...new Set(lexicalTerms(question))];
  const asks: QuestionKind = { howTo: howToQuestion.test(question), forBlock: blockQuestion.test(question) };
  const howTo = asks.howTo || asks.forBlock;
  const candidates = withEquivalentTerms(
    dedupeCandidates(
      readablePassages(passages, language, settings.maxPassages).flatMap(({ passage, passageIndex }, rank) =>
        passageCandidates(passage, passageIndex, rank, settings, asks),
      ),
    ),
    allQuestionTerms,
  );
  const empty: ExtractiveAnswer = { text: '', language, sentences: [], scores: [], confidence: 0 };
  const questionTerms = withoutStraddlingBigrams(allQuestionTerms, candidates);
  if (questionTerms.length === 0 || candidates.length === 0) return empty;

  const profile = questionProfile(question, questionTerms, candidates, howTo);
  const bestEntryFit = Math.max(0, ...candidates.filter((candidate) => candidate.section.asks).map((candidate) => headingFit(candidate.section.terms, profile)));
  const scored = candidates
    .map((candidate) => scoreCandidate(candidate, profile, answersAnotherEntry(candidate, bestEntryFit, profile)))
    .sort((left, right) => right.sentence.score - left.sentence.score);
  const best = scored[0]!;
  if (best.sentence.coverage === 0) return empty;

  const chosen = chooseSentences(best, scored, settings);
  const sentences = orderForReading(chosen).map((entry) => entry.sentence);
  return {
    text: composeAnswer(sentences, language),
    language,
    sentences,
    scores: sentences.map((sentence) => sentence.score),
    confidence: Math.min(1, (best.sentence.coverage * profile.totalWeight) / profile.reachableWeight),
  };
}

/** The top passages in the question's language (all of them when none is). */
function readablePassages(passages: readonly Passage[], language: AnswerLanguage, maxPassages: number) {
  const all = passages.map((passage, passageIndex) => ({ passage, passageIndex }));
  const sameLanguage = all.filter(({ passage }) => detectLanguage(passage.text) === language);
  return (sameLanguage.length > 0 ? sameLanguage : all).slice(0, maxPassages);
}

function passageCandidates(
  passage: Passage,
  passageIndex: number,
  rank: number,
  settings: typeof extractiveDefaults,
  asks: QuestionKind,
): Candidate[] {
  const headingTerms = new Set(lexicalTerms([passage.title ?? '', ...passage.headingPath, passage.heading ?? ''].join('\n')));
  const sectionHeading = passage.heading ?? passage.headingPath.at(-1) ?? '';
  const section = { terms: new Set(lexicalTerms(sectionHeading)), asks: /[?？]\s*$/u.test(sectionHeading) };
  const units = splitTextUnits(passage.text);
  const candidates: Candidate[] = [];
  const make = (text: string, position: number, kind: ExtractiveUnitKind, context = '', termText = text): Candidate => ({
    text,
    documentId: passage.documentId,
    passageIndex,
    rank,
    position,
    terms: new Set(lexicalTerms(termText)),
    contextTerms: new Set([...headingTerms, ...lexicalTerms(context)]),
    section,
    kind,
  });
  units.forEach((unit, position) => {
    if (unit.kind === 'sentence') {
      // Headings, lead-ins ("If you still have nothing after that:", "…as follows.") and the article's own questions answer nothing alone.
      const isFragment = lexicalTerms(unit.text).length < minSentenceTerms || /[:：?？]$/u.test(unit.text) || announcesBlock(unit.text);
      if (isFragment) return;
      if (!startsWithConnective(unit.text)) {
        candidates.push(make(unit.text, position, 'sentence'));
        return;
      }
      // "However, …" / "相比之下，…" is quoted with the sentence it answers, else without its connective, else not at all.
      const before = units[position - 1];
      const stated = withoutConnective(unit.text);
      if (before?.kind === 'sentence' && !startsWithConnective(before.text) && !announcesBlock(before.text)) {
        candidates.push(make(`${before.text}${detectLanguage(before.text) === 'zh' ? '' : ' '}${unit.text}`, position - 1, 'sentence'));
      } else if (stated !== undefined) {
        candidates.push(make(stated, position, 'sentence'));
      }
    } else if (unit.kind === 'list-item') {
      candidates.push(make(unit.text, position, 'list-item'));
    }
  });
  // A how-to question is answered by a block and its introduction; other questions get
  // a block only when its introduction, which they are matched on, announces it. Code
  // says little in words, so its introduction counts as its text; a list or table says
  // it all, and its introduction (often the article's overview) counts as a heading.
  for (const span of blockSpans(units, { ...blockSpanDefaults, ...settings })) {
    const code = span.parts.at(-1)!.kind === 'code';
    const howTo = span.parts.at(-1)!.kind === 'list' ? asks.howTo || asks.forBlock : asks.forBlock;
    if (!howTo && !span.announced) continue;
    // An error message or a log shows the problem a how-to question has; what to do about it is elsewhere.
    if ((asks.howTo || asks.forBlock) && span.showsOutput) continue;
    const text = span.parts.map((part) => part.text).join('\n\n');
    const termText = !howTo ? span.intro : code ? `${span.intro}\n${span.body}` : span.body;
    const candidate = make(text, span.position, 'span', howTo && !code ? span.intro : '', termText);
    candidates.push({ ...candidate, parts: span.parts });
  }
  for (const row of spelledOutTableRows(units)) candidates.push(make(row.text, row.position, 'table-row', row.header));
  return candidates;
}

/**
 * Table rows as sentences a reader can follow without the table: "Growth: Monthly
 * billing $299 per month; Annual billing $2,990 per year; …". The first row of a
 * table is its header.
 */
function spelledOutTableRows(units: ReturnType<typeof splitTextUnits>) {
  const rows: Array<{ text: string; position: number; header: string }> = [];
  let header: string[] | undefined;
  units.forEach((unit, position) => {
    const previous = units[position - 1];
    if (unit.kind !== 'table-row') return;
    const cells = unit.text.replace(/^\s*\||\|\s*$/g, '').split('|').map((cell) => cell.trim());
    if (previous?.kind !== 'table-row' || previous.block !== unit.block || !header) {
      header = cells;
      return;
    }
    const columns = header;
    const values = cells
      .slice(1)
      .map((value, column) => (value && value !== '–' && value !== '-' ? `${columns[column + 1] ?? ''} ${value}`.trim() : ''))
      .filter(Boolean);
    if (cells[0] && values.length > 0) rows.push({ text: `${cells[0]}: ${values.join('; ')}.`, position, header: columns.join(' ') });
  });
  return rows;
}

/**
 * Chinese questions become overlapping bigrams, and those straddling two words ("码了"
 * in "忘记密码了") occur in no document. One found in no candidate whose characters
 * both belong to bigrams that are found is such an artifact, not a missing topic.
 */
function withoutStraddlingBigrams(questionTerms: string[], candidates: Candidate[]): string[] {
  const found = (term: string) => candidates.some((candidate) => candidate.terms.has(term) || candidate.contextTerms.has(term));
  const foundHan = questionTerms.filter((term) => isHanTerm(term) && found(term));
  return questionTerms.filter((term) => {
    if (!isHanTerm(term) || found(term)) return true;
    return !Array.from(term).every((character) => isGenericHanCharacter(character) || foundHan.some((other) => other.includes(character)));
  });
}

/**
 * A candidate saying "authentication" or "不同" speaks to a question asking about
 * "auth" or "区别": it is given the question terms its text covers through an
 * equivalent word (equivalent-terms.ts). Headings are matched as written: a heading
 * matching the question earns a step list its bonus, and that takes the literal word.
 */
function withEquivalentTerms(candidates: Candidate[], questionTerms: readonly string[]): Candidate[] {
  return candidates.map((candidate) => ({
    ...candidate,
    terms: new Set([...candidate.terms, ...termsCoveredByEquivalents(questionTerms, candidate.terms)]),
  }));
}

// Overlapping chunks repeat sentences; the copy in the better-ranked passage stays.
function dedupeCandidates(candidates: Candidate[]): Candidate[] {
  const seen = new Set<string>();
  return candidates.filter((candidate) => {
    const key = candidate.text.replace(/\s+/g, ' ').toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function questionProfile(question: string, questionTerms: string[], candidates: Candidate[], howTo: boolean): QuestionProfile {
  const weights = termWeights(questionTerms, candidates);
  let reachableWeight = 0;
  for (const [term, weight] of weights) {
    if (candidates.some((candidate) => candidate.terms.has(term) || candidate.contextTerms.has(term))) reachableWeight += weight;
  }
  return {
    weights,
    totalWeight: [...weights.values()].reduce((sum, weight) => sum + weight, 0),
    reachableWeight,
    howTo,
    answerPatterns: answerTypes.filter((type) => type.question.test(question)).map((type) => type.answer),
  };
}

/**
 * Rarer question terms count more: a term in few of the candidate sentences names
 * what the question is about ("refund"), one in most of them is background ("plan").
 */
function termWeights(questionTerms: string[], candidates: Candidate[]): Map<string, number> {
  const weights = new Map<string, number>();
  for (const term of questionTerms) {
    const frequency = candidates.filter((candidate) => candidate.terms.has(term)).length;
    weights.set(term, topicWeight(term) * Math.log(1 + (candidates.length + 1) / (frequency + 0.5)));
  }
  return weights;
}

interface QuestionProfile {
  weights: Map<string, number>;
  /** The summed weight of all question terms. */
  totalWeight: number;
  /** The summed weight of the question terms some candidate contains. */
  reachableWeight: number;
  howTo: boolean;
  /** What a sentence answering the question contains (a duration, a price), if the question says. */
  answerPatterns: RegExp[];
}

/**
 * How well a heading names the question: the F-measure of the share of the question's
 * reachable weight it names and the share of its own terms that are the question's.
 */
function headingFit(terms: Set<string>, question: QuestionProfile): number {
  if (terms.size === 0 || question.reachableWeight === 0) return 0;
  let named = 0;
  let shared = 0;
  for (const [term, weight] of question.weights) {
    if (!terms.has(term)) continue;
    named += weight;
    shared += 1;
  }
  const recall = Math.min(1, named / question.reachableWeight);
  const precision = shared / terms.size;
  return recall + precision === 0 ? 0 : (2 * recall * precision) / (recall + precision);
}

/**
 * Whether a candidate sits under an FAQ entry ("打包时 external React 后，热更新不生效？")
 * that asks another question than the entry that best matches the user's ("开启 https
 * 后，热更新不生效？"): its code block fixes that other problem, so it earns no how-to bonus.
 */
function answersAnotherEntry(candidate: Candidate, bestEntryFit: number, question: QuestionProfile): boolean {
  if (!candidate.section.asks) return false;
  return headingFit(candidate.section.terms, question) < bestEntryFit - otherEntryFitMargin;
}

function scoreCandidate(candidate: Candidate, question: QuestionProfile, answersOtherEntry = false) {
  let total = 0;
  let covered = 0;
  let coveredWithHeadings = 0;
  let headingMatches = 0;
  for (const [term, weight] of question.weights) {
    total += weight;
    if (candidate.terms.has(term)) covered += weight;
    else if (candidate.contextTerms.has(term)) covered += weight * headingTermCredit;
    if (candidate.terms.has(term) || candidate.contextTerms.has(term)) coveredWithHeadings += weight;
    if (candidate.contextTerms.has(term)) headingMatches += 1;
  }
  const coverage = covered / total;
  const answersHowTo =
    candidate.kind === 'span' &&
    question.howTo &&
    headingMatches > 0 &&
    !answersOtherEntry &&
    coveredWithHeadings >= question.reachableWeight * howToSpanCoverage;
  const statesAnswer = question.answerPatterns.some((pattern) => pattern.test(candidate.text));
  const score =
    coverage +
    rankPriorWeight / (candidate.rank + 1) +
    (answersHowTo ? howToSpanBonus : 0) +
    (statesAnswer && coverage > 0 ? answerTypeBonus : 0);
  const sentence: ExtractiveSentence = {
    text: candidate.text,
    passageIndex: candidate.passageIndex,
    score,
    coverage,
    kind: candidate.kind,
    ...(candidate.parts ? { parts: candidate.parts } : {}),
  };
  return { candidate, sentence };
}

type Scored = ReturnType<typeof scoreCandidate>;

/**
 * The best sentence or span, then sentences that add to it (not repeating what is
 * chosen), within the length limits: a span stands alone, and a sentence of another
 * document never contradicts the best one.
 */
function chooseSentences(best: Scored, scored: Scored[], settings: typeof extractiveDefaults): Scored[] {
  if (best.candidate.kind === 'span') return [best];
  const chosen = [best];
  let length = best.sentence.text.length;
  const chosenTerms = new Set(best.candidate.terms);
  const followers = scored
    .slice(1)
    // Prose answers take no loose list items: a step out of its list reads as a non sequitur.
    .filter((entry) => entry.candidate.kind !== 'span')
    .filter((entry) => entry.candidate.kind !== 'list-item' || best.candidate.kind === 'list-item')
    .map((entry) => (continues(entry, best) ? withBonus(entry, continuationBonus) : entry))
    .sort((left, right) => right.sentence.score - left.sentence.score);
  for (const entry of followers) {
    if (chosen.length >= settings.maxSentences) break;
    if (entry.sentence.score < best.sentence.score * followerScoreShare) break;
    if (entry.sentence.coverage < followerMinCoverage && !continues(entry, best)) continue;
    if (length + entry.sentence.text.length + 1 > settings.maxCharacters) continue;
    if (repeats(entry.candidate.terms, chosenTerms)) continue;
    if (entry.candidate.documentId !== best.candidate.documentId && contradicts(entry.candidate, best.candidate)) continue;
    chosen.push(entry);
    length += entry.sentence.text.length + 1;
    for (const term of entry.candidate.terms) chosenTerms.add(term);
  }
  return chosen;
}

function continues(entry: Scored, best: Scored): boolean {
  return entry.candidate.passageIndex === best.candidate.passageIndex && entry.candidate.position === best.candidate.position + 1;
}

function withBonus(entry: Scored, bonus: number): Scored {
  return { ...entry, sentence: { ...entry.sentence, score: entry.sentence.score + bonus } };
}

function repeats(terms: Set<string>, chosenTerms: Set<string>): boolean {
  if (terms.size === 0) return true;
  let shared = 0;
  for (const term of terms) if (chosenTerms.has(term)) shared += 1;
  return shared / terms.size >= redundantTermShare;
}

const negation = /\b(?:not|no|never|cannot|can't|don't|doesn't|isn't|aren't|won't|without)\b|[不没无未]/iu;
const figure = /\d+(?:[.,]\d+)*/gu;

/**
 * Whether `other` (of another document) says the opposite of `best` about the same
 * thing: they share most terms and state different figures ("5 days" against "3
 * days"), or nearly all and one negates what the other affirms.
 */
function contradicts(other: Candidate, best: Candidate): boolean {
  let shared = 0;
  for (const term of other.terms) if (best.terms.has(term)) shared += 1;
  const share = shared / Math.max(1, Math.min(other.terms.size, best.terms.size));
  if (share < sameClaimTermShare) return false;
  if (share >= sameStatementTermShare && negation.test(other.text) !== negation.test(best.text)) return true;
  const otherFigures = new Set(other.text.match(figure) ?? []);
  const bestFigures = best.text.match(figure) ?? [];
  return otherFigures.size > 0 && bestFigures.length > 0 && !bestFigures.some((value) => otherFigures.has(value));
}

/** Passages in the order of their best sentence; within a passage, its own order. */
function orderForReading(chosen: Scored[]): Scored[] {
  const passageOrder = [...new Set(chosen.map((entry) => entry.candidate.passageIndex))];
  return [...chosen].sort(
    (left, right) =>
      passageOrder.indexOf(left.candidate.passageIndex) - passageOrder.indexOf(right.candidate.passageIndex) ||
      left.candidate.position - right.candidate.position,
  );
}

function composeAnswer(sentences: ExtractiveSentence[], language: AnswerLanguage): string {
  const separator = language === 'zh' ? '' : ' ';
  let text = '';
  sentences.forEach((sentence, position) => {
    const marker = sentence.passageIndex + 1;
    const marked = sentence.parts ? markedSpan(sentence.parts, marker, language) : withMarker(quoted(sentence.text), marker, language);
    const previous = sentences[position - 1];
    if (!previous) text = marked;
    else if (sentence.kind === 'span' || previous.kind === 'span') text += `\n\n${marked}`;
    else if (sentence.kind === 'sentence' && previous.kind === 'sentence') text += `${separator}${marked}`;
    else text += `\n${marked}`;
  });
  return text;
}

/**
 * A span as quoted: each paragraph and list ends with the marker (before its final
 * punctuation or colon: "Install with [1]:"), code is quoted as written with no marker
 * inside the fence, and a table or code block that nothing introduces is followed by
 * the marker on a line of its own, so every claim of the span is cited.
 */
function markedSpan(parts: readonly SpanPart[], marker: number, language: AnswerLanguage): string {
  const cited = new Set<number>();
  const rendered = parts.map((part, index) => {
    switch (part.kind) {
      case 'prose':
      case 'list':
        cited.add(index);
        return withMarker(quoted(part.text), marker, language);
      case 'table':
        cited.add(index);
        return `${quoted(part.text)}\n\n${citationMarker(marker)}`;
      case 'code':
        return part.text;
    }
  });
  if (cited.size === 0) rendered.push(citationMarker(marker));
  return rendered.join('\n\n');
}

/**
 * A sentence as quoted into the answer: a bracketed number the document wrote
 * ("Sources: [1] https://…") is escaped, so the only markers in the answer are the ones
 * the reader adds and a document cannot cite another one.
 */
function quoted(text: string): string {
  return rewriteOutsideCode(text, escapeMarkers);
}

/** "…only once [1]." / "…有效[1]。" / "Install with [1]:": the marker goes before the final punctuation. */
function withMarker(text: string, marker: number, language: AnswerLanguage): string {
  const space = language === 'zh' ? '' : ' ';
  const match = /^([\s\S]*?)([.!?;:。！？；：])$/u.exec(text.trimEnd());
  return match ? `${match[1]}${space}${citationMarker(marker)}${match[2]}` : `${text.trimEnd()}${space}${citationMarker(marker)}`;
}
