import { describe, expect, it } from 'vitest';
import {
  abstentionPrecisionRecall,
  accuracyCoverageCurve,
  answerTokens,
  expectedCalibrationError,
  checkNuggets,
  hitAtK,
  meanOf,
  ndcgAtK,
  nuggetText,
  percentile,
  recallAtK,
  reciprocalRankAtK,
  tokenF1,
} from '../../evals/index.ts';

describe('tokenF1 (SQuAD-style, CJK by character)', () => {
  it('ignores case, punctuation and English articles', () => {
    expect(tokenF1('The cat sat on the mat.', 'a cat sat on mat')).toBe(1);
    expect(answerTokens("Don't use the CLI, use an API!")).toEqual(['dont', 'use', 'cli', 'use', 'api']);
  });

  it('scores partial overlap: 2 shared of 5 predicted and 2 expected tokens', () => {
    // P = 2/5, R = 2/2 → F1 = 2·0.4·1 / 1.4 = 4/7
    expect(tokenF1('Refunds take 5 business days', '5 days')).toBeCloseTo(4 / 7, 10);
  });

  it('counts shared tokens with multiplicity', () => {
    // P = 1/3, R = 1 → F1 = 0.5
    expect(tokenF1('yes yes yes', 'yes')).toBeCloseTo(0.5, 10);
    expect(tokenF1('yes', 'yes yes')).toBeCloseTo(2 / 3, 10);
  });

  it('compares Chinese character by character', () => {
    expect(answerTokens('降至一本线。')).toEqual(['降', '至', '一', '本', '线']);
    expect(tokenF1('降至一本线', '降至一本线')).toBe(1);
    // 12 predicted characters (降 twice), 5 expected, 5 shared: P = 5/12, R = 1 → F1 = 10/17
    expect(tokenF1('甲类降分政策指降至一本线', '降至一本线')).toBeCloseTo(10 / 17, 10);
    // 6 predicted, 7 expected (和), 6 shared: P = 1, R = 6/7 → F1 = 12/13; order does not matter
    expect(tokenF1('汉语、法语、英语', '英语，法语和汉语')).toBeCloseTo(12 / 13, 10);
  });

  it('splits mixed Chinese and Latin text into characters and words', () => {
    expect(answerTokens('使用Docker部署RHDH 1.8。')).toEqual(['使', '用', 'docker', '部', '署', 'rhdh', '18']);
    // 5 predicted, 4 expected, 4 shared: P = 4/5, R = 1 → F1 = 8/9
    expect(tokenF1('使用Docker部署。', '用 docker 部署')).toBeCloseTo(8 / 9, 10);
  });

  it('folds full-width letters and digits (NFKC)', () => {
    expect(tokenF1('ＲＨＤＨ　１．８', 'rhdh 1.8')).toBe(1);
  });

  it('scores empty answers as SQuAD v2 does: 1 when both are empty, else 0', () => {
    expect(tokenF1('', '')).toBe(1);
    expect(tokenF1('the', '...')).toBe(1);
    expect(tokenF1('', 'five days')).toBe(0);
    expect(tokenF1('five days', '')).toBe(0);
    expect(tokenF1('nothing shared', 'five days')).toBe(0);
  });
});

