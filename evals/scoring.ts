import { citationMarker, handoffModelName, markerNumbers, replaceMarkers, resolveCitations, stripMarkers } from '../src/answer/index.ts';
import type { AnswerResponse, Passage } from '../src/core/index.ts';
import { referenceText } from './cases.ts';
import { checkNuggets, hitAtK, ndcgAtK, recallAtK, reciprocalRankAtK, tokenF1, tokenRecall } from './metrics.ts';
import type { CaseMetrics, EvalCase, EvalRow, FailureKind, NuggetResult } from './types.ts';

/**
 * One case scored: pure, from the case and what the answer service returned (its
 * `sources` passages and its `done` response). I/O (asking, judging) is the runner's.
 */

/** Under this, an answer counts as wrong (`answer_wrong`): judge correctness, or reference token recall without a judge. */
export const wrongAnswerThreshold = 0.5;

export interface AnsweredCase {
  response: AnswerResponse;
  passages: Passage[];
  latencyMs: number;
}

export interface JudgeScores {
  correctness: number | null;
  faithfulness: number | null;
  unsupportedClaims?: string[];
  error?: string;
}

const codePattern = /```[\s\S]*?(?:```|$)|`[^`\n]*`/g;

export function scoreAnsweredCase(evalCase: EvalCase, answered: AnsweredCase, k: number, judged: JudgeScores | null): EvalRow {
  const { response, passages } = answered;
  const answerable = evalCase.answerable !== false;
  const goldSources = answerable ? (evalCase.gold_sources ?? []) : [];
  const retrievedSources = [...new Set(passages.map((passage) => passage.source))];
  const citedSources = [...new Set(response.citations.map((citation) => citation.source))];
  const reference = answerable ? referenceText(evalCase) : null;
  const answerText = response.abstained ? '' : stripMarkers(response.answer);
  // An abstention holds no nugget: on an answerable case it fails them.
  const nuggets = answerable ? checkNuggets(answerText, { all: evalCase.nuggets_all, any: evalCase.nuggets_any }) : null;

  const metrics: CaseMetrics = {
    ...retrievalMetrics(retrievedSources, goldSources, k),
    tokenF1: reference === null ? null : response.abstained ? 0 : tokenF1(answerText, reference),
    referenceRecall: reference === null ? null : response.abstained ? 0 : tokenRecall(answerText, reference),
    correctness: reference === null || !judged ? null : response.abstained ? 0 : judged.correctness,
    ...citationMetrics(citedSources, goldSources),
    citationValidity: citationValidity(response, passages),
    faithfulness: !writtenFromPassages(response) ? null : judged ? judged.faithfulness : supportedSentenceShare(response, passages),
    nuggetRecall: nuggets === null ? null : nuggets.passed ? 1 : 0,
  };
  const row: EvalRow = {
    ...caseFields(evalCase),
    answer: response.answer,
    abstained: response.abstained,
    reason: response.reason ?? null,
    confidence: response.confidence,
    mode: response.mode,
    citations: response.citations.map(({ index, source, title, snippet, supported }) => ({ index, source, title, snippet, supported })),
    retrievedSources,
    metrics,
    latencyMs: answered.latencyMs,
    failure: null,
    ...(nuggets === null ? {} : { nuggets: nuggets satisfies NuggetResult }),
  };
  row.failure = classifyFailure(row, citedSources);
  if (judged?.unsupportedClaims && judged.unsupportedClaims.length > 0) row.unsupportedClaims = judged.unsupportedClaims;
  if (judged?.error) row.judgeError = judged.error;
  return row;
}

/** A case the answer service failed on: no metrics, failure `error`. */
export function erroredCase(evalCase: EvalCase, message: string, latencyMs: number): EvalRow {
  return {
    ...caseFields(evalCase),
    answer: '',
    abstained: false,
    reason: null,
    mode: null,
    citations: [],
    retrievedSources: [],
    metrics: unscoredMetrics(),
    latencyMs,
    failure: 'error',
    error: message,
  };
}

/** Every per-case metric null: a case that was never scored. */
export function unscoredMetrics(): CaseMetrics {
  return {
    hitAtK: null,
    recallAtK: null,
    reciprocalRank: null,
    ndcgAtK: null,
    tokenF1: null,
    referenceRecall: null,
    correctness: null,
    citationPrecision: null,
    citationRecall: null,
    citationValidity: null,
    faithfulness: null,
    nuggetRecall: null,
  };
}

function caseFields(evalCase: EvalCase) {
  const answerable = evalCase.answerable !== false;
  return {
    id: evalCase.id,
    question: evalCase.question,
    history: evalCase.history ?? [],
    tags: evalCase.tags ?? [],
    answerable,
    referenceAnswer: referenceText(evalCase),
    goldSources: answerable ? (evalCase.gold_sources ?? []) : [],
  };
}

function retrievalMetrics(retrieved: string[], gold: string[], k: number) {
  return {
    hitAtK: hitAtK(retrieved, gold, k),
    recallAtK: recallAtK(retrieved, gold, k),
    reciprocalRank: reciprocalRankAtK(retrieved, gold, k),
    ndcgAtK: ndcgAtK(retrieved, gold, k),
  };
}

/** Cited documents against gold ones; precision is null without citations, both null without gold. */
function citationMetrics(cited: string[], gold: string[]) {
  if (gold.length === 0) return { citationPrecision: null, citationRecall: null };
  const goldSet = new Set(gold);
  const citedGold = cited.filter((source) => goldSet.has(source)).length;
  return {
    citationPrecision: cited.length === 0 ? null : citedGold / cited.length,
    citationRecall: citedGold / goldSet.size,
  };
}

/** Share of the answer's markers `[n]` that name a citation of a retrieved passage; null without markers. */
export function citationValidity(response: AnswerResponse, passages: readonly Passage[]): number | null {
  const retrieved = new Set(passages.map((passage) => passage.chunkId));
  const valid = new Set(response.citations.filter((citation) => retrieved.has(citation.chunkId)).map((citation) => citation.index));
  const markers = markerNumbers(response.answer.replace(codePattern, ''));
  if (markers.length === 0) return null;
  return markers.filter((marker) => valid.has(marker)).length / markers.length;
}

/**
 * Faithfulness without a judge: the share of the answer's sentences that Oriole's own
 * support check finds backed by the passages they cite. The answer's markers are
 * citation numbers; they are mapped back to passage positions and checked again.
 */
export function supportedSentenceShare(response: AnswerResponse, passages: readonly Passage[]): number | null {
  const positionOf = new Map(
    response.citations.map((citation) => [citation.index, passages.findIndex((passage) => passage.chunkId === citation.chunkId) + 1]),
  );
  const asPositions = replaceMarkers(response.answer, (index, marker) => {
    const position = positionOf.get(index) ?? 0;
    return position > 0 ? citationMarker(position) : marker;
  });
  const { sentences } = resolveCitations(asPositions, passages);
  if (sentences.length === 0) return null;
  return sentences.filter((sentence) => sentence.supported).length / sentences.length;
}

/**
 * Whether the answer was written from retrieved passages, so its grounding can be checked:
 * not an abstention, not a curated answer (a support team's text, served as written) and
 * not the reply to a request for a human (written from the KB's hand-off settings).
 */
function writtenFromPassages(response: AnswerResponse): boolean {
  return !response.abstained && response.mode !== 'curated' && response.model !== handoffModelName;
}

/** Where the case failed, in pipeline order (see FailureKind); null when it passed. */
export function classifyFailure(row: EvalRow, citedSources: readonly string[]): FailureKind | null {
  if (!row.answerable) return row.abstained ? null : 'answered_unanswerable';
  if (row.abstained) return 'abstained_wrongly';
  if (row.goldSources.length > 0) {
    const gold = new Set(row.goldSources);
    if (!row.retrievedSources.some((source) => gold.has(source))) return 'not_retrieved';
    if (!citedSources.some((source) => gold.has(source))) return 'retrieved_not_cited';
  }
  const agreement = row.metrics.correctness ?? row.metrics.referenceRecall;
  if (agreement !== null && agreement < wrongAnswerThreshold) return 'answer_wrong';
  if (row.nuggets && !row.nuggets.passed) return 'answer_wrong';
  return null;
}
