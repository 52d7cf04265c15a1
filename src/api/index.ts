export { createApp } from './app.ts';
export type { AppOptions } from './app.ts';
export type { AppDependencies, IngestionDependencies, McpHttpCall, McpEndpoint, UploadLimits } from './context.ts';
export type { RequestLogger, ReadinessCheck, ReadinessDependencies, WebAssets } from './context.ts';
export { pageContentSecurityPolicy } from './web-pages.ts';
export { defaultUploadLimits } from './context.ts';
export { httpStatusOf } from './error-response.ts';
export { passageResponse } from './routes/search.ts';
export { createHttpDependencies } from './http-dependencies.ts';
export type { HttpDependencies, HttpSettings } from './http-dependencies.ts';
export { bodyLimitOf, defaultBodyLimitBytes, jsonUploadEnvelopeBytes, requestLimits, routeBodyLimits } from './limits.ts';
export { TokenBucketLimiter } from './token-bucket.ts';
export type { RateLimiter, TokenBucketDecision, TokenBucketSettings } from './token-bucket.ts';
export { SharedTokenBucketLimiter } from './shared-token-bucket.ts';
export type { SharedBuckets } from './shared-token-bucket.ts';
export {
  answerKbOfCaller,
  authorizeKb,
  authorizeKbResource,
  authorizeKbResourceOf,
  callerSeesKb,
  kbOfCaller,
  requestKb,
  requirementOf,
} from './auth.ts';
export type { KbBinding } from './auth.ts';
export { cleanText, ConversationIdSchema, KnowledgeBaseNameSchema, SearchFiltersSchema } from './schemas.ts';
export type { AuthDependencies, Principal, Scope } from './context.ts';
