// The storage stage's public surface. `pglite.ts` (Node-only) and `migration-files.ts`
// (filesystem) are imported by the Node composition root alone.
export { createPoolDatabase, asStorageError, sqlState } from './database.ts';
export type { Database, SqlExecutor, Backend } from './database.ts';
export { openPostgres, quoteIdentifier } from './postgres.ts';
export type { PostgresOptions } from './postgres.ts';
export { migrate, pendingMigrations } from './migrate.ts';
export type { Migration, MigrationReport } from './migrate.ts';
export {
  createKnowledgeBase,
  ensureKnowledgeBase,
  findKnowledgeBase,
  getKnowledgeBase,
  getKnowledgeBaseById,
  listKnowledgeBases,
  deleteKnowledgeBase,
} from './knowledge-bases.ts';
export type { KnowledgeBase, KnowledgeBaseSummary } from './knowledge-bases.ts';
export { updateKbSettings } from './kb-settings.ts';
export type { StoredKbSettings } from './kb-settings.ts';
export { vectorToSql, vectorFromSql, nearestChunks } from './vectors.ts';
export type { VectorNeighbour, VectorFilters, VectorSearchInput } from './vectors.ts';
export {
  findDocumentBySource,
  getDocument,
  listDocuments,
  listDocumentChunks,
  listSources,
  findEmbeddingsByHash,
  replaceDocument,
  reserveDocument,
  markDocumentFailed,
  releaseDocumentReservation,
  deleteDocumentById,
  deleteDocumentsByIds,
  bumpKnowledgeBaseVersion,
  claimEmbeddingDimension,
  isUuid,
} from './documents.ts';
export type { StoredDocument, StoredChunk, DocumentStatus, ChunkRecord, DocumentRecord, DocumentPage } from './documents.ts';
export {
  createIngestJob,
  createCrawlJob,
  getJob,
  claimNextJob,
  renewJobLease,
  releaseJob,
  finishJob,
  pendingJobItems,
  jobItemContent,
  completeJobItem,
  updateJobProgress,
} from './jobs.ts';
export type { Job, JobItem, JobItemInput, JobItemOutcome, JobKind, JobStatus } from './jobs.ts';
export {
  saveEvalSet,
  getEvalSet,
  getEvalSetSummary,
  listEvalSets,
  deleteEvalSet,
  createEvalJob,
  getEvalJob,
  listEvalJobs,
} from './eval-sets.ts';
export type { EvalJobSummary, EvalSet, EvalSetSummary } from './eval-sets.ts';
export { writeChunkTerms, searchLexical } from './lexical-index.ts';
export type { ChunkTerms, LexicalFilters, LexicalSearchInput, LexicalMatch } from './lexical-index.ts';
export { readKnowledgeBaseVersion, readLexicalSize, readLexicalSnapshot, documentsMatchingFilters } from './lexical-snapshot.ts';
export type { LexicalChunk, LexicalSnapshot, TermPostings } from './lexical-snapshot.ts';
export {
  chunksWithoutEmbedding,
  countChunksWithoutEmbedding,
  setChunkEmbeddings,
  switchKnowledgeBaseEmbedder,
} from './embeddings.ts';
export type { ChunkToEmbed } from './embeddings.ts';
export { loadPassages, loadFollowingChunks } from './passages.ts';
export type { StoredPassage } from './passages.ts';
export { logAnswer, findLoggedAnswer } from './answers.ts';
export type { AnswerLogEntry, LoggedAnswer } from './answers.ts';
export { termsPresentInKnowledgeBase } from './term-presence.ts';
export { sampleChunkTexts } from './eval-sources.ts';
export type { EvalSourcePassage } from './eval-sources.ts';
export {
  createApiKey,
  findApiKey,
  listApiKeys,
  revokeApiKey,
  anyActiveApiKey,
  hashApiKey,
  apiKeyScopes,
  parseKeyOrigin,
  maxKeyOrigins,
  maxKeyRatePerMinute,
} from './api-keys.ts';
export type { ApiKeyRecord, ApiKeyScope, NewApiKey } from './api-keys.ts';
export { findAnswerKnowledgeBase, recordFeedback } from './feedback.ts';
export type { Feedback, FeedbackRating } from './feedback.ts';
export { answerTotals, questionCounts, lowRatedAnswers, uncitedDocuments, answersByDay, conversationsByDay, curatedAnswerHits, loggedConflicts } from './analytics.ts';
export type { AnalyticsScope, AnswerTotals, QuestionCount, LowRatedAnswer, UncitedDocument, ConversationDay, CuratedAnswerHits, LoggedConflict } from './analytics.ts';
export {
  appendConversationTurn,
  conversationOutcomes,
  deleteConversationsInactiveSince,
  findConversation,
  findConversationOfAnswer,
  handOffConversation,
  listConversations,
  listConversationTurns,
  resolveConversation,
  resolveConversationByAnswer,
} from './conversations.ts';
export type {
  ConversationFilter,
  ConversationOutcome,
  ConversationPage,
  ConversationRecord,
  ConversationSummary,
  ConversationTurn,
  TurnRecord,
} from './conversations.ts';
export {
  insertCuratedAnswer,
  listCuratedAnswers,
  findCuratedAnswer,
  updateCuratedAnswer,
  deleteCuratedAnswer,
  countCuratedHit,
  readCuratedVersion,
  missingSources,
  firstPassagesOfSources,
} from './curated-answers.ts';
export type { CuratedAnswer, CuratedAnswerInput } from './curated-answers.ts';
export {
  insertContentSource,
  getContentSource,
  listContentSources,
  updateContentSource,
  deleteContentSource,
  queueSourceSync,
  lockDueSources,
  setSourceNextRun,
  recordSyncRun,
  listSourceDocuments,
  documentOwner,
  listSealedCredentials,
  replaceSealedCredentials,
} from './content-sources.ts';
export type { ContentSource, ContentSourceInput, ContentSourceChanges, ContentSourceType, SyncRunSummary } from './content-sources.ts';
export { createReadRouting, defaultReplicaCheckIntervalMs } from './read-replicas.ts';
export type { ReadRouting, ReadRoutingOptions, ReplicaState, ReplicaStatus, ReplicaTarget } from './read-replicas.ts';
export { dropIdleRateLimitBuckets, sharedRateLimitBuckets, takeRateLimitTokens } from './rate-limits.ts';
export type { SharedTake } from './rate-limits.ts';
export { exportDatabase, exportFormat, exportFormatVersion, importDatabase } from './transfer.ts';
export type { ExportHeader, ImportReport } from './transfer.ts';