describe('document-level ranking metrics', () => {
  // Chunk sources, best first: a document appears once per retrieved chunk.
  const ranked = ['a.md', 'a.md', 'b.md', 'c.md', 'b.md', 'd.md', 'e.md', 'f.md'];

  it('counts each document once, at its first rank, before cutting at k', () => {
    // Distinct: a, b, c, d, e, f → c is at rank 3
    expect(hitAtK(ranked, ['c.md'], 3)).toBe(1);
    expect(reciprocalRankAtK(ranked, ['c.md'], 3)).toBeCloseTo(1 / 3, 10);
    expect(hitAtK(ranked, ['d.md'], 3)).toBe(0);
    expect(reciprocalRankAtK(ranked, ['d.md'], 3)).toBe(0);
    expect(reciprocalRankAtK(ranked, ['f.md'], 6)).toBeCloseTo(1 / 6, 10);
  });

  it('takes the best-ranked of several gold documents (duplicated pages: any one counts)', () => {
    expect(reciprocalRankAtK(ranked, ['e.md', 'b.md'], 5)).toBe(0.5);
    expect(hitAtK(ranked, ['zzz.md', 'e.md'], 5)).toBe(1);
  });

  it('recall@k is the share of distinct gold documents found', () => {
    expect(recallAtK(ranked, ['b.md', 'e.md', 'z.md'], 5)).toBeCloseTo(2 / 3, 10);
    expect(recallAtK(ranked, ['b.md', 'b.md'], 5)).toBe(1);
    expect(recallAtK(ranked, ['e.md'], 4)).toBe(0);
  });

  it('nDCG@k with binary relevance', () => {
    // gold at ranks 2 and 4 of ['x','g1','y','g2']; 3 gold documents, k = 4:
    // DCG = 1/log2(3) + 1/log2(5) = 0.63093 + 0.43068; IDCG = 1 + 1/log2(3) + 1/log2(4) = 2.13093
    const value = ndcgAtK(['x', 'g1', 'y', 'g2'], ['g1', 'g2', 'g3'], 4)!;
    expect(value).toBeCloseTo((1 / Math.log2(3) + 1 / Math.log2(5)) / (1 + 1 / Math.log2(3) + 0.5), 10);
    expect(value).toBeCloseTo(0.49819, 4);
    expect(ndcgAtK(['g1', 'x'], ['g1'], 5)).toBe(1);
    expect(ndcgAtK(['x', 'g1'], ['g1'], 5)).toBeCloseTo(1 / Math.log2(3), 10);
    expect(ndcgAtK(['x', 'x', 'g1'], ['g1'], 5)).toBeCloseTo(1 / Math.log2(3), 10);
  });

  it('is null without gold documents, 0 for an empty ranking, and refuses a bad k', () => {
    for (const metric of [hitAtK, recallAtK, reciprocalRankAtK, ndcgAtK]) {
      expect(metric(ranked, [], 5)).toBeNull();
      expect(metric([], ['a.md'], 5)).toBe(0);
      expect(() => metric(ranked, ['a.md'], 0)).toThrow(RangeError);
      expect(() => metric(ranked, ['a.md'], 2.5)).toThrow(RangeError);
    }
  });

  it('meanOf skips cases without gold', () => {
    expect(meanOf([1, null, 0, 0.5])).toBeCloseTo(0.5, 10);
    expect(meanOf([null])).toBeNull();
    expect(meanOf([])).toBeNull();
  });
});

describe('abstentionPrecisionRecall (positive class: abstain)', () => {
  const cases = (shouldAbstain: boolean, abstained: boolean, count: number) =>
    Array.from({ length: count }, () => ({ shouldAbstain, abstained }));

  it('precision over abstentions, recall over unanswerable cases, false-abstention rate over answerable ones', () => {
    const scores = abstentionPrecisionRecall([...cases(true, true, 3), ...cases(false, true, 1), ...cases(true, false, 2), ...cases(false, false, 4)]);
    expect(scores).toEqual({
      truePositives: 3,
      falsePositives: 1,
      falseNegatives: 2,
      trueNegatives: 4,
      precision: 0.75,
      recall: 0.6,
      falseAbstentionRate: 0.2,
    });
  });

  it('reports null for a zero denominator', () => {
    expect(abstentionPrecisionRecall(cases(true, false, 2))).toMatchObject({ precision: null, recall: 0, falseAbstentionRate: null });
    expect(abstentionPrecisionRecall(cases(false, false, 2))).toMatchObject({ precision: null, recall: null, falseAbstentionRate: 0 });
    expect(abstentionPrecisionRecall(cases(false, true, 2))).toMatchObject({ precision: 0, recall: null, falseAbstentionRate: 1 });
    expect(abstentionPrecisionRecall([])).toMatchObject({ precision: null, recall: null, falseAbstentionRate: null });
  });
});

