// Analytics for content teams: what users ask, what goes unanswered, what is rated
// down and which documents nobody needs (GET /analytics/summary, `oriole report`).
// Grouping similar questions is pure; the summary reads its figures through src/db.
export { groupQuestions, normalizeQuestion, questionGroupDefaults } from './question-groups.ts';
export type { AskedQuestion, QuestionGroup, QuestionGroupSettings } from './question-groups.ts';
export { resolvePeriod, isIsoDate, parseInstant, daysOf, periodDefaults } from './period.ts';
export type { Period } from './period.ts';
export { buildAnalyticsSummary, analyticsDefaults } from './analytics-summary.ts';
export type { AnalyticsSummary } from './analytics-summary.ts';
export { conflictingDocumentPairs } from './conflicting-documents.ts';
export type { ConflictingDocuments } from './conflicting-documents.ts';
