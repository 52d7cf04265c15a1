import type { SearchFilters } from '../../src/core/index.ts';
import type { EvalCase } from '../types.ts';
import { shuffle } from './risk-control.ts';

/**
 * Synthetic "answer removed" cases for `oriole calibrate --remove-share`: an answerable case
 * asked with its gold documents held out of retrieval, as if the KB lacked them. It then
 * has no answer in the KB: an answer given to it counts as wrong, an abstention as an
 * abstention (`answerable: false`). Nothing stored changes: the hold-out is a retrieval
 * filter on that one request. Pure.
 */

/** The tag the cases asked with their gold documents held out carry in eval rows. */
export const answerRemovedTag = 'answer_removed';

export interface AnswerRemovedCases {
  /** Every case, the chosen ones turned into answer-removed cases. */
  cases: EvalCase[];
  /** The documents (sources) held out for each answer-removed case, by case id. */
  heldOutSources: Map<string, readonly string[]>;
}

/**
 * Turns `share` of the answerable cases that name gold sources (chosen with `random`,
 * rounded) into answer-removed cases; the others are left as they are.
 */
export function withAnswersRemoved(cases: readonly EvalCase[], share: number, random: () => number): AnswerRemovedCases {
  if (!(share >= 0 && share <= 1)) throw new RangeError(`share must be in [0, 1]; got ${share}`);
  const eligible = cases.filter((evalCase) => evalCase.answerable !== false && (evalCase.gold_sources?.length ?? 0) > 0);
  const chosen = new Set(shuffle(eligible, random).slice(0, Math.round(eligible.length * share)));
  const heldOutSources = new Map<string, readonly string[]>();
  const all = cases.map((evalCase) => {
    if (!chosen.has(evalCase)) return evalCase;
    heldOutSources.set(evalCase.id, evalCase.gold_sources ?? []);
    return { ...evalCase, answerable: false, tags: [...(evalCase.tags ?? []), answerRemovedTag] };
  });
  return { cases: all, heldOutSources };
}

/**
 * The filters an answer-removed case is asked with: the KB's own default filters (which a
 * request's filters replace, so they are carried over), restricted to the documents
 * `available` to them (every source of the KB, or the KB filter's sources) but the held-out ones.
 */
export function filtersHoldingOut(available: readonly string[], heldOut: readonly string[], kbFilters: SearchFilters | undefined): SearchFilters {
  const removed = new Set(heldOut);
  const sources = (kbFilters?.sources ?? available).filter((source) => !removed.has(source));
  return { ...kbFilters, sources };
}
