import { describe, expect, it } from 'vitest';
import {
  binomialCdf,
  clopperPearsonUpper,
  defaultThresholdGrid,
  filtersHoldingOut,
  fitThreshold,
  selectiveOutcome,
  splitForCalibration,
  withAnswersRemoved,
  type EvalCase,
  type ScoredCase,
} from '../../evals/index.ts';
import { seededRandom } from '../../src/core/index.ts';

const correct = (confidence: number, count = 1): ScoredCase[] => Array.from({ length: count }, () => ({ confidence, outcome: 'correct' }));
const wrong = (confidence: number, count = 1): ScoredCase[] => Array.from({ length: count }, () => ({ confidence, outcome: 'wrong' }));
const abstained = (confidence: number, count = 1): ScoredCase[] => Array.from({ length: count }, () => ({ confidence, outcome: 'abstained' }));

function exactCdf(k: number, n: number, p: number): number {
  let sum = 0;
  let choose = 1;
  for (let i = 0; i <= k; i++) {
    sum += choose * p ** i * (1 - p) ** (n - i);
    choose = (choose * (n - i)) / (i + 1);
  }
  return sum;
}

describe('the binomial tail', () => {
  it('matches the direct sum, and its edge cases', () => {
    expect(binomialCdf(5, 10, 0.5)).toBeCloseTo(0.623046875, 12);
    for (const [k, n, p] of [[0, 7, 0.2], [3, 20, 0.1], [12, 30, 0.55], [1, 1, 0.3]] as const) {
      expect(binomialCdf(k, n, p)).toBeCloseTo(exactCdf(k, n, p), 10);
    }
    expect(binomialCdf(-1, 10, 0.5)).toBe(0);
    expect(binomialCdf(10, 10, 0.9)).toBe(1);
    expect(binomialCdf(3, 10, 0)).toBe(1);
    expect(binomialCdf(3, 10, 1)).toBe(0);
    // Large n does not underflow to 0 or NaN.
    expect(binomialCdf(520, 5000, 0.1)).toBeGreaterThan(0.5);
    expect(binomialCdf(520, 5000, 0.1)).toBeLessThan(0.9);
  });
});

describe('the Clopper-Pearson upper bound', () => {
  it('has the closed form with no failures, and the textbook value with one', () => {
    // No failures in n: 1 − (1 − level)^(1/n); 45 clean answers bound the rate at 5 % with 90 % confidence.
    expect(clopperPearsonUpper(0, 45, 0.9)).toBeCloseTo(1 - 0.1 ** (1 / 45), 9);
    expect(clopperPearsonUpper(0, 45, 0.9)).toBeLessThan(0.05);
    expect(clopperPearsonUpper(0, 44, 0.9)).toBeGreaterThan(0.05);
    // One failure in 10 at 95 % one-sided: 0.3942.
    expect(clopperPearsonUpper(1, 10, 0.95)).toBeCloseTo(0.3942, 4);
  });

  it('knows nothing without trials and is 1 when every trial failed', () => {
    expect(clopperPearsonUpper(0, 0, 0.9)).toBe(1);
    expect(clopperPearsonUpper(7, 7, 0.9)).toBe(1);
  });

  it('rises with failures and with the level, and falls with more trials at the same rate', () => {
    for (let failures = 0; failures < 20; failures++) {
      expect(clopperPearsonUpper(failures + 1, 100, 0.9)).toBeGreaterThan(clopperPearsonUpper(failures, 100, 0.9));
    }
    expect(clopperPearsonUpper(3, 100, 0.99)).toBeGreaterThan(clopperPearsonUpper(3, 100, 0.9));
    expect(clopperPearsonUpper(30, 1000, 0.9)).toBeLessThan(clopperPearsonUpper(3, 100, 0.9));
    expect(clopperPearsonUpper(3, 100, 0.9)).toBeGreaterThan(0.03);
  });

  it('covers the true rate at least as often as its level says (seeded simulation)', () => {
    const random = seededRandom(7);
    for (const [rate, trials] of [[0.05, 40], [0.2, 25], [0.5, 60]] as const) {
      let misses = 0;
      const draws = 2000;
      for (let draw = 0; draw < draws; draw++) {
        let failures = 0;
        for (let trial = 0; trial < trials; trial++) if (random() < rate) failures += 1;
        if (clopperPearsonUpper(failures, trials, 0.9) < rate) misses += 1;
      }
      expect(misses / draws).toBeLessThanOrEqual(0.1);
    }
  });

  it('refuses a level or counts that make no sense', () => {
    expect(() => clopperPearsonUpper(1, 10, 1)).toThrow(RangeError);
    expect(() => clopperPearsonUpper(11, 10, 0.9)).toThrow(RangeError);
    expect(() => clopperPearsonUpper(1.5, 10, 0.9)).toThrow(RangeError);
  });
});

