import type { Citation, Passage } from '../core/index.ts';
import { questionCoverage, type AbstentionEvidence } from './abstention.ts';
import type { ResolvedSentence } from './citations.ts';
import { confidenceModel } from './confidence-model.ts';
import { claimText, supportScore } from './support.ts';

/**
 * How likely an answer is to be correct and supported, from evidence the answer service
 * already has: the question's key terms, the retrieved passages with their scores, and
 * the answer's cited sentences with the passages they cite. Pure: no I/O, no model.
 *
 * Each feature is in [0,1], higher meaning more evidence for the answer; a logistic
 * regression (confidence-model.ts, refitted by bench/fit-confidence.ts) turns them into
 * `confidence`, "the estimated probability that this answer is correct and supported".
 */

export const confidenceFeatureNames = [
  /** Weighted key-term coverage of the question within the cited passages only. */
  'citedPassageCoverage',
  /** Weighted key-term coverage of the question within the answer's own (cited) sentences. */
  'citedSentenceCoverage',
  /** Weighted key-term coverage within the top passages (what the abstention check measures). */
  'topPassageCoverage',
  /** 1 when the question asks for no particular kind of answer, or the cited span holds one of that kind. */
  'answerTypeFound',
  /** Mean support score of the answer's claims against the passages they cite. */
  'supportMean',
  /** The weakest claim's support score. */
  'supportMin',
  /** Share of the question's numbers and identifiers that the cited passages contain (1 when it has none). */
  'numberConsistency',
  /** Share of the top passages both retrieval legs found (0 when only one leg ran). */
  'legAgreement',
  /** Share of passages 2–3 from the same document as the first: the ranking agrees on where the answer is. */
  'topDocumentAgreement',
  /** (first − second) / first of the passages' scores: a clear winner or a flat field. */
  'scoreGap',
  /** Share of the question's terms that occur somewhere in the KB. */
  'matchedTermShare',
] as const;

export type ConfidenceFeatureName = (typeof confidenceFeatureNames)[number];
export type ConfidenceFeatures = Record<ConfidenceFeatureName, number>;

/** A logistic regression over the features: confidence = σ(intercept + Σ weight·feature). */
export interface ConfidenceModel {
  intercept: number;
  weights: Record<ConfidenceFeatureName, number>;
  /** Where the coefficients come from (for humans). */
  fittedOn: string;
}

export interface ConfidenceInput {
  /** The question's lexical terms and those the KB has (RetrievalInfo). */
  questionTerms: readonly string[];
  matchedTerms: readonly string[];
  /** The question (standalone), for the kind of answer it asks for and its numbers. */
  question: string;
  /** The retrieved passages, best first. */
  passages: readonly Passage[];
  /** The answer's checked sentences and citations (resolveCitations). */
  sentences: readonly ResolvedSentence[];
  citations: readonly Pick<Citation, 'index' | 'documentId'>[];
}

/** The evidence features of one answer; see confidenceFeatureNames. */
export function confidenceFeatures(input: ConfidenceInput): ConfidenceFeatures {
  const { passages, sentences } = input;
  const citedDocuments = new Map(input.citations.map((citation) => [citation.index, citation.documentId]));
  const citedPassages = passages.filter((passage) => [...citedDocuments.values()].includes(passage.documentId));
  const claims = sentences.filter((sentence) => claimText(sentence.text).length > 0);
  const answerText = claims.map((sentence) => claimText(sentence.text)).join('\n');
  const citedText = citedPassages.map((passage) => passage.text).join('\n\n');
  const coverage = (within: AbstentionEvidence['passages']) =>
    clamp(within.length === 0 ? 0 : questionCoverage(input.questionTerms, input.matchedTerms, within));
  const supportScores = claims.map((sentence) => {
    const cited = sentence.citationIndexes
      .map((index) => citedDocuments.get(index))
      .flatMap((documentId) => passages.filter((passage) => passage.documentId === documentId))
      .map((passage) => passage.text)
      .join('\n\n');
    return cited.length === 0 ? 0 : supportScore(sentence.text, cited);
  });
  return {
    citedPassageCoverage: coverage(citedPassages),
    citedSentenceCoverage: coverage(answerText.length === 0 ? [] : [asPassage(answerText)]),
    topPassageCoverage: coverage(passages),
    answerTypeFound: answerTypeFound(input.question, answerText) ? 1 : 0,
    supportMean: supportScores.length === 0 ? 0 : supportScores.reduce((sum, score) => sum + score, 0) / supportScores.length,
    supportMin: supportScores.length === 0 ? 0 : Math.min(...supportScores),
    numberConsistency: numberConsistency(input.question, citedText),
    legAgreement: legAgreement(passages),
    topDocumentAgreement: topDocumentAgreement(passages),
    scoreGap: scoreGap(passages),
    matchedTermShare: input.questionTerms.length === 0 ? 0 : new Set(input.matchedTerms).size / new Set(input.questionTerms).size,
  };
}

