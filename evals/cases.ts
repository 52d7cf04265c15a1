import { z } from 'zod';
import { invalidRequest } from '../src/core/index.ts';
import type { EvalCase } from './types.ts';

/** Limits that keep one case inside what `/answer` accepts. */
export const evalCaseLimits = { questionChars: 4_000, historyTurns: 50, turnChars: 8_000, maxCases: 5_000 } as const;

const text = (max: number) => z.string().trim().min(1).max(max);

/** One case of an eval set (docs/evals.md, "Eval sets"); strict, so a misspelt field is an error, not a silent default. */
export const evalCaseSchema = z.strictObject({
  id: z.string().trim().min(1).max(200),
  question: text(evalCaseLimits.questionChars),
  history: z
    .array(z.strictObject({ role: z.enum(['user', 'assistant']), content: text(evalCaseLimits.turnChars) }))
    .max(evalCaseLimits.historyTurns)
    .optional(),
  reference_answer: z.union([z.string().max(20_000), z.array(z.string().max(20_000)).max(50)]).optional(),
  gold_sources: z.array(z.string().trim().min(1).max(1_000)).max(100).optional(),
  answerable: z.boolean().optional(),
  tags: z.array(z.string().trim().min(1).max(100)).max(50).optional(),
}) satisfies z.ZodType<EvalCase>;

/** The reference answer as one text (a list's parts one a line); null when there is none. */
export function referenceText(evalCase: EvalCase): string | null {
  const reference = Array.isArray(evalCase.reference_answer) ? evalCase.reference_answer.join('\n') : evalCase.reference_answer;
  return reference?.trim() ? reference : null;
}

/**
 * The cases of a JSONL eval set: one JSON object a line, blank lines ignored. Every
 * problem is reported with its line number (and field), and ids must be unique, since
 * baselines match cases by id.
 */
export function parseEvalCases(jsonl: string, origin: string): EvalCase[] {
  const cases: EvalCase[] = [];
  const lines = jsonl.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    cases.push(parseLine(line, `${origin}:${index + 1}`));
  });
  return validateEvalCases(cases, origin);
}

/** Checks a whole set (unique ids, size) after each case was parsed. */
export function validateEvalCases(cases: EvalCase[], origin: string): EvalCase[] {
  if (cases.length === 0) throw invalidRequest(`${origin} holds no eval cases`);
  if (cases.length > evalCaseLimits.maxCases) {
    throw invalidRequest(`${origin} holds ${cases.length} cases; at most ${evalCaseLimits.maxCases} run at once`);
  }
  const seen = new Set<string>();
  for (const evalCase of cases) {
    if (seen.has(evalCase.id)) throw invalidRequest(`${origin}: the id '${evalCase.id}' is used by more than one case`);
    seen.add(evalCase.id);
  }
  return cases;
}

function parseLine(line: string, where: string): EvalCase {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw invalidRequest(`${where}: not valid JSON (${(error as Error).message})`);
  }
  const parsed = evalCaseSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(case)'}: ${issue.message}`);
    throw invalidRequest(`${where}: ${issues.join('; ')}`, { line: where });
  }
  return parsed.data;
}