describe('what a threshold does', () => {
  it('answers the cases answered at or above it; abstentions never', () => {
    const cases = [...correct(0.8, 3), ...wrong(0.3, 2), ...wrong(0.5), ...abstained(0.95, 4)];
    expect(selectiveOutcome(cases, 0)).toEqual({ threshold: 0, cases: 10, answered: 6, wrong: 3, coverage: 0.6, wrongShare: 0.5 });
    expect(selectiveOutcome(cases, 0.5)).toMatchObject({ answered: 4, wrong: 1, wrongShare: 0.25 });
    expect(selectiveOutcome(cases, 0.81)).toMatchObject({ answered: 0, wrong: 0, coverage: 0, wrongShare: null });
  });
});

describe('fitting the threshold', () => {
  const budget = { maxWrong: 0.05, confidenceLevel: 0.9 };

  it('takes the lowest threshold whose bound meets the budget', () => {
    const cases = [...correct(0.9, 200), ...wrong(0.2, 50), ...correct(0.2, 50), ...abstained(0.1, 30)];
    const fit = fitThreshold(cases, budget);
    expect(fit.gridSize).toBe(defaultThresholdGrid.length);
    expect(fit.perThresholdLevel).toBeCloseTo(1 - 0.1 / 101, 12);
    expect(fit.chosen).toMatchObject({ threshold: 0.21, answered: 200, wrong: 0, cases: 330 });
    expect(fit.chosen!.upperBound).toBeLessThanOrEqual(0.05);
    // Without a budget that tight, it answers the 0.2 cases too.
    expect(fitThreshold(cases, { maxWrong: 0.3, confidenceLevel: 0.9 }).chosen?.threshold).toBe(0);
  });

  it('says no threshold works when the cases are too few, or too often wrong, and reports the tightest bound', () => {
    const tooFew = fitThreshold(correct(0.9, 30), budget);
    expect(tooFew.chosen).toBeNull();
    expect(tooFew.tightest.answered).toBe(30);
    expect(tooFew.tightest.upperBound).toBeGreaterThan(0.05);
    expect(tooFew.tightest.upperBound).toBeCloseTo(1 - (1 - tooFew.perThresholdLevel) ** (1 / 30), 9);

    const mostlyWrong = fitThreshold([...wrong(0.9, 100), ...correct(0.9, 100), ...correct(0.5, 10)], budget);
    expect(mostlyWrong.chosen).toBeNull();
    expect(mostlyWrong.tightest.wrongShare).toBeGreaterThan(0.4);

    expect(fitThreshold(abstained(0.9, 100), budget).chosen).toBeNull();
  });

  it('never lowers the threshold for a stricter budget or a higher confidence level', () => {
    for (let seed = 1; seed <= 5; seed++) {
      const random = seededRandom(seed);
      const cases: ScoredCase[] = Array.from({ length: 600 }, () => {
        const confidence = Math.round(random() * 1000) / 1000;
        const outcome = random() < 0.1 ? 'abstained' : random() < confidence ? 'correct' : 'wrong';
        return { confidence, outcome };
      });
      const thresholdAt = (maxWrong: number, confidenceLevel: number) => fitThreshold(cases, { maxWrong, confidenceLevel }).chosen?.threshold ?? Infinity;
      const budgets = [0.5, 0.4, 0.3, 0.2, 0.15, 0.1, 0.05];
      for (let index = 1; index < budgets.length; index++) {
        expect(thresholdAt(budgets[index]!, 0.9)).toBeGreaterThanOrEqual(thresholdAt(budgets[index - 1]!, 0.9));
      }
      expect(thresholdAt(0.2, 0.99)).toBeGreaterThanOrEqual(thresholdAt(0.2, 0.9));
      expect(thresholdAt(0.2, 0.9)).toBeGreaterThanOrEqual(thresholdAt(0.2, 0.5));
      // The wrong share among the answers falls as the threshold rises here (confidence is calibrated by construction).
      expect(thresholdAt(0.3, 0.9)).toBeLessThan(Infinity);
    }
  });

  it('keeps the true wrong share within the budget in at least the stated share of calibration draws (seeded simulation)', () => {
    // Confidence uniform on [0,1] and calibrated: P(wrong | c) = 1 − c, so the wrong share among answers at t is (1 − t) / 2.
    const random = seededRandom(11);
    const trueRisk = (threshold: number) => (1 - threshold) / 2;
    const maxWrong = 0.2;
    let violations = 0;
    let found = 0;
    const draws = 40;
    for (let draw = 0; draw < draws; draw++) {
      const cases: ScoredCase[] = Array.from({ length: 800 }, () => {
        const confidence = Math.round(random() * 1000) / 1000;
        return { confidence, outcome: random() < confidence ? 'correct' : 'wrong' };
      });
      const { chosen } = fitThreshold(cases, { maxWrong, confidenceLevel: 0.8 });
      if (!chosen) continue;
      found += 1;
      if (trueRisk(chosen.threshold) > maxWrong) violations += 1;
    }
    expect(found).toBeGreaterThan(draws * 0.9);
    expect(violations / draws).toBeLessThanOrEqual(0.2);
  });

  it('refuses a budget or level outside (0, 1)', () => {
    expect(() => fitThreshold(correct(0.9, 10), { maxWrong: 0, confidenceLevel: 0.9 })).toThrow(RangeError);
    expect(() => fitThreshold(correct(0.9, 10), { maxWrong: 0.1, confidenceLevel: 1 })).toThrow(RangeError);
  });
});

