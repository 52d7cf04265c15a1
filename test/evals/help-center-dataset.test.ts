import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

/**
 * The golden eval set over the sample help center (evals/datasets/help-center.jsonl):
 * every line is one case in the eval-set format (docs/evals.md), every gold source is a real article,
 * and the set keeps the mix of kinds it was written to cover.
 */
const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const datasetPath = join(repositoryRoot, 'evals', 'datasets', 'help-center.jsonl');
const helpCenterDirectory = join(repositoryRoot, 'examples', 'help-center');

// docs/evals.md, "Eval sets" (JSONL, one case a line); strict, so a misspelt field fails.
const evalCaseSchema = z.strictObject({
  id: z.string().regex(/^hc-\d{3}$/),
  question: z.string().trim().min(1),
  history: z
    .array(z.strictObject({ role: z.enum(['user', 'assistant']), content: z.string().trim().min(1) }))
    .min(1)
    .optional(),
  reference_answer: z.string().trim().min(1).optional(),
  gold_sources: z.array(z.string().min(1)).min(1).optional(),
  nuggets_all: z.array(z.string().trim().min(1)).min(1).optional(),
  nuggets_any: z.array(z.string().trim().min(1)).min(1).optional(),
  answerable: z.boolean().optional(),
  tags: z.array(z.string().min(1)).optional(),
});
type EvalCase = z.infer<typeof evalCaseSchema>;

const lines = readFileSync(datasetPath, 'utf8').split('\n');
const nonEmptyLines = lines.filter((line) => line.trim() !== '');
const cases: EvalCase[] = nonEmptyLines.map((line) => evalCaseSchema.parse(JSON.parse(line)));

const isAnswerable = (evalCase: EvalCase) => evalCase.answerable !== false;
const hasTag = (evalCase: EvalCase, tag: string) => evalCase.tags?.includes(tag) ?? false;
const cjk = /[\u4e00-\u9fff]/;

describe('evals/datasets/help-center.jsonl', () => {
  it('has one JSON case on every line and no blank lines inside', () => {
    expect(lines.at(-1)).toBe('');
    expect(lines.slice(0, -1).every((line) => line.trim() !== '')).toBe(true);
    nonEmptyLines.forEach((line, index) => {
      const parsed = evalCaseSchema.safeParse(JSON.parse(line));
      expect(parsed.success, `line ${index + 1}: ${parsed.error?.message}`).toBe(true);
    });
  });

  it('has unique ids numbered hc-001, hc-002, … in file order', () => {
    const ids = cases.map((evalCase) => evalCase.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(ids.map((_, index) => `hc-${String(index + 1).padStart(3, '0')}`));
  });

  it('names only gold sources that exist under examples/help-center, as POSIX relative paths', () => {
    for (const evalCase of cases) {
      for (const source of evalCase.gold_sources ?? []) {
        expect(source, evalCase.id).not.toMatch(/^\/|\\|(^|\/)\.\.?\//);
        const path = join(helpCenterDirectory, ...source.split('/'));
        expect(existsSync(path) && statSync(path).isFile(), `${evalCase.id}: ${source}`).toBe(true);
      }
    }
  });

  it('gives answerable cases gold sources and a reference answer, and unanswerable ones neither', () => {
    for (const evalCase of cases) {
      expect(typeof evalCase.answerable, evalCase.id).toBe('boolean');
      if (isAnswerable(evalCase)) {
        // A request for a human is answered from the KB's hand-off setting, not from an article.
        if (hasTag(evalCase, 'handoff')) expect(evalCase.gold_sources, evalCase.id).toBeUndefined();
        else expect(evalCase.gold_sources?.length, evalCase.id).toBeGreaterThan(0);
        expect(evalCase.reference_answer, evalCase.id).toBeDefined();
        expect(hasTag(evalCase, 'unanswerable'), evalCase.id).toBe(false);
      } else {
        expect(evalCase.gold_sources, evalCase.id).toBeUndefined();
        expect(evalCase.reference_answer, evalCase.id).toBeUndefined();
        expect(hasTag(evalCase, 'unanswerable'), evalCase.id).toBe(true);
      }
    }
  });

  it('tags every case with exactly one language that matches the question', () => {
    for (const evalCase of cases) {
      const languages = (evalCase.tags ?? []).filter((tag) => tag === 'en' || tag === 'zh');
      expect(languages, evalCase.id).toHaveLength(1);
      expect(cjk.test(evalCase.question), evalCase.id).toBe(languages[0] === 'zh');
      if (languages[0] === 'zh' && isAnswerable(evalCase)) expect(evalCase.reference_answer, evalCase.id).toMatch(cjk);
    }
  });

  it('gives follow-up cases a history that alternates user and assistant and ends with the assistant', () => {
    for (const evalCase of cases) {
      expect(hasTag(evalCase, 'follow-up'), evalCase.id).toBe(evalCase.history !== undefined);
      const history = evalCase.history ?? [];
      history.forEach((turn, index) => expect(turn.role, evalCase.id).toBe(index % 2 === 0 ? 'user' : 'assistant'));
      if (history.length > 0) expect(history.at(-1)?.role, evalCase.id).toBe('assistant');
    }
  });

  it('meets the minimum counts of each kind', () => {
    const answerable = cases.filter(isAnswerable);
    const unanswerable = cases.filter((evalCase) => !isAnswerable(evalCase));
    const chinese = cases.filter((evalCase) => hasTag(evalCase, 'zh'));
    expect(cases.length).toBeGreaterThanOrEqual(60);
    expect(answerable.length).toBeGreaterThanOrEqual(50);
    expect(unanswerable.length).toBeGreaterThanOrEqual(15);
    expect(chinese.length).toBeGreaterThanOrEqual(15);
    expect(cases.filter((evalCase) => hasTag(evalCase, 'en')).length).toBeGreaterThanOrEqual(15);
    expect(unanswerable.filter((evalCase) => hasTag(evalCase, 'zh')).length).toBeGreaterThan(0);
    expect(unanswerable.filter((evalCase) => hasTag(evalCase, 'en')).length).toBeGreaterThan(0);
    expect(cases.filter((evalCase) => evalCase.history !== undefined).length).toBeGreaterThanOrEqual(5);
  });

  it('covers every area of the help center with answerable cases', () => {
    const areas = ['account', 'billing', 'sdk', 'messaging', 'push-notifications', 'troubleshooting', 'security', 'assist'];
    for (const area of areas) {
      expect(cases.some((evalCase) => isAnswerable(evalCase) && hasTag(evalCase, area)), area).toBe(true);
    }
  });

  it('points Chinese answerable cases at zh/ articles, except where no Chinese article exists', () => {
    for (const evalCase of cases.filter((each) => hasTag(each, 'zh') && isAnswerable(each))) {
      const underZh = (evalCase.gold_sources ?? []).every((source) => source.startsWith('zh/'));
      expect(underZh || hasTag(evalCase, 'cross-lingual'), evalCase.id).toBe(true);
    }
  });
});
