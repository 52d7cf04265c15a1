import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { ChatOpenAI } from '@langchain/openai';
import { OrioleError } from '../../core/index.ts';

/**
 * Chat models come from an `ORIOLE_LLM` spec. Everything else in Oriole sees
 * `@langchain/core`'s `BaseChatModel`, so another LangChain provider plugs in here.
 */

export interface ChatModelOptions {
  /** OPENAI_API_KEY; required for api.openai.com, optional for self-hosted servers. */
  apiKey?: string;
  /** OPENAI_BASE_URL, e.g. 'http://127.0.0.1:11434/v1' for Ollama. */
  baseUrl?: string;
  /** The HTTP client's limit for one request to answer (until its headers arrive). */
  timeoutMs?: number;
  /** LangChain's own retries; 0 by default, because `streamGeneration` decides retries. */
  maxRetries?: number;
}

export const defaultOpenAIChatBaseUrl = 'https://api.openai.com/v1';

/** Sent when no key is configured: the OpenAI client insists on one, local servers ignore it. */
const placeholderApiKey = 'no-key';

export function createChatModel(spec: string, options: ChatModelOptions = {}): BaseChatModel {
  const openai = /^openai:(\S+)$/.exec(spec);
  if (openai === null) {
    const hint = spec === 'extractive' ? "'extractive' answers without a chat model" : "expected 'openai:<model>'";
    throw new OrioleError('config_invalid', `Unknown language model '${spec}' (ORIOLE_LLM): ${hint}`, {
      details: { llm: spec, variables: ['ORIOLE_LLM'] },
    });
  }
  const model = openai[1]!;
  if (options.apiKey === undefined && options.baseUrl === undefined) {
    throw new OrioleError(
      'config_invalid',
      `Language model '${spec}' needs an API key for ${defaultOpenAIChatBaseUrl}: set OPENAI_API_KEY (option openai.apiKey), ` +
        `or OPENAI_BASE_URL (option openai.baseUrl) for a server that needs none.`,
      { details: { llm: spec, variables: ['OPENAI_API_KEY', 'OPENAI_BASE_URL'] } },
    );
  }
  return new ChatOpenAI({
    model,
    apiKey: options.apiKey ?? placeholderApiKey,
    // Always explicit, so the library never falls back to reading OPENAI_BASE_URL itself.
    configuration: { baseURL: (options.baseUrl ?? defaultOpenAIChatBaseUrl).replace(/\/+$/, '') },
    temperature: 0,
    streamUsage: true,
    // Local servers (Ollama, vLLM, llama.cpp) speak Chat Completions only, not the Responses API.
    useResponsesApi: false,
    maxRetries: options.maxRetries ?? 0,
    ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
  });
}