describe('the calibration split and answer-removed cases', () => {
  it('splits reproducibly by seed into two disjoint parts covering every case', () => {
    const items = Array.from({ length: 101 }, (_, index) => index);
    const first = splitForCalibration(items, seededRandom(3));
    expect(first).toEqual(splitForCalibration(items, seededRandom(3)));
    expect(first.calibration).toHaveLength(51);
    expect([...first.calibration, ...first.heldOut].sort((a, b) => a - b)).toEqual(items);
    expect(splitForCalibration(items, seededRandom(4)).calibration).not.toEqual(first.calibration);
  });

  it('holds out the gold documents of a share of the answerable cases that name them', () => {
    const cases: EvalCase[] = [
      ...Array.from({ length: 10 }, (_, index) => ({ id: `a${index}`, question: `q${index}`, gold_sources: [`doc${index}.md`, 'shared.md'] })),
      { id: 'no-gold', question: 'q', reference_answer: 'r' },
      { id: 'unanswerable', question: 'q', answerable: false },
    ];
    const { cases: asked, heldOutSources } = withAnswersRemoved(cases, 0.3, seededRandom(5));
    expect(heldOutSources.size).toBe(3);
    expect(asked).toHaveLength(cases.length);
    for (const evalCase of asked) {
      const heldOut = heldOutSources.get(evalCase.id);
      if (!heldOut) continue;
      expect(evalCase.answerable).toBe(false);
      expect(evalCase.tags).toContain('answer_removed');
      expect(heldOut).toEqual(cases.find((original) => original.id === evalCase.id)!.gold_sources);
    }
    expect(heldOutSources.has('no-gold')).toBe(false);
    expect(withAnswersRemoved(cases, 0, seededRandom(5)).heldOutSources.size).toBe(0);
    expect(withAnswersRemoved(cases, 1, seededRandom(5)).heldOutSources.size).toBe(10);
  });

  it("asks them with the KB's filters, minus the held-out documents", () => {
    expect(filtersHoldingOut(['a.md', 'b.md', 'c.md'], ['b.md'], undefined)).toEqual({ sources: ['a.md', 'c.md'] });
    expect(filtersHoldingOut(['a.md', 'b.md', 'c.md'], ['b.md'], { sources: ['b.md', 'c.md'], tags: { lang: 'en' } })).toEqual({
      sources: ['c.md'],
      tags: { lang: 'en' },
    });
    expect(filtersHoldingOut(['a.md'], ['a.md'], undefined)).toEqual({ sources: [] });
  });
});
