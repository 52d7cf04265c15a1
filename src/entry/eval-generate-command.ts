import { writeFile } from 'node:fs/promises';
import { formatJsonl, generateEvalCases } from '../../evals/generate.ts';
import { OrioleError, type Config } from '../core/index.ts';
import { getKnowledgeBase, sampleChunkTexts, type Database } from '../db/index.ts';

/** Passages sampled per case asked for, so short passages and unusable replies can be skipped. */
export const candidatePassagesPerCase = 3;

/**
 * `oriole eval generate --kb NAME [--n 50] [--out FILE]`: drafts up to `n` eval cases from
 * the KB's passages and writes them as JSONL to `out`, or to stdout. The model is ORIOLE_LLM,
 * or ORIOLE_JUDGE when answers are extractive: drafting needs a chat model, and one
 * configured for grading evals is as good a drafter as any.
 */
export async function runEvalGenerate(
  database: Database,
  config: Config,
  options: { kb: string; n: number; out?: string },
): Promise<{ cases: number; out: string | null }> {
  if (!Number.isInteger(options.n) || options.n < 1) {
    throw new OrioleError('invalid_request', `The number of eval cases to draft must be a positive integer (got ${options.n}).`);
  }
  const spec = draftingModelSpec(config);
  const kb = await getKnowledgeBase(database, options.kb);
  const passages = await sampleChunkTexts(database, { kbId: kb.id, limit: options.n * candidatePassagesPerCase });
  if (passages.length === 0) {
    throw new OrioleError('invalid_request', `Knowledge base '${options.kb}' has no passages to draft questions from: ingest documents first.`);
  }
  const { createChatModel } = await import('../answer/generation/chat-model.ts');
  const chatModel = createChatModel(spec, {
    ...(config.openai.apiKey ? { apiKey: config.openai.apiKey } : {}),
    ...(config.openai.baseUrl ? { baseUrl: config.openai.baseUrl } : {}),
  });
  const cases = await generateEvalCases({
    passages,
    n: options.n,
    chatModel,
    timeoutMs: config.llm.timeoutMs,
    onProgress: showProgress,
  });
  if (process.stderr.isTTY) process.stderr.write('\n');
  if (cases.length === 0) {
    throw new OrioleError('invalid_request', `No passage of knowledge base '${options.kb}' is long enough to draft a question from.`);
  }
  const jsonl = formatJsonl(cases);
  if (options.out === undefined) process.stdout.write(jsonl);
  else await writeFile(options.out, jsonl, 'utf8');
  return { cases: cases.length, out: options.out ?? null };
}

function draftingModelSpec(config: Config): string {
  if (config.llm.spec !== 'extractive') return config.llm.spec;
  if (config.llm.judgeSpec !== undefined && config.llm.judgeSpec !== 'extractive') return config.llm.judgeSpec;
  throw new OrioleError(
    'invalid_request',
    "Drafting eval cases needs a language model: set ORIOLE_LLM=openai:<model> and OPENAI_BASE_URL (a local OpenAI-compatible " +
      'server such as Ollama or vLLM) or OPENAI_API_KEY (OpenAI); ORIOLE_JUDGE=openai:<model> works too.',
    { details: { variables: ['ORIOLE_LLM', 'OPENAI_BASE_URL', 'OPENAI_API_KEY', 'ORIOLE_JUDGE'] } },
  );
}

/** A counter on a terminal only; stdout may be carrying the JSONL. */
function showProgress(done: number, total: number): void {
  if (process.stderr.isTTY) process.stderr.write(`\rdrafted ${done}/${total} eval case(s)`);
}
