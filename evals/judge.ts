import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { z } from 'zod';
import { citationMarker, generateText, stripMarkers, systemMessage, userMessage, type ChatMessage } from '../src/answer/index.ts';
import { OrioleError } from '../src/core/index.ts';
import type { Judge } from './types.ts';

/**
 * The LLM judge (ORIOLE_JUDGE): any chat model asked for JSON verdicts.
 *
 * - correctness: one call; the model grades the answer's agreement with the reference
 *   answer as the share of the reference's facts it states, 0 on any contradiction.
 * - faithfulness, as RAGAS defines it: one call breaks the answer into atomic claims, a
 *   second checks each claim against the passages; the score is supported claims over
 *   claims, and 1 for an answer that states no fact (nothing in it is unfaithful).
 *
 * Instructions are in English and the replies are JSON whatever the answer's language,
 * so the same prompts grade Chinese answers. Replies are parsed leniently (code fences,
 * text around the JSON, reasoning blocks), then validated; a reply with no usable JSON
 * fails as `upstream_unavailable`, like a model that could not be reached.
 */

export interface LlmJudgeOptions {
  /** One judge call, retries included (generateText's total limit). */
  timeoutMs?: number;
}

export const defaultJudgeTimeoutMs = 60_000;
/** One passage shown to the claim checker is cut to this; chunks are far shorter. */
const passageMaxCharacters = 4_000;

export function createLlmJudge(chatModel: BaseChatModel, name: string, options: LlmJudgeOptions = {}): Judge {
  const timeoutMs = options.timeoutMs ?? defaultJudgeTimeoutMs;
  const ask = async <T>(messages: ChatMessage[], schema: z.ZodType<T>, what: string, signal?: AbortSignal): Promise<T> => {
    const reply = await generateText(chatModel, messages, { timeoutMs, signal });
    const parsed = parseModelJson(reply, schema);
    if (parsed === undefined) throw unusableReply(name, what, reply);
    return parsed;
  };

  return {
    name,
    async correctness(input, signal) {
      const grade = await ask(correctnessMessages(input), correctnessSchema, 'a correctness grade', signal);
      return Math.min(1, Math.max(0, grade.score));
    },
    async faithfulness(input, signal) {
      const claims = await ask(claimMessages(input), claimsSchema, 'a list of claims', signal);
      if (claims.length === 0) return { score: 1, claims: [] };
      const verdicts = await ask(verdictMessages(claims, input.passages), verdictsSchema, 'claim verdicts', signal);
      const judged = matchVerdicts(claims, verdicts);
      const supported = judged.filter((claim) => claim.supported).length;
      return { score: supported / judged.length, claims: judged };
    },
  };
}

// The fake OpenAI server in test/helpers recognises each prompt by its first sentence.

const correctnessRules = [
  "You are a strict grader of a help center's answers. You compare a candidate answer with a reference answer written by the help center's team.",
  'How to grade:',
  '- List the facts the reference answer states: numbers, durations, prices, steps, names, settings, conditions.',
  '- The score is the share of those facts the candidate answer states correctly: 1 when it states all of them, 0.5 when it states half of them, 0 when it states none of them or declines to answer.',
  '- If the candidate answer contradicts the reference answer on any fact (another number or duration, another step, yes where the reference says no), the score is 0.',
  '- Extra details beyond the reference answer do not lower the score unless they contradict it. Wording, length, formatting and language do not matter.',
  '- The question and the answers may be in any language, Chinese included.',
  'Reply with JSON only, no other text: {"score": <a number from 0 to 1>, "reason": "<one short sentence>"}',
].join('\n');

const claimRules = [
  "You break an answer from a help center's assistant into atomic claims, to fact-check them one by one.",
  '- A claim is one short, self-contained statement of a single fact, understandable without the question or the other claims: name what pronouns refer to.',
  '- Cover every fact the answer states, each step of instructions included; split a sentence that states several facts.',
  '- Leave out what states no fact (greetings, offers of help, "I don\'t know", "我不知道"), and citation markers like [1] or [2][3].',
  '- Write each claim in the language of the answer.',
  'Reply with JSON only, no other text: a list of strings, like ["first claim", "second claim"]; reply [] when the answer states no fact.',
].join('\n');

const verdictRules = [
  "You check claims against numbered passages from a help center's knowledge base.",
  '- A claim is supported when the passages state it, or it follows directly from what they state. It is not supported when the passages do not say it or say otherwise.',
  '- Use no outside knowledge, however well known the fact.',
  '- Passages and claims may be in any language, Chinese included; a passage may support a claim written in another language.',
  'Reply with JSON only, no other text: a list with one object per claim, in the order given, like',
  '[{"claim": "<the claim>", "reason": "<a few words>", "supported": true}]',
].join('\n');

function correctnessMessages(input: { question: string; reference: string; answer: string }): ChatMessage[] {
  return [
    systemMessage(correctnessRules),
    userMessage(
      [
        tagged('question', input.question),
        tagged('reference_answer', input.reference),
        // Markers point at passages the grader does not see; they are noise to it.
        tagged('candidate_answer', stripMarkers(input.answer)),
      ].join('\n'),
    ),
  ];
}

