// The chat model factory (chat-model.ts) is not exported here: it loads the OpenAI client,
// so composition roots import it only when ORIOLE_LLM names a model.
export type { ChatModelOptions } from './chat-model.ts';
export {
  streamGeneration,
  generateText,
  isRetryableStatus,
  redactSecrets,
  defaultGenerationRetry,
  systemMessage,
  userMessage,
} from './stream-generation.ts';
export type { ChatMessage, GenerationOptions } from './stream-generation.ts';
