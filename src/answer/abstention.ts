import type { AnswerLanguage, Passage } from '../core/index.ts';
import { lexicalTerms } from '../retrieval/index.ts';
import { hasMarker } from './citation-markers.ts';
import type { ResolvedSentence } from './citations.ts';
import { termsCoveredByEquivalents } from './equivalent-terms.ts';
import { correctedSpelling, genericHanWords, genericTermWeight, isGenericHanCharacter, isHanTerm, topicWeight } from './key-terms.ts';
import { claimText } from './support.ts';

/**
 * Why an answer was withheld; `low_confidence`: its `confidence` is under the KB's
 * `minConfidence` (confidence.ts); `conflicting_sources`: its sources state different
 * values for what was asked and none can be preferred (source-conflicts.ts).
 */
export const abstentionReasons = ['no_passages', 'low_coverage', 'unsupported', 'model_declined', 'low_confidence', 'conflicting_sources'] as const;
export type AbstentionReason = (typeof abstentionReasons)[number];

/**
 * Below this weighted share of the question's key terms found in the top passages,
 * the knowledge base is taken not to answer the question. Calibrated on the sample
 * help center: an unanswerable question about the same product ("Can I pay with
 * Bitcoin?") keeps its generic words and loses its topic word, landing near 0.35;
 * paraphrased answerable ones keep their topic words, 0.7 and up.
 */
export const minKeyTermCoverage = 0.55;
/** Passages, from the top of the ranking, whose terms count as covering the question. */
export const coveragePassages = 3;
/**
 * A question term no chunk of the KB contains weighs this much more than one some
 * chunk contains: it is the rarest kind of term and usually the question's subject
 * ("Bitcoin", "Bluetooth"), which is exactly what the KB does not cover.
 */
export const unmatchedTermWeight = 2;
/**
 * A question needs its top passages to cover at most this much key-term weight (a topic
 * term weighs 1): a long, chatty question ("so my team was having this big problem with
 * …") is answered when the passages cover as much as a short one needs, whatever share
 * of its persona and chat words they lack.
 */
export const maxCountedTermWeight = 12;
/**
 * With a vector leg, a top passage at least this similar to the question is taken as a
 * paraphrase match: the question then needs only minCoverageWithCloseVector.
 * Calibrated for bge-small cosines, where unrelated help text scores about 0.6–0.75.
 */
export const closeVectorSimilarity = 0.85;
export const minCoverageWithCloseVector = 0.35;
/** The extractive reader's best sentence must cover at least this share of the question's weighted terms. */
export const minReaderConfidence = 0.2;
/** At least this share of an answer's claims must be supported by their citations. */
export const minSupportedShare = 0.5;

export interface AbstentionEvidence {
  /** The question's lexical terms (RetrievalInfo.queryTerms). */
  questionTerms: readonly string[];
  /** Those that match at least one chunk of the KB (RetrievalInfo.matchedTerms). */
  matchedTerms: readonly string[];
  /** The retrieved passages, best first. */
  passages: readonly Pick<Passage, 'text' | 'title' | 'heading' | 'headingPath' | 'score' | 'lexicalScore' | 'vectorSimilarity'>[];
  /** The extractive reader's confidence (ExtractiveAnswer.confidence), when it answered. */
  readerConfidence?: number;
  /** The answer's sentences as resolveCitations checked them, when there is an answer. */
  sentences?: readonly ResolvedSentence[];
  /** The model replied that it does not know (isModelDecline). */
  modelDeclined?: boolean;
}

export interface AbstentionDecision {
  abstain: boolean;
  reason?: AbstentionReason;
  /** For logs and eval reports: the measured value and the bound it missed. */
  detail?: string;
  /** The weighted share of the question's key terms found in the top passages. */
  keyTermCoverage?: number;
}

