import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseEvalCases, type EvalCase } from '../../evals/index.ts';

/**
 * The real-docs eval sets (evals/datasets/real-docs-*.jsonl): questions written as customers
 * ask them over public documentation kept outside the repository (evals/datasets/README.md).
 * The documents are not here, so these checks are on the cases alone: the format `oriole eval`
 * reads with no warning, answerable cases that name their gold documents and 1–3 nuggets,
 * unanswerable ones that name neither, and the mix the sets were written to have.
 */
const datasetsDirectory = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'evals', 'datasets');
const setFiles = readdirSync(datasetsDirectory).filter((name) => /^real-docs-.+\.jsonl$/.test(name)).sort();

function readSet(file: string): { cases: EvalCase[]; warnings: string[] } {
  const warnings: string[] = [];
  const cases = parseEvalCases(readFileSync(join(datasetsDirectory, file), 'utf8'), file, (message) => warnings.push(message));
  return { cases, warnings };
}

const sets = setFiles.map((file) => ({ file, ...readSet(file) }));
const allCases = sets.flatMap((set) => set.cases);
const isAnswerable = (evalCase: EvalCase) => evalCase.answerable !== false;
const han = /\p{Script=Han}/u;

describe('evals/datasets/real-docs-*.jsonl', () => {
  it('holds at least 60 cases, at least a fifth of them unanswerable', () => {
    expect(setFiles.length).toBeGreaterThanOrEqual(2);
    expect(allCases.length).toBeGreaterThanOrEqual(60);
    const unanswerable = allCases.filter((evalCase) => !isAnswerable(evalCase)).length;
    expect(unanswerable / allCases.length).toBeGreaterThanOrEqual(0.2);
  });

  it('reads without warnings, with ids unique across the sets and prefixed by set', () => {
    for (const set of sets) expect(set.warnings, set.file).toEqual([]);
    const ids = allCases.map((evalCase) => evalCase.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const set of sets) {
      const prefixes = new Set(set.cases.map((evalCase) => evalCase.id.replace(/-\d{3}$/, '')));
      expect(prefixes.size, set.file).toBe(1);
    }
  });

  it('gives every answerable case its gold documents (relative POSIX paths) and 1–3 nuggets', () => {
    for (const evalCase of allCases.filter(isAnswerable)) {
      expect(evalCase.gold_sources?.length ?? 0, evalCase.id).toBeGreaterThan(0);
      for (const source of evalCase.gold_sources ?? []) expect(source, evalCase.id).toMatch(/^[^/\\.][^\\]*\.mdx?$/);
      const nuggetCount = (evalCase.nuggets_all?.length ?? 0) + (evalCase.nuggets_any?.length ?? 0);
      expect(nuggetCount, evalCase.id).toBeGreaterThanOrEqual(1);
      expect((evalCase.nuggets_all?.length ?? 0) + Math.min(1, evalCase.nuggets_any?.length ?? 0), evalCase.id).toBeLessThanOrEqual(3);
    }
  });

  it('gives unanswerable cases neither gold documents nor nuggets: the right answer is to abstain', () => {
    for (const evalCase of allCases.filter((entry) => !isAnswerable(entry))) {
      expect(evalCase.gold_sources, evalCase.id).toBeUndefined();
      expect(evalCase.nuggets_all, evalCase.id).toBeUndefined();
      expect(evalCase.nuggets_any, evalCase.id).toBeUndefined();
      expect(evalCase.tags, evalCase.id).toContain('unanswerable');
    }
  });

  it('tags each case with the language it is asked in', () => {
    for (const evalCase of allCases) {
      const language = han.test(evalCase.question) ? 'zh' : 'en';
      expect(evalCase.tags, evalCase.id).toContain(language);
    }
    expect(allCases.some((evalCase) => evalCase.tags?.includes('zh'))).toBe(true);
  });
});
