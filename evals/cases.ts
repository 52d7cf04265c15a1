import { evalCaseLimits, evalCaseSchema, invalidRequest, unknownCaseKeys } from '../src/core/index.ts';
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
 * baselines match cases by id. Keys no case field has are dropped, each named once in a
 * warning with the lines it is on, so a set can carry fields for other tools and a
 * misspelt field is still noticed.
 */
export function parseEvalCases(jsonl: string, origin: string, warn: (message: string) => void = () => {}): EvalCase[] {
  const cases: EvalCase[] = [];
  const unknownKeyLines = new Map<string, number[]>();
  const lines = jsonl.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const { evalCase, unknownKeys } = parseLine(line, `${origin}:${index + 1}`);
    cases.push(evalCase);
    for (const key of unknownKeys) unknownKeyLines.set(key, [...(unknownKeyLines.get(key) ?? []), index + 1]);
  });
  for (const [key, keyLines] of unknownKeyLines) warn(unknownKeyWarning(origin, key, keyLines));
  return validateEvalCases(cases, origin);
}

function unknownKeyWarning(origin: string, key: string, lines: number[]): string {
  const shown = lines.slice(0, 5).join(', ') + (lines.length > 5 ? ` and ${lines.length - 5} more` : '');
  return `${origin}: ignoring the unknown key '${key}' (line${lines.length === 1 ? '' : 's'} ${shown})`;
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

function parseLine(line: string, where: string): { evalCase: EvalCase; unknownKeys: string[] } {
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
  return { evalCase: parsed.data, unknownKeys: unknownCaseKeys(value) };
}
