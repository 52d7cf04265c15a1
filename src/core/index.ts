export { OrioleError, errorCodes, isOrioleError, notFound, invalidRequest } from './errors.ts';
export type { ErrorCode, OrioleErrorOptions } from './errors.ts';
export { loadConfig, defaultEmbedder, defaultReranker, defaultVerifier, defaultVerifierTimeoutMs, defaultPort, defaultParseBudgets, defaultConversationRetentionDays, defaultOcr, ocrModes, defaultReplicaMaxLagMs, redactUrlPassword } from './config.ts';
export type { OcrMode } from './config.ts';
export type { Config, EnvironmentRecord } from './config.ts';
export type { Block, ParsedDocument, LoaderInput, Loader, OcrTarget } from './documents.ts';
export { defaultMaxDocumentBytes, ocrImageTypes, unsupportedTypeAdvice } from './documents.ts';
export type { Chunk, ChunkingSettings } from './chunks.ts';
export type { Embedder } from './embedder.ts';
export { assertEmbedderMatches } from './embedder.ts';
export type { Reranker } from './reranker.ts';
export type { Verifier, VerificationPair } from './verifier.ts';
export { validateSource, maxSourceLength } from './sources.ts';
export { isWebUrl, passageUrl, webUrlOrNull } from './links.ts';
export { knowledgeBaseName, evalSetName } from './names.ts';
export type { NameRule } from './names.ts';
export { bm25Defaults } from './bm25.ts';
export type { Bm25Settings } from './bm25.ts';
export type {
  SearchFilters,
  Passage,
  RetrievalMode,
  RetrievalInfo,
  RetrievalRequest,
  RetrievalKnowledgeBase,
  RetrievalResult,
  Retriever,
} from './retrieval.ts';
export type {
  ChatTurn,
  AnswerLanguage,
  AnswerRequest,
  Citation,
  AnswerMode,
  AnswerTimings,
  AnswerResponse,
  AnswerEvent,
  TokenUsage,
  AnswerHandoff,
  SourceConflict,
  ConflictingStatement,
} from './answers.ts';
export { evalAnswerChannel } from './answers.ts';
export { noopMetrics } from './metrics.ts';
export type {
  ServiceMetrics,
  RequestObservation,
  AnswerObservation,
  IngestedDocumentOutcome,
  IngestedDocumentsObservation,
  SourceSyncObservation,
} from './metrics.ts';
export type { CrawlRequest, DocumentUpload, IngestionService, KbAccessCheck, QueuedCrawl, QueuedDocuments } from './ingestion.ts';
export { defaultEvalOptions, evalCaseLimits, evalCaseSchema, unknownCaseKeys } from './evals.ts';
export type { EvalCase, EvalRunRequest, EvalRunState, EvalRunStatus, EvalService } from './evals.ts';
export { kbSettingsFields, kbSettingsLimits, mergeKbSettings } from './kb-settings.ts';
export type { KbHandoff, KbSettings, KbSettingsField, KbSettingsPatch } from './kb-settings.ts';
export { seededRandom } from './seeded-random.ts';
export { sourceTypes } from './content-sources.ts';
export type { NewSource, SourceChanges, SourceRunView, SourcesService, SourceType, SourceView } from './content-sources.ts';
