// Answers: the orchestration (answer-service), the pure reader and checkers, and LLM generation.
export { createAnswerService, defaultAnswerSettings } from './answer-service.ts';
export type { AnswerService, AnswerServiceDependencies, AnswerSettings, SearchRequest } from './answer-service.ts';
export { AnswerCache, answerCacheKey, defaultAnswerCacheEntries, normaliseQuestion } from './answer-cache.ts';
export type { CachedAnswer } from './answer-cache.ts';
export { createMarkerRewriter } from './stream-markers.ts';
export {
  citationMarker,
  citationMarkers,
  hasMarker,
  markerNumbers,
  replaceMarkers,
  stripMarkers,
} from './citation-markers.ts';
export type { RewrittenDelta } from './stream-markers.ts';
export * from './generation/index.ts';
export { detectLanguage } from './language.ts';
export { splitTextUnits } from './sentences.ts';
export { supportScore, supportingSpan, supportThreshold } from './support.ts';
export { resolveCitations } from './citations.ts';
export type { ResolvedAnswer, ResolvedSentence } from './citations.ts';
export { extractiveAnswer } from './extractive.ts';
export type { ExtractiveAnswer } from './extractive.ts';
export { abstentionReasons, decideAbstention, isModelDecline, abstentionAnswer } from './abstention.ts';
export {
  answerTypeFound,
  askedAnswerTypes,
  confidenceFeatureNames,
  confidenceFeatures,
  confidenceFromFeatures,
  minConfidenceSetting,
  sigmoid,
} from './confidence.ts';
export type { AnswerType, ConfidenceFeatureName, ConfidenceFeatures, ConfidenceInput, ConfidenceModel } from './confidence.ts';
export { confidenceModel } from './confidence-model.ts';
export { extractiveOutcome } from './answer-outcome.ts';
export { blendConfidence, logOdds, verifierSupportThreshold, verifyOutcome } from './verification.ts';
export type { AnswerVerification, VerificationResult, VerifiedOutcome, VerifierBlend } from './verification.ts';
export { verifierBlend } from './verifier-blend.ts';
export { askedValueKinds, findSourceConflicts, resolveSourceConflicts, reportedConflicts } from './source-conflicts.ts';
export type { DetectedConflict, ConflictStatement, ConflictResolution } from './source-conflicts.ts';
export { statedValues, valueKinds, valuesDiffer } from './stated-values.ts';
export type { StatedValue, ValueKind } from './stated-values.ts';
export type { Evidence, GenerationOutcome } from './answer-outcome.ts';
export type { AbstentionDecision, AbstentionEvidence, AbstentionReason } from './abstention.ts';
export { groundedAnswerMessages } from './prompt.ts';
export { isFollowUp, rewriteFollowUp, followUpRewriteMessages } from './follow-up.ts';
export { asksForHuman } from './human-request.ts';
export { applyKbSettings } from './kb-answer-settings.ts';
export { answerHandoff, handoffModelName, handoffReply } from './handoff.ts';
export type { AnswerVoice, AppliedKbSettings } from './kb-answer-settings.ts';
export { createCuratedAnswers, curatedThresholdOf } from './curated/curated-lookup.ts';
export type { CuratedAnswers, CuratedServing } from './curated/curated-lookup.ts';
export { createCurated, updateCurated, getCurated, removeCurated, listCurated, distinctPhrasings, maxCuratedQuestions } from './curated/manage.ts';
export type { NewCuratedAnswer, CuratedAnswerChanges } from './curated/manage.ts';
export { defaultCuratedThreshold, phrasingScore, lexicalSimilarity, bestMatch } from './curated/matching.ts';
export type { PreparedPhrasing, PreparedQuestion } from './curated/matching.ts';
