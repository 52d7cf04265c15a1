import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { z } from 'zod';
import { detectLanguage, generateText, systemMessage, userMessage, type ChatMessage } from '../src/answer/index.ts';
import { OrioleError, isOrioleError } from '../src/core/index.ts';
import { parseModelJson } from './judge.ts';
import { answerTokens } from './metrics.ts';
import type { EvalCase } from './types.ts';

/**
 * Drafting an eval set from a KB's passages with an LLM (`oriole eval generate`), for a
 * content team to review and edit, not to trust as is: one passage, one question a
 * customer would ask that it answers, and a short reference answer from it. The passage's
 * document becomes the case's gold source.
 */

/** A passage to draft from: a stored chunk and its document (`sampleChunkTexts` returns these). */
export interface DraftPassage {
  source: string;
  title: string | null;
  heading: string | null;
  text: string;
}

export interface GenerateEvalCasesInput {
  /**
   * Candidates in the caller's order, more than `n` so unusable ones can be skipped. They
   * are drafted from round-robin over their documents (first passage of each source, then
   * the second…), so the cases spread across documents.
   */
  passages: readonly DraftPassage[];
  /** At most this many cases come back. */
  n: number;
  chatModel: BaseChatModel;
  signal?: AbortSignal;
  /** Cases drafted so far, of the most that can be drafted (n, or fewer passages). */
  onProgress?: (done: number, total: number) => void;
  /** One model call, retries included. */
  timeoutMs?: number;
  /** Model calls in flight at once. */
  concurrency?: number;
}

export const evalGenerationDefaults = {
  timeoutMs: 60_000,
  concurrency: 4,
  /** A passage with fewer tokens (words; Chinese characters) holds too little to ask about. */
  minimumPassageTokens: 15,
  /** The passage shown to the model is cut to this; chunks are far shorter. */
  passageMaxCharacters: 4_000,
} as const;

export async function generateEvalCases(input: GenerateEvalCasesInput): Promise<EvalCase[]> {
  const queue = draftingOrder(input.passages).filter(
    (passage) => answerTokens(passage.text).length >= evalGenerationDefaults.minimumPassageTokens,
  );
  const total = Math.min(input.n, queue.length);
  const concurrency = Math.max(1, input.concurrency ?? evalGenerationDefaults.concurrency);
  const cases: EvalCase[] = [];
  const questionsSeen = new Set<string>();
  let attempted = 0;

  while (cases.length < input.n && attempted < queue.length) {
    const batch = queue.slice(attempted, attempted + Math.min(concurrency, input.n - cases.length));
    attempted += batch.length;
    const drafts = await draftBatch(batch, input);
    batch.forEach((passage, position) => {
      const draft = drafts[position];
      const key = draft === undefined ? '' : questionKey(draft.question);
      if (draft === undefined || questionsSeen.has(key) || cases.length >= input.n) return;
      questionsSeen.add(key);
      cases.push(evalCase(cases.length + 1, draft, passage.source));
    });
    input.onProgress?.(cases.length, total);
  }
  if (cases.length === 0 && attempted > 0) {
    throw new OrioleError(
      'upstream_unavailable',
      `The language model replied to ${attempted} passage(s) without the JSON question and answer asked for; no eval case was drafted.`,
      { details: { reason: 'unparsable_reply', attempted } },
    );
  }
  return cases;
}

/** One case a line, as eval sets are stored (docs/evals.md, "Eval sets"). */
export function formatJsonl(cases: readonly EvalCase[]): string {
  return cases.map((evalCase) => `${JSON.stringify(evalCase)}\n`).join('');
}

/** The first passage of each source in first-seen order, then each one's second, and so on. */
function draftingOrder(passages: readonly DraftPassage[]): DraftPassage[] {
  const bySource = new Map<string, DraftPassage[]>();
  for (const passage of passages) {
    const group = bySource.get(passage.source) ?? [];
    group.push(passage);
    bySource.set(passage.source, group);
  }
  const groups = [...bySource.values()];
  const longest = Math.max(0, ...groups.map((group) => group.length));
  const ordered: DraftPassage[] = [];
  for (let round = 0; round < longest; round += 1) {
    for (const group of groups) if (group[round] !== undefined) ordered.push(group[round]!);
  }
  return ordered;
}

interface Draft {
  question: string;
  answer: string;
}

/**
 * Drafts for a batch, undefined where the reply was unusable. A model that cannot be
 * reached fails the whole run (every other passage would fail the same way), and the
 * requests still in flight are cancelled.
 */
async function draftBatch(batch: readonly DraftPassage[], input: GenerateEvalCasesInput): Promise<Array<Draft | undefined>> {
  const stop = new AbortController();
  const signal = input.signal === undefined ? stop.signal : AbortSignal.any([input.signal, stop.signal]);
  const timeoutMs = input.timeoutMs ?? evalGenerationDefaults.timeoutMs;
  try {
    return await Promise.all(
      batch.map(async (passage) => {
        const reply = await generateText(input.chatModel, draftMessages(passage), { timeoutMs, signal });
        return parseModelJson(reply, draftSchema);
      }),
    );
  } catch (error) {
    stop.abort();
    if (input.signal?.aborted) throw input.signal.reason;
    if (isOrioleError(error)) {
      throw new OrioleError('upstream_unavailable', `Could not draft eval cases: ${error.message}`, {
        ...(error.details === undefined ? {} : { details: error.details }),
        cause: error,
      });
    }
    throw error;
  }
}

// The fake OpenAI server in test/helpers recognises this prompt by its first sentence.
function draftMessages(passage: DraftPassage): ChatMessage[] {
  const language =
    detectLanguage(passage.text) === 'zh' ? 'Simplified Chinese (简体中文), the language of the passage' : 'the language of the passage';
  const rules = [
    "You write test questions for a help center's question-answering assistant, each from one passage of the help center.",
    '- Write one question a customer would really ask, in their own words, that this passage answers. Do not mention "the passage", "the document" or "this section".',
    '- Write the reference answer: one or two short sentences with the facts from the passage that answer the question, and nothing the passage does not say.',
    `- Write both in ${language}.`,
    '- If the passage holds no fact a customer could ask about (a table of contents, a bare title, boilerplate), reply {"question": "", "answer": ""}.',
    'Reply with JSON only, no other text: {"question": "...", "answer": "..."}',
  ].join('\n');
  const context = [
    `<document>\n${passage.title ?? passage.source}\n</document>`,
    ...(passage.heading === null ? [] : [`<heading>\n${passage.heading}\n</heading>`]),
    `<passage>\n${passage.text.trim().slice(0, evalGenerationDefaults.passageMaxCharacters)}\n</passage>`,
  ].join('\n');
  return [systemMessage(rules), userMessage(context)];
}

/** Both fields non-empty: the prompt's way out for a passage with nothing to ask about is empty strings. */
const draftSchema = z.object({
  question: z.string().trim().min(3).max(500),
  answer: z.string().trim().min(1).max(2_000),
});

/** Questions that differ only in case, spacing or final punctuation are the same question. */
function questionKey(question: string): string {
  return question
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/[\s?？.。!！]+$/u, '')
    .trim();
}

function evalCase(ordinal: number, draft: Draft, source: string): EvalCase {
  return {
    id: `gen-${String(ordinal).padStart(3, '0')}`,
    question: draft.question,
    reference_answer: draft.answer,
    gold_sources: [source],
    answerable: true,
    tags: ['generated'],
  };
}
