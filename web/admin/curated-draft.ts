/**
 * A curated answer started elsewhere in the console (Insights: a rated-down answer, an
 * unanswered group), carried to the curated-answers section in the history entry's state,
 * not in the URL: questions users typed stay out of addresses and logs, Back returns to
 * Insights, Forward brings the draft back, and a reload keeps it.
 */
export interface CuratedDraft {
  /** The knowledge base it was started in: another KB's draft is ignored. */
  kb: string;
  /** Phrasings to start with (at most 20, the first the question itself). */
  questions: string[];
  /** The rated-down answer it fixes: sent as `fromAnswerId`, whose question the server makes the first phrasing. */
  fromAnswerId?: string;
  /** What was rated down, shown beside the form while the fix is written. */
  ratedDown?: { answer: string; comment: string | null };
}

/** The server's bounds (src/api/limits.ts), as the form's field limits; the server checks them again. */
export const curatedLimits = { questions: 20, questionChars: 500, answerChars: 8_000, citations: 20 } as const;

const stateKey = 'oriole.curatedDraft';

/** Opens the curated-answers section with this draft in the new history entry. */
export function openCuratedDraft(draft: CuratedDraft): void {
  location.hash = 'curated';
  // The hash change has pushed the new entry; its `hashchange` event, which shows the section, comes after this.
  history.replaceState({ ...(history.state as object | null), [stateKey]: draft }, '');
}

/** The draft of the current history entry, for this KB. */
export function readCuratedDraft(kb: string): CuratedDraft | undefined {
  const draft = (history.state as Record<string, unknown> | null)?.[stateKey] as CuratedDraft | undefined;
  if (!draft || draft.kb !== kb || !Array.isArray(draft.questions)) return undefined;
  return draft;
}

/** Once saved or discarded, the entry forgets the draft (a reload or Forward then does not reopen it). */
export function clearCuratedDraft(): void {
  const state = history.state as Record<string, unknown> | null;
  if (!state || !(stateKey in state)) return;
  const { [stateKey]: _dropped, ...rest } = state;
  history.replaceState(Object.keys(rest).length > 0 ? rest : null, '');
}

/** Phrasings for a new curated answer: repeats (case and spacing aside) dropped, empty ones too, at most 20. */
export function draftPhrasings(questions: readonly string[]): string[] {
  const seen = new Set<string>();
  const kept: string[] = [];
  for (const question of questions) {
    const text = question.trim();
    const key = text.toLowerCase().replace(/\s+/g, ' ');
    if (!text || seen.has(key)) continue;
    seen.add(key);
    kept.push(text);
  }
  return kept.slice(0, curatedLimits.questions);
}