function claimMessages(input: { question: string; answer: string }): ChatMessage[] {
  return [systemMessage(claimRules), userMessage([tagged('question', input.question), tagged('answer', input.answer)].join('\n'))];
}

function verdictMessages(claims: readonly string[], passages: ReadonlyArray<{ index: number; text: string }>): ChatMessage[] {
  const passageBlock = passages.map((passage) => `${citationMarker(passage.index)} ${passage.text.trim().slice(0, passageMaxCharacters)}`).join('\n\n');
  return [
    systemMessage(verdictRules),
    userMessage([tagged('passages', passageBlock || '(none)'), tagged('claims', JSON.stringify(claims))].join('\n')),
  ];
}

function tagged(tag: string, text: string): string {
  return `<${tag}>\n${text.trim()}\n</${tag}>`;
}

const numberLike = z.union([
  z.number(),
  z
    .string()
    .trim()
    .regex(/^\d+(?:\.\d+)?$/)
    .transform(Number),
]);

const correctnessSchema = z.object({ score: numberLike, reason: z.unknown().optional() });

/** A list of strings, or of `{claim}` objects, or either wrapped as `{"claims": [...]}`. */
const claimList = z
  .array(z.union([z.string(), z.object({ claim: z.string() }).transform((item) => item.claim)]))
  .transform((claims) => claims.map((claim) => claim.trim()).filter((claim) => claim !== ''));
const claimsSchema = z.union([claimList, z.object({ claims: claimList }).transform((reply) => reply.claims)]);

const booleanLike = z.preprocess((value) => {
  if (typeof value === 'number') return value === 1 ? true : value === 0 ? false : value;
  if (typeof value !== 'string') return value;
  const word = value.trim().toLowerCase();
  if (['true', 'yes', 'supported', '1'].includes(word)) return true;
  if (['false', 'no', 'unsupported', 'not supported', '0'].includes(word)) return false;
  return value;
}, z.boolean());

const verdictList = z.array(z.object({ claim: z.string().optional(), supported: booleanLike }));
const verdictsSchema = z.union([verdictList, z.object({ verdicts: verdictList }).transform((reply) => reply.verdicts)]);

type Verdict = z.infer<typeof verdictList>[number];

/**
 * Each claim's verdict: the one that repeats the claim, else the one in its position.
 * A claim the model left without a verdict counts as unsupported: nothing vouched for it.
 */
function matchVerdicts(claims: readonly string[], verdicts: readonly Verdict[]): Array<{ claim: string; supported: boolean }> {
  const byText = new Map<string, Verdict>();
  for (const verdict of verdicts) if (verdict.claim !== undefined) byText.set(normalizeClaim(verdict.claim), verdict);
  return claims.map((claim, position) => {
    const verdict = byText.get(normalizeClaim(claim)) ?? verdicts[position];
    return { claim, supported: verdict?.supported ?? false };
  });
}

function normalizeClaim(claim: string): string {
  return claim
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/[\s.。!！?？]+$/u, '')
    .trim();
}

/**
 * The first JSON value in a model's reply that `schema` accepts: tried in a ```json
 * fence, as the whole reply, then from each `{` or `[` to its matching bracket. Models
 * wrap JSON in prose and fences however often they are told not to, and reasoning
 * models put a <think> block first.
 */
export function parseModelJson<T>(reply: string, schema: z.ZodType<T>): T | undefined {
  const text = reply.replace(/<think>[\s\S]*?<\/think>/gi, '').trim();
  const fenced = [...text.matchAll(/```(?:json)?\s*([\s\S]*?)```/gi)].map((match) => match[1]!);
  for (const candidate of [...fenced, text, ...bracketedSpans(text)]) {
    let value: unknown;
    try {
      value = JSON.parse(candidate);
    } catch {
      continue;
    }
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
  }
  return undefined;
}

/** Most openings tried for a balanced span; a reply with more is not JSON worth finding. */
const maxBracketOpenings = 20;

/** Each span from a `{` or `[` to its matching closing bracket, strings respected. */
function* bracketedSpans(text: string): Generator<string> {
  let openings = 0;
  for (let start = text.search(/[[{]/); start >= 0 && openings < maxBracketOpenings; openings += 1) {
    const end = matchingBracket(text, start);
    if (end !== undefined) yield text.slice(start, end + 1);
    const next = text.slice(start + 1).search(/[[{]/);
    start = next < 0 ? -1 : start + 1 + next;
  }
}

function matchingBracket(text: string, start: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let position = start; position < text.length; position += 1) {
    const character = text[position];
    if (inString) {
      if (character === '\\') position += 1;
      else if (character === '"') inString = false;
    } else if (character === '"') {
      inString = true;
    } else if (character === '{' || character === '[') {
      depth += 1;
    } else if (character === '}' || character === ']') {
      depth -= 1;
      if (depth === 0) return position;
    }
  }
  return undefined;
}

function unusableReply(judge: string, what: string, reply: string): OrioleError {
  const excerpt = reply.replace(/\s+/g, ' ').trim().slice(0, 200);
  return new OrioleError(
    'upstream_unavailable',
    `The judge model '${judge}' did not reply with ${what} in the JSON asked for; it replied: "${excerpt}"`,
    { details: { reason: 'unparsable_reply', judge } },
  );
}