/** Whether to answer or say honestly that the knowledge base does not say, and why. */
export function decideAbstention(evidence: AbstentionEvidence): AbstentionDecision {
  if (evidence.modelDeclined) return { abstain: true, reason: 'model_declined', detail: 'the model said the passages do not answer' };
  if (evidence.passages.length === 0) return { abstain: true, reason: 'no_passages', detail: 'no passage matched the question' };

  const keyTermCoverage = questionCoverage(evidence.questionTerms, evidence.matchedTerms, evidence.passages);
  const topSimilarity = Math.max(0, ...evidence.passages.map((passage) => passage.vectorSimilarity ?? 0));
  const requiredCoverage = topSimilarity >= closeVectorSimilarity ? minCoverageWithCloseVector : minKeyTermCoverage;
  if (keyTermCoverage < requiredCoverage) {
    return {
      abstain: true,
      reason: 'low_coverage',
      detail: `key-term coverage ${keyTermCoverage.toFixed(2)} < ${requiredCoverage}`,
      keyTermCoverage,
    };
  }
  if (evidence.readerConfidence !== undefined && evidence.readerConfidence < minReaderConfidence) {
    return {
      abstain: true,
      reason: 'unsupported',
      detail: `reader confidence ${evidence.readerConfidence.toFixed(2)} < ${minReaderConfidence}`,
      keyTermCoverage,
    };
  }
  const supportedShare = evidence.sentences ? supportedClaimShare(evidence.sentences) : 1;
  if (supportedShare < minSupportedShare) {
    return {
      abstain: true,
      reason: 'unsupported',
      detail: `supported sentences ${supportedShare.toFixed(2)} < ${minSupportedShare}`,
      keyTermCoverage,
    };
  }
  return { abstain: false, keyTermCoverage };
}

/**
 * The weighted share of the question's key terms that occur in the top passages
 * (titles and headings included). Terms weigh by what they say about the topic
 * (topicWeight: question words little, action verbs half, identifiers more), terms
 * absent from the whole KB double, and at most maxCountedTermWeight of the question's
 * weight is asked for. A term counts as found when the passages have it, a likely
 * spelling of it (correctedSpelling) or an equivalent word (equivalent-terms.ts:
 * "auth" for "authentication", "区别" for "不同"); a term found either of the last two
 * ways is not taken as absent from the KB. Chinese is compared by character: question
 * bigrams that straddle two words ("码了" in "忘记密码了") never occur in documents, but
 * each of their characters is covered by a real word's bigram.
 */
export function questionCoverage(
  questionTerms: readonly string[],
  matchedTerms: readonly string[],
  passages: AbstentionEvidence['passages'],
): number {
  const matched = new Set(matchedTerms);
  const passageTerms = new Set(
    passages
      .slice(0, coveragePassages)
      .flatMap((passage) => lexicalTerms([passage.title ?? '', ...passage.headingPath, passage.heading ?? '', passage.text].join('\n'))),
  );
  const terms = [...new Set(questionTerms)];
  const viaEquivalent = termsCoveredByEquivalents(terms, passageTerms);
  const found = (term: string) => passageTerms.has(term) || viaEquivalent.has(term);
  let total = 0;
  let covered = 0;
  for (const term of terms.filter((candidate) => !isHanTerm(candidate))) {
    // A term no chunk contains but a passage term is a likely spelling of counts as that term.
    const corrected = matched.has(term) || viaEquivalent.has(term) ? undefined : correctedSpelling(term, passageTerms);
    const known = matched.has(term) || viaEquivalent.has(term) || corrected !== undefined;
    const weight = topicWeight(corrected ?? term) * (known ? 1 : unmatchedTermWeight);
    total += weight;
    if (found(term) || corrected) covered += weight;
  }
  const hanTerms = terms.filter(isHanTerm);
  // Words of the question's frame ("区别", "意思") count as generic words, not by character.
  for (const term of hanTerms.filter((candidate) => genericHanWords.has(candidate))) {
    total += genericTermWeight;
    if (found(term)) covered += genericTermWeight;
  }
  const topicHanTerms = hanTerms.filter((term) => !genericHanWords.has(term));
  const frameCharacters = new Set(hanTerms.filter((term) => genericHanWords.has(term)).flatMap((term) => Array.from(term)));
  const characters = new Set(
    topicHanTerms
      .flatMap((term) => Array.from(term))
      .filter((character) => !isGenericHanCharacter(character) && !frameCharacters.has(character)),
  );
  for (const character of characters) {
    const containing = topicHanTerms.filter((term) => term.includes(character));
    const weight = containing.some((term) => matched.has(term) || viaEquivalent.has(term)) ? 1 : unmatchedTermWeight;
    total += weight;
    if (containing.some(found)) covered += weight;
  }
  return total === 0 ? 0 : covered / Math.min(total, maxCountedTermWeight);
}

