// Answers: the pure reader and checkers (language, sentences, support, citations,
// extractive reader, abstention, follow-ups, prompts), then orchestration and generation.
export { detectLanguage } from './language.ts';
export { splitSentences, splitTextUnits } from './sentences.ts';
export type { TextUnit, TextUnitKind } from './sentences.ts';
export { supportScore, supportingSpan, supportThreshold } from './support.ts';
export { resolveCitations } from './citations.ts';
export type { ResolvedAnswer, ResolvedSentence } from './citations.ts';
export { extractiveAnswer } from './extractive.ts';
export type { ExtractiveAnswer } from './extractive.ts';
export { decideAbstention, isModelDecline, abstentionAnswer } from './abstention.ts';
export type { AbstentionDecision, AbstentionEvidence, AbstentionReason } from './abstention.ts';
export { groundedAnswerMessages } from './prompt.ts';
export { isFollowUp, rewriteFollowUp, followUpRewriteMessages } from './follow-up.ts';
