import { createLlmJudge } from '../../evals/judge.ts';
import type { Judge } from '../../evals/types.ts';
import { OrioleError, type Config } from '../core/index.ts';

/**
 * The eval judge from ORIOLE_JUDGE, or null when it is unset (LLM-judged metrics are then
 * left out). It talks to the same OpenAI-compatible server as ORIOLE_LLM (OPENAI_BASE_URL,
 * OPENAI_API_KEY) and gets the same time limit per call (ORIOLE_LLM_TIMEOUT_MS).
 */
export async function loadConfiguredJudge(config: Config): Promise<Judge | null> {
  const spec = config.llm.judgeSpec;
  if (spec === undefined) return null;
  // The config schema shares ORIOLE_LLM's pattern, which allows 'extractive': no model to judge with.
  if (spec === 'extractive') {
    throw new OrioleError('config_invalid', "ORIOLE_JUDGE names a chat model to grade answers with: expected 'openai:<model>'", {
      details: { judge: spec, variables: ['ORIOLE_JUDGE'] },
    });
  }
  // Imported only when a judge is named: it loads the OpenAI client (entry/answering.ts says why).
  const { createChatModel } = await import('../answer/generation/chat-model.ts');
  const chatModel = createChatModel(spec, {
    ...(config.openai.apiKey ? { apiKey: config.openai.apiKey } : {}),
    ...(config.openai.baseUrl ? { baseUrl: config.openai.baseUrl } : {}),
    timeoutMs: config.llm.timeoutMs,
  });
  return createLlmJudge(chatModel, spec, { timeoutMs: config.llm.timeoutMs });
}