function supportedClaimShare(sentences: readonly ResolvedSentence[]): number {
  const claims = sentences.filter((sentence) => lexicalTerms(claimText(sentence.text)).length > 0);
  if (claims.length === 0) return 1;
  return claims.filter((sentence) => sentence.supported).length / claims.length;
}

const englishDecline =
  /\b(?:i (?:do not|don'?t) know|i (?:could ?n[o']t|can ?n[o']t|cannot|was unable to|am unable to|wasn'?t able to) (?:find|answer|locate)|(?:the )?(?:provided |given )?(?:passages?|context|documents?|knowledge base|sources?) (?:do(?:es)? ?n[o']t|do(?:es)? not|did not|didn'?t) (?:contain|mention|include|say|cover|provide|specify)|there is no (?:relevant )?information|no relevant information|not (?:mentioned|covered|specified) in the (?:passages|context|documents|knowledge base))\b/iu;
const chineseDecline =
  /我不知道|不清楚|没有找到|未找到|找不到|无法找到|没有相关信息|没有提供相关|没有提及|未提及|没有提到|未提供|无法回答|不能回答|资料中没有|文档中没有|段落中没有/u;
/** A reply longer than this that also cites passages is an answer with a caveat, not a decline. */
const declineMaxCharacters = 160;

/** Whether a model's reply says it does not know rather than answering. */
export function isModelDecline(text: string, language: AnswerLanguage): boolean {
  const reply = text.trim();
  const declines = englishDecline.test(reply) || (language === 'zh' && chineseDecline.test(reply)) || chineseDecline.test(reply);
  if (!declines) return false;
  const cites = hasMarker(reply);
  return !cites || reply.length <= declineMaxCharacters;
}

const abstentionAnswers: Record<AnswerLanguage, Record<'not_found' | 'unclear' | 'conflicting', string>> = {
  en: {
    not_found:
      "I couldn't find this in the knowledge base, so I can't answer it reliably. A support agent can help: please contact support.",
    unclear:
      "I found related articles, but they don't clearly answer this, so I'd rather not guess. A support agent can help: please contact support.",
    conflicting:
      "The articles I found disagree on this, so I can't tell you which is right. A support agent can help: please contact support.",
  },
  zh: {
    not_found: '抱歉，知识库中没有找到这个问题的答案，我无法可靠地回答。建议联系人工客服，他们可以帮助你。',
    unclear: '抱歉，我找到了一些相关文章，但它们没有明确回答这个问题，我不想猜测。建议联系人工客服，他们可以帮助你。',
    conflicting: '抱歉，我找到的几篇文章在这个问题上说法不一致，我无法判断哪个正确。建议联系人工客服，他们可以帮助你。',
  },
};

/** The short answer shown instead of an answer, in the question's language, pointing to a human. */
export function abstentionAnswer(language: AnswerLanguage, reason: AbstentionReason): string {
  if (reason === 'conflicting_sources') return abstentionAnswers[language].conflicting;
  const kind = reason === 'unsupported' || reason === 'model_declined' || reason === 'low_confidence' ? 'unclear' : 'not_found';
  return abstentionAnswers[language][kind];
}
