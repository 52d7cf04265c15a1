import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { generateText, type ChatMessage } from '../answer/index.ts';
import type { VerificationPair, Verifier } from '../core/index.ts';

/**
 * `llm`: asks the configured LLM (ORIOLE_LLM) a strict yes/no question per pair, "does this
 * passage answer the question?" or "does it state this sentence?", each a request of its
 * own, all at once. A "yes" counts as llmVerdictProbability.yes, a "no" as .no: an LLM's
 * verdict is strong evidence, not certainty. Any other reply is an error, so the answer
 * goes on without the verifier rather than guess.
 */

export const llmVerdictProbability = { yes: 0.9, no: 0.1 } as const;

export interface LlmVerifierOptions {
  /** Each request's own limit; the answer service also stops waiting past ORIOLE_VERIFIER_TIMEOUT_MS. */
  timeoutMs: number;
}

const answersInstruction =
  'You check whether a passage answers a question. Reply with exactly one word: "yes" if the passage answers the question, "no" if it does not.';
const supportsInstruction =
  'You check whether a passage supports a statement. Reply with exactly one word: "yes" if the passage states what the statement says, "no" if it does not.';

export function createLlmVerifier(chatModel: BaseChatModel, options: LlmVerifierOptions): Verifier {
  async function verdict(pair: VerificationPair, signal: AbortSignal | undefined): Promise<number> {
    const reply = await generateText(chatModel, verificationMessages(pair), {
      timeoutMs: options.timeoutMs,
      // One attempt: a retry would only outlast the answer's time budget.
      maxAttempts: 1,
      ...(signal ? { signal } : {}),
    });
    const word = reply.trim().toLowerCase().replace(/^[^\p{L}]+/u, '');
    if (/^yes\b/.test(word)) return llmVerdictProbability.yes;
    if (/^no\b/.test(word)) return llmVerdictProbability.no;
    throw new Error(`the verifier model replied neither yes nor no: ${JSON.stringify(reply.slice(0, 80))}`);
  }
  return {
    id: 'llm',
    score: (pairs, signal) => Promise.all(pairs.map((pair) => verdict(pair, signal))),
  };
}

export function verificationMessages(pair: VerificationPair): ChatMessage[] {
  if (pair.kind === 'answers') {
    return [
      { role: 'system', content: answersInstruction },
      { role: 'user', content: `Question: ${pair.question}\n\n<passage>\n${pair.passage}\n</passage>\n\nDoes the passage answer the question? Reply yes or no.` },
    ];
  }
  return [
    { role: 'system', content: supportsInstruction },
    { role: 'user', content: `Statement: ${pair.sentence}\n\n<passage>\n${pair.passage}\n</passage>\n\nDoes the passage state this? Reply yes or no.` },
  ];
}
