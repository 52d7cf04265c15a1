export { createChatModel, defaultOpenAIChatBaseUrl } from './chat-model.ts';
export type { ChatModelOptions } from './chat-model.ts';
export {
  streamGeneration,
  generateText,
  isRetryableStatus,
  redactSecrets,
  defaultGenerationRetry,
} from './stream-generation.ts';
export type { GenerationOptions } from './stream-generation.ts';
