import type { AnswerHandoff, AnswerLanguage, KbSettings, RetrievalInfo } from '../core/index.ts';
import type { GenerationOutcome } from './answer-outcome.ts';

/**
 * The answer side of a hand-off to a human (docs/kb-settings.md, "Hand-off"): the
 * `handoff` an answer carries, and the reply to a request for a human, which is
 * answered from the KB's settings, not from its documents.
 */

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

/** The `model` of the replies to a request for a human: written by no model, from no passage. */
export const handoffModelName = 'handoff';

/** The reply to a request for a human, as an answer outcome. */
export function requestedHandoffOutcome(handoff: AnswerHandoff, language: AnswerLanguage): GenerationOutcome {
  // It says exactly what the KB's settings say to do: certain, though drawn from no passage.
  return { text: handoffReply(handoff, language), mode: 'extractive', model: handoffModelName, confidence: 1 };
}

/** The retrieval info of an answer that retrieved nothing (a request for a human). */
export function notRetrieved(question: string): RetrievalInfo {
  return { mode: 'lexical', embedder: null, query: question, queryTerms: [], matchedTerms: [], lexicalMs: 0, vectorMs: 0 };
}