describe('percentile (nearest rank)', () => {
  it('returns an observed value', () => {
    const values = [5, 1, 3, 2, 4];
    expect(percentile(values, 50)).toBe(3); // rank ⌈2.5⌉ = 3
    expect(percentile(values, 95)).toBe(5); // rank ⌈4.75⌉ = 5
    expect(percentile(values, 0)).toBe(1);
    expect(percentile(values, 100)).toBe(5);
    expect(percentile([7], 95)).toBe(7);
  });

  it('handles ties', () => {
    expect(percentile([1, 1, 1, 10], 50)).toBe(1);
    expect(percentile([1, 1, 1, 10], 75)).toBe(1); // rank 3
    expect(percentile([1, 1, 1, 10], 76)).toBe(10); // rank ⌈3.04⌉ = 4
  });

  it('is null for no values and refuses p outside [0, 100]', () => {
    expect(percentile([], 50)).toBeNull();
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });

  it('does not reorder its input', () => {
    const values = [3, 1, 2];
    percentile(values, 50);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('checkNuggets (substring match after normalising)', () => {
  it('ignores case and runs of whitespace', () => {
    expect(checkNuggets('Go to  Account\nSettings, then click ENABLE 2FA.', { all: ['account settings', 'Enable 2FA'] })?.passed).toBe(true);
  });

  it('treats full-width and half-width punctuation and letters alike, for Chinese answers', () => {
    // Full-width ＝ and ＞ become ASCII under NFKC; 「」 and 。 are mapped by hand.
    expect(checkNuggets('在命令前加上 ＤＥＢＵＧ＝rsbuild。', { all: ['DEBUG=rsbuild'] })?.passed).toBe(true);
    expect(checkNuggets('默认范围是 chrome ＞= 107', { all: ['chrome >= 107'] })?.passed).toBe(true);
    expect(checkNuggets('点击「高级」继续。', { any: ['"高级"'] })?.passed).toBe(true);
    expect(nuggetText('１６３８４（16GB）。')).toBe('16384(16gb).');
  });

  it('reads Markdown for its text: escapes, code spans and strong emphasis', () => {
    expect(checkNuggets('Run localStorage.plausible\\_ignore=true', { all: ['plausible_ignore'] })?.passed).toBe(true);
    expect(checkNuggets('Click **Enable 2FA** in `Account Settings`.', { all: ['Enable 2FA in Account Settings'] })?.passed).toBe(true);
  });

  it('takes the space beside a Han character as optional, as Chinese writing does', () => {
    expect(checkNuggets('构建产物会生成在 `dist`目录下。', { all: ['dist 目录'] })?.passed).toBe(true);
    expect(checkNuggets('使用 loadEnv方法', { all: ['loadEnv 方法'] })?.passed).toBe(true);
    // Between two Latin words the space still counts.
    expect(checkNuggets('chrome>=107', { all: ['chrome >= 107'] })?.passed).toBe(false);
  });

  it('needs every nugget of all and one of any, and says which are missing', () => {
    expect(checkNuggets('Use the Events API.', { all: ['Events API', '/api/event'], any: ['POST', 'curl'] })).toEqual({
      passed: false,
      missingAll: ['/api/event'],
      missingAny: ['POST', 'curl'],
    });
    expect(checkNuggets('curl -X POST /api/event', { all: ['/api/event'], any: ['POST', 'curl'] })).toEqual({
      passed: true,
      missingAll: [],
      missingAny: [],
    });
  });

  it('has nothing to check without nuggets, and an empty answer holds none', () => {
    expect(checkNuggets('anything', {})).toBeNull();
    expect(checkNuggets('anything', { all: [], any: [] })).toBeNull();
    expect(checkNuggets('', { any: ['600'] })?.passed).toBe(false);
  });
});

describe('expectedCalibrationError (10 equal-width bins)', () => {
  it('weighs each bin\'s |accuracy − mean confidence| by its share of the cases (the worked example of docs/evals.md)', () => {
    const points = [
      { confidence: 0.95, correct: true },
      { confidence: 0.95, correct: true },
      { confidence: 0.95, correct: false },
      { confidence: 0.15, correct: false },
      { confidence: 0.15, correct: false },
      { confidence: 0.15, correct: true },
    ];
    // Bin [0.9,1]: accuracy 2/3, confidence 0.95 → 0.2833; bin [0.1,0.2): 1/3 vs 0.15 → 0.1833; each half the cases.
    expect(expectedCalibrationError(points)).toBeCloseTo(0.5 * (0.95 - 2 / 3) + 0.5 * (1 / 3 - 0.15), 10);
    expect(expectedCalibrationError(points)).toBeCloseTo(0.2333, 4);
  });

  it('is 0 when each bin\'s accuracy equals its confidence, puts a confidence of 1 in the last bin, and is null for no cases', () => {
    expect(expectedCalibrationError([{ confidence: 0.5, correct: true }, { confidence: 0.5, correct: false }])).toBeCloseTo(0, 10);
    expect(expectedCalibrationError([{ confidence: 1, correct: true }])).toBeCloseTo(0, 10);
    expect(expectedCalibrationError([{ confidence: 1, correct: false }])).toBeCloseTo(1, 10);
    expect(expectedCalibrationError([])).toBeNull();
  });
});

describe('accuracyCoverageCurve', () => {
  it('answers fewer cases, more of them right, as the threshold rises', () => {
    const points = [
      { confidence: 0.9, correct: true },
      { confidence: 0.6, correct: true },
      { confidence: 0.3, correct: false },
    ];
    const curve = accuracyCoverageCurve(points, 4, 0.25);
    expect(curve).toEqual([
      { threshold: 0, coverage: 0.75, accuracy: 2 / 3 },
      { threshold: 0.25, coverage: 0.75, accuracy: 2 / 3 },
      { threshold: 0.5, coverage: 0.5, accuracy: 1 },
      { threshold: 0.75, coverage: 0.25, accuracy: 1 },
      { threshold: 1, coverage: 0, accuracy: null },
    ]);
  });
});
