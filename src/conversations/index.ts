// Conversations beyond the answer service (src/answer/conversations.ts keeps their turns):
// transcripts, the hand-off webhook and retention.
export { conversationTranscript } from './transcript.ts';
export type { ConversationTranscript, TranscriptTurn } from './transcript.ts';
export {
  createHandoffWebhook,
  defaultHandoffAttemptTimeoutMs,
  defaultHandoffRetryDelaysMs,
  defaultSignatureToleranceSeconds,
  handoffDeliveryHeader,
  handoffSignatureHeader,
  handoffTimestampHeader,
  signHandoffBody,
  verifyHandoffSignature,
} from './handoff-webhook.ts';
export type { HandoffDeliveryResult, HandoffEvent, HandoffNotifier, HandoffWebhookBody, HandoffWebhookOptions } from './handoff-webhook.ts';
export {
  conversationRetentionIntervalMs,
  deleteExpiredConversations,
  retentionCutoff,
  startConversationRetention,
} from './retention.ts';
