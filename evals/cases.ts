import { evalCaseLimits, evalCaseSchema, invalidRequest } from '../src/core/index.ts';
import type { EvalCase } from './types.ts';

/** The case format is shared with the API (POST /evals), so it lives in src/core. */
export { evalCaseLimits, evalCaseSchema };

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