/** The model's estimate for these features, in [0,1]. */
export function confidenceFromFeatures(features: ConfidenceFeatures, model: ConfidenceModel = confidenceModel): number {
  let logit = model.intercept;
  for (const name of confidenceFeatureNames) logit += (model.weights[name] ?? 0) * features[name];
  return round(sigmoid(logit));
}

export function sigmoid(value: number): number {
  return 1 / (1 + Math.exp(-value));
}

/**
 * The KB's `minConfidence` setting (0–1), or the service's default, or undefined: no
 * confidence-based abstention. A value outside [0,1] or not a number is ignored (the
 * settings route validates what it stores; this only reads).
 */
export function minConfidenceSetting(kbSettings: { readonly minConfidence?: unknown } | undefined, fallback?: number): number | undefined {
  const value = kbSettings?.minConfidence;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 1) return value;
  return fallback;
}

// ── The kind of answer a question asks for ─────────────────────────────────────────

export type AnswerType = 'price' | 'duration' | 'date' | 'number' | 'name' | 'steps' | 'yes_no';

const monthNames = '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';
const timeUnits = '(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|ms|milliseconds?|[smhd]\\b)';

/** Question patterns, most specific first: "how much does it cost" asks for a price, not a number. */
const questionTypes: Array<[AnswerType, RegExp]> = [
  ['price', /\b(?:how much (?:does|do|is|will|would)\b.*\b(?:cost|charge|pay)|price|pricing|cost|fee|fees)\b|多少钱|价格|价钱|费用|收费/iu],
  ['duration', /\bhow long\b|\bhow many (?:seconds|minutes|hours|days|weeks|months|years)\b|多久|多长时间|多少(?:秒|分钟|小时|天|周|个月|年)|期限|时长/iu],
  ['date', /\bwhen\b|\bwhat (?:date|year|day|month)\b|\bwhich (?:date|year|day|month)\b|什么时候|何时|哪一?年|哪一?天|几月|几号|日期|时间是/iu],
  ['number', /\bhow (?:many|much)\b|\bwhat (?:is|are) the (?:number|maximum|minimum|limit|max|min)\b|\bhow (?:large|big|small)\b|多少|几个|几种|几次|数量|上限|最多|最少/iu],
  ['name', /^\s*(?:who|whom|whose)\b|\bwhat(?:'s| is) the name\b|\bwhich (?:company|person|team|organi[sz]ation|tool|command|file|version)\b|谁|哪位|哪个(?:公司|人|团队|机构|单位|部门|学院)|名字|名称/iu],
  ['steps', /\bsteps?\b|\bstep[- ]by[- ]step\b|\bprocedure\b|\bprocess (?:for|to|of)\b|步骤|流程|程序|过程/iu],
  ['yes_no', /^\s*(?:is|are|can|could|does|do|did|will|would|should|has|have|was|were|may|must)\b|[吗么]\s*[？?]?\s*$|是否|能否|可否|有没有|是不是|能不能|可不可以/iu],
];

/** What an answer of each kind holds somewhere: a figure, a date, a list of steps… */
const answerPatterns: Record<AnswerType, RegExp> = {
  price: /[$€£¥￥]\s?\d|\d[\d,.]*\s?(?:usd|eur|gbp|dollars?|euros?|cents?|元|美元|块)|\bfree\b|免费|\d+(?:\.\d+)?\s*(?:元|万|亿)/iu,
  duration: new RegExp(`\\d+(?:[.,]\\d+)?\\s*(?:(?:business|working|calendar|full)\\s+)?${timeUnits}|\\b(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|few|several)\\s+${timeUnits}|[\\d一二三四五六七八九十两几半]+\\s*个?(?:工作|自然)?(?:秒|分钟|小时|天|日|周|星期|月|年)|immediately|instantly|立即|马上`, 'iu'),
  date: new RegExp(`\\b(?:1[89]|20)\\d{2}\\b|\\b${monthNames}\\b|\\d{1,2}[/.-]\\d{1,2}[/.-]\\d{2,4}|\\d{4}-\\d{2}-\\d{2}|\\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|tomorrow|daily|weekly|monthly|annually)\\b|[\\d一二三四五六七八九十〇零]+\\s*[年月日号]|每[天日周月年]|星期`, 'iu'),
  number: /\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|hundred|thousand|million|dozen|single|unlimited|no limit)\b|[一二三四五六七八九十百千万亿两]/iu,
  name: /(?<![.!?]\s|^)\b\p{Lu}[\p{L}\p{N}]+|\p{Script=Han}{2,}/u,
  steps: /(?:^|\n)\s*(?:\d{1,2}[.)、]|[-*•])\s+|\b(?:first|then|next|finally|after that)\b|首先|然后|接着|最后|第[一二三四五]步/iu,
  yes_no: /\b(?:yes|no|not|n't|can|cannot|only|must|always|never|supports?|allows?|requires?)\b|是|不|可以|能|没有|支持|需要|必须/iu,
};

/** The kinds of answer the question asks for (none: any answer will do). */
export function askedAnswerTypes(question: string): AnswerType[] {
  return questionTypes.filter(([, pattern]) => pattern.test(question)).map(([type]) => type);
}

/** Whether the answer holds the kind of answer the question asks for (true when it asks for none in particular). */
export function answerTypeFound(question: string, answerText: string): boolean {
  const asked = askedAnswerTypes(question);
  // A "how much does it cost" question is also a "how much" (number) one: the most specific kind decides.
  const decisive = asked[0];
  return decisive === undefined || answerPatterns[decisive].test(answerText);
}

// ── Numbers and retrieval agreement ────────────────────────────────────────────────

const figurePattern = /\d+(?:[.,:]\d+)*/gu;

/** Share of the question's figures ("v4.3", "2023", "10") found in the cited text; 1 when it has none. */
export function numberConsistency(question: string, citedText: string): number {
  const figures = new Set([...question.matchAll(figurePattern)].map((match) => match[0].replace(/,(?=\d{3}\b)/g, '')));
  if (figures.size === 0) return 1;
  const cited = new Set([...citedText.matchAll(figurePattern)].map((match) => match[0].replace(/,(?=\d{3}\b)/g, '')));
  let found = 0;
  for (const figure of figures) if (cited.has(figure)) found += 1;
  return found / figures.size;
}

/** Passages, from the top, over which agreement is measured. */
const agreementPassages = 3;

export function legAgreement(passages: readonly Pick<Passage, 'lexicalScore' | 'vectorSimilarity'>[]): number {
  const top = passages.slice(0, agreementPassages);
  if (top.length === 0 || !passages.some((passage) => passage.vectorSimilarity !== undefined)) return 0;
  return top.filter((passage) => passage.lexicalScore !== undefined && passage.vectorSimilarity !== undefined).length / top.length;
}

export function topDocumentAgreement(passages: readonly Pick<Passage, 'documentId'>[]): number {
  const [first, ...rest] = passages.slice(0, agreementPassages);
  if (!first || rest.length === 0) return first ? 1 : 0;
  return rest.filter((passage) => passage.documentId === first.documentId).length / rest.length;
}

export function scoreGap(passages: readonly Pick<Passage, 'score'>[]): number {
  const [first, second] = passages;
  if (!first) return 0;
  if (!second) return 1;
  if (!(first.score > 0)) return 0;
  return clamp((first.score - second.score) / first.score);
}

function asPassage(text: string): AbstentionEvidence['passages'][number] {
  return { text, title: null, heading: null, headingPath: [], score: 0 };
}

function clamp(value: number): number {
  return Math.min(1, Math.max(0, value));
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
