// Verifiers: models that check an answer against its cited passages (src/core/verifier.ts).
export { parseVerifierSpec } from './verifier-spec.ts';
export type { VerifierSpec } from './verifier-spec.ts';
export { loadVerifierModel } from './load-verifier.ts';
export { createLlmVerifier, llmVerdictProbability } from './llm-verifier.ts';
export type { LlmVerifierOptions } from './llm-verifier.ts';
