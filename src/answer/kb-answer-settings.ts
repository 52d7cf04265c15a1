import type { AnswerHandoff, AnswerLanguage, AnswerRequest, KbSettings, SearchFilters } from '../core/index.ts';
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

/**
 * The hand-off an answer carries: on a request for a human always (the client can still
 * escalate its own way when the KB names no contact), on an abstention only when the KB
 * has a hand-off set; none otherwise.
 */
export function answerHandoff(settings: KbSettings, reason: AnswerHandoff['reason'] | undefined): AnswerHandoff | undefined {
  if (reason === undefined) return undefined;
  if (reason === 'abstained' && !settings.handoff) return undefined;
  const { url, email, label } = settings.handoff ?? {};
  return { reason, ...(url ? { url } : {}), ...(email ? { email } : {}), ...(label ? { label } : {}) };
}

/** The reply to a request for a human: where to reach one, or, honestly, that no contact is set up here. */
export function handoffReply(handoff: AnswerHandoff, language: AnswerLanguage): string {
  const { url, email, label } = handoff;
  if (language === 'zh') {
    const ways = [url ? `${label ?? '联系人工客服'}：${url}` : undefined, email ? `邮箱：${email}` : undefined].filter(Boolean);
    return ways.length > 0
      ? `好的，人工客服可以帮你。${ways.join('；')}`
      : '抱歉，这里没有设置人工客服的联系方式，请通过你平时联系我们的渠道找到人工客服。';
  }
  const ways = [url ? `${label ?? 'Contact support'}: ${url}` : undefined, email ? `Email: ${email}` : undefined].filter(Boolean);
  return ways.length > 0
    ? `Sure, a person from the support team can help. ${ways.join(' · ')}`
    : "Sorry, I can't reach a person from here: no contact is set up for this help center. Please contact the support team through your usual channel.";
}
