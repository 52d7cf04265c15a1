/**
 * Checks an answer against its evidence with a model, pair by pair: does this passage
 * answer the question, does it state what this sentence of the answer says? Slower than
 * the lexical checks, so it runs on an answer's cited passages only (docs/answers.md,
 * "Verifier"). `ORIOLE_VERIFIER` picks one: a cross-encoder or NLI model in process
 * (`transformers:<model>`), or the configured LLM (`llm`).
 */
export interface Verifier {
  /** The spec it was created from: 'transformers:Xenova/ms-marco-MiniLM-L-6-v2', 'llm'. */
  readonly id: string;
  /**
   * One probability in [0,1] per pair, in order: that the passage answers the question
   * (`answers`) or supports the sentence (`supports`). Throws when the model fails; the
   * caller then goes on without it. `signal` aborts a call the caller no longer waits for.
   */
  score(pairs: readonly VerificationPair[], signal?: AbortSignal): Promise<number[]>;
}

export type VerificationPair =
  /** `answer`: the answer's sentences citing the passage (an NLI model checks that the passage entails them). */
  | { kind: 'answers'; question: string; answer: string; passage: string }
  | { kind: 'supports'; sentence: string; passage: string };
