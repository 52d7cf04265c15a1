import type { AnswerLanguage, AnswerRequest, KbSettings, SearchFilters } from '../core/index.ts';
import { detectLanguage } from './language.ts';

/**
 * What a KB's answer settings (docs/kb-settings.md) change in one answer, worked out once
 * per request from the KB row the answer service reads anyway, so a settings change
 * takes effect on the next request on every replica.
 */

/**
 * The curated-answer match threshold when the KB sets none: a question must be at least
 * this similar to one of a curated answer's phrasings for it to win.
 */
export const defaultCuratedThreshold = 0.8;

/** The KB's `curatedThreshold`, or the default. */
export function curatedThresholdOf(kb: { settings: KbSettings }): number {
  return kb.settings.curatedThreshold ?? defaultCuratedThreshold;
}

/** How the answer is written: the prompt's persona, the abstention text, and whether the language is fixed. */
export interface AnswerVoice {
  /** Appended to the grounded prompt's rules; never replaces them. */
  persona?: string;
  /** The KB's abstention text for the answer's language, in place of the built-in one. */
  abstentionMessage?: string;
  /** The KB answers in one language whatever the question's (`answerLanguage`). */
  languageFixed: boolean;
}

export interface AppliedKbSettings {
  /** The request's topK, else the KB's, else the server's. */
  topK: number;
  /** The request's filters, else the KB's default filters. */
  filters?: SearchFilters;
  language: AnswerLanguage;
  voice: AnswerVoice;
}

/** The settings of one answer: the request's own values first, then the KB's, then the server's defaults. */
export function applyKbSettings(request: AnswerRequest, settings: KbSettings, serverTopK: number): AppliedKbSettings {
  const fixedLanguage = settings.answerLanguage !== undefined && settings.answerLanguage !== 'question' ? settings.answerLanguage : undefined;
  const language = fixedLanguage ?? detectLanguage(request.question);
  const persona = request.persona ?? settings.persona;
  const abstentionMessage = settings.abstentionMessage?.[language];
  const filters = request.filters ?? settings.filters;
  return {
    topK: request.topK ?? settings.topK ?? serverTopK,
    ...(filters ? { filters } : {}),
    language,
    voice: { ...(persona ? { persona } : {}), ...(abstentionMessage ? { abstentionMessage } : {}), languageFixed: fixedLanguage !== undefined },
  };
}
