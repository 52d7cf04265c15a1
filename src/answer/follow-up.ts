import type { ChatTurn } from '../core/index.ts';
import { lexicalTerms } from '../retrieval/index.ts';
import { stripMarkers } from './citation-markers.ts';
import { detectLanguage } from './language.ts';
import type { ChatMessage } from './generation/index.ts';
import { truncateText } from './support.ts';

/** A question with at most this many content terms may lean on the one before it. */
export const followUpMaxTerms = 3;
/** A question opening with a follow-up cue ("and for…", "what about…") may have up to this many. */
export const cuedFollowUpMaxTerms = 6;
/** Turns of history shown to a model rewriting a follow-up. */
export const rewriteHistoryTurns = 6;

// "and for annual plans?", "what about Android?", "same for iOS?", "那年付呢？", "还有呢".
const englishCue = /^\s*(?:and|or|but|also|so|then|what about|how about|what if|same for|and for|and if|and what about|and how about|what else)\b[\s,]*/iu;
const chineseCue = /^\s*(?:那么|那|还有|另外|然后|如果是|要是|换成)/u;
const chineseTrailingParticle = /[呢吗][？?。!！]*\s*$/u;
const englishReference = /\b(?:it|its|that|this|they|them|those|these|there|one|ones)\b/iu;
const chineseReference = /它|这个|那个|这些|那些|该/u;
const englishPreposition = /\b(?:for|on|in|with|to|from|by|via|under|during|after|before)\b/giu;
const trailingPunctuation = /[\s?？。.!！,，]+$/u;

/** Whether `question` only makes sense with the previous user question ("and for annual plans?"). */
export function isFollowUp(question: string, history: readonly ChatTurn[]): boolean {
  if (!previousUserQuestion(history)) return false;
  const terms = lexicalTerms(question).length;
  if (terms === 0) return true;
  if (detectLanguage(question) === 'zh') {
    const cued = chineseCue.test(question) || chineseTrailingParticle.test(question) || chineseReference.test(question);
    return cued && hanLength(question) <= 8;
  }
  if (englishCue.test(question)) return terms <= cuedFollowUpMaxTerms;
  return terms <= followUpMaxTerms && englishReference.test(question);
}

/**
 * A standalone version of a follow-up, without a model: the follow-up's new words put
 * in place of the matching part of the previous user question ("How do I get a refund
 * for a monthly plan?" + "and for annual plans?" → "How do I get a refund for annual
 * plans?"), or the previous question's key words added. Standalone questions come back
 * unchanged.
 */
export function rewriteFollowUp(question: string, history: readonly ChatTurn[]): string {
  if (!isFollowUp(question, history)) return question;
  const previousIndex = history.findLastIndex((turn) => turn.role === 'user');
  // The previous question may itself have been a follow-up.
  const previous = rewriteFollowUp(history[previousIndex]!.content, history.slice(0, previousIndex));
  return detectLanguage(question) === 'zh' ? rewriteChinese(question, previous) : rewriteEnglish(question, previous);
}

function rewriteEnglish(question: string, previous: string): string {
  const core = question.replace(englishCue, '').replace(trailingPunctuation, '').trim();
  const previousBody = previous.replace(trailingPunctuation, '').trim();
  if (lexicalTerms(core).length === 0) return previous;
  if (!englishReference.test(core) || startsWithPreposition(core)) {
    const lastPreposition = Array.from(previousBody.matchAll(englishPreposition)).at(-1);
    if (lastPreposition) {
      const phrase = startsWithPreposition(core) ? core : `${lastPreposition[0]} ${core}`;
      return `${previousBody.slice(0, lastPreposition.index).trimEnd()} ${phrase}?`;
    }
  }
  return `${question.trim()} (${keyWords(previousBody, core).join(' ')})`;
}

function rewriteChinese(question: string, previous: string): string {
  const core = question.replace(chineseCue, '').replace(chineseTrailingParticle, '').replace(trailingPunctuation, '').trim();
  if (core === '' || /^(?:还有|其他|别的)$/u.test(core)) return previous;
  const counterpart = counterpartIn(previous, core);
  if (counterpart) return previous.replace(counterpart, core);
  return `${core}：${previous}`;
}

/**
 * The part of the previous question a short Chinese follow-up replaces: a run of the
 * same length sharing its last character ("月付" for "年付") or its first.
 */
function counterpartIn(previous: string, core: string): string | undefined {
  const characters = Array.from(core);
  if (characters.length < 2 || characters.length > 4 || !/^\p{Script=Han}+$/u.test(core)) return undefined;
  const previousCharacters = Array.from(previous);
  for (let start = 0; start + characters.length <= previousCharacters.length; start++) {
    const window = previousCharacters.slice(start, start + characters.length);
    if (window.join('') === core) return undefined;
    const sharesEnd = window.at(-1) === characters.at(-1);
    const sharesStart = window[0] === characters[0];
    if ((sharesEnd || sharesStart) && window.every((character) => /\p{Script=Han}/u.test(character))) return window.join('');
  }
  return undefined;
}

function startsWithPreposition(text: string): boolean {
  return /^(?:for|on|in|with|to|from|by|via|under|during|after|before)\b/iu.test(text);
}

/** Words of the previous question that carry content and that the follow-up does not repeat. */
function keyWords(previous: string, followUp: string): string[] {
  const followUpTerms = new Set(lexicalTerms(followUp));
  return previous
    .split(/\s+/)
    .map((word) => word.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ''))
    .filter((word) => {
      const terms = lexicalTerms(word);
      return terms.length > 0 && terms.some((term) => !followUpTerms.has(term));
    });
}

function previousUserQuestion(history: readonly ChatTurn[]): string | undefined {
  return history.findLast((turn) => turn.role === 'user')?.content;
}

function hanLength(text: string): number {
  return text.match(/\p{Script=Han}/gu)?.length ?? 0;
}

/** Messages asking a model to rewrite a follow-up as a standalone question in its own language. */
export function followUpRewriteMessages(question: string, history: readonly ChatTurn[]): ChatMessage[] {
  const language = detectLanguage(question) === 'zh' ? 'Chinese' : 'English';
  const conversation = history
    .slice(-rewriteHistoryTurns)
    .map((turn) => `${turn.role === 'user' ? 'User' : 'Assistant'}: ${truncateText(stripMarkers(turn.content), 500)}`)
    .join('\n');
  return [
    {
      role: 'system',
      content: [
        'You rewrite the last message of a help-center conversation as a standalone search question.',
        'Keep its meaning, and carry over from the conversation the product, feature, plan or subject it refers to.',
        `Write it in ${language}, the language of the last message. If it is already standalone, return it unchanged.`,
        'Output only the question: no answer, no explanation, no quotes.',
      ].join('\n'),
    },
    { role: 'user', content: `Conversation:\n${conversation}\n\nLast message: ${question}\n\nStandalone question:` },
  ];
}
