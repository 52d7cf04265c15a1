import { describe, expect, it } from 'vitest';
import { curatedThresholdOf } from '../../src/answer/curated/curated-lookup.ts';
import {
  bestMatch,
  defaultCuratedThreshold,
  lexicalSimilarity,
  phrasingScore,
  questionSimilarity,
  vectorCouldMatter,
  type PreparedPhrasing,
} from '../../src/answer/curated/matching.ts';
import { lexicalTerms } from '../../src/retrieval/index.ts';
import { curatedSet, questionSet } from '../../bench/curated-threshold-set.ts';

const prepared = (text: string, vector: number[] | null = null): PreparedPhrasing => ({ text, terms: new Set(lexicalTerms(text)), vector });

describe('curated-answer matching', () => {
  it('scores shared terms: a paraphrase high, a question sharing a word low', () => {
    const password = prepared('How do I reset my password?');
    expect(lexicalSimilarity(prepared('Password reset').terms, password.terms)).toBe(1);
    expect(lexicalSimilarity(prepared('How do I reset my API key?').terms, password.terms)).toBeCloseTo(0.4);
    expect(lexicalSimilarity(prepared('如何重置API密钥？').terms, prepared('如何重置密码？').terms)).toBeLessThan(defaultCuratedThreshold);
    expect(lexicalSimilarity(new Set(), password.terms)).toBe(0);
  });

  it('scores a question that swaps a term of the phrasing for its own down by the phrasing terms it lacks', () => {
    const annual = prepared('Can I get a refund on an annual plan?');
    // Monthly for annual: Dice 3/4 (get, refund, plan shared), times the 3 of 4 phrasing terms held.
    expect(questionSimilarity(prepared('Can I get a refund on my monthly plan?').terms, annual.terms)).toBeCloseTo((3 / 4) * (3 / 4));
    expect(questionSimilarity(prepared('How much does the Starter plan cost?').terms, prepared('How much does the Growth plan cost?').terms)).toBeLessThan(
      defaultCuratedThreshold,
    );
    // Adding terms, or leaving some out, is not a swap: plain Dice.
    const growth = prepared('How much does the Growth plan cost?');
    const more = prepared('How much does the Growth plan cost per month?');
    expect(questionSimilarity(more.terms, growth.terms)).toBe(lexicalSimilarity(more.terms, growth.terms));
    expect(questionSimilarity(prepared('Growth plan cost').terms, growth.terms)).toBeGreaterThanOrEqual(defaultCuratedThreshold);
  });

  it('lets a vector lift a near-miss halfway, never match alone', () => {
    const phrasing = prepared('Can I get a refund?', [1, 0]);
    // Identical vectors, no shared term: (0 + 1) / 2, under any sensible threshold.
    expect(phrasingScore({ terms: new Set(['bitcoin']), vector: [1, 0] }, phrasing)).toBe(0.5);
    const nearMiss = { terms: new Set(lexicalTerms('Can I get my money back?')), vector: [1, 0] };
    const lexical = questionSimilarity(nearMiss.terms, phrasing.terms);
    expect(phrasingScore(nearMiss, phrasing)).toBeCloseTo((lexical + 1) / 2);
    // An orthogonal vector changes nothing.
    expect(phrasingScore({ ...nearMiss, vector: [0, 1] }, phrasing)).toBeCloseTo(lexical);
    expect(vectorCouldMatter(0.4, 0.6)).toBe(true);
    expect(vectorCouldMatter(0.1, 0.6)).toBe(false);
    expect(vectorCouldMatter(0.7, 0.6)).toBe(false);
  });

  it('holds the default threshold to its measured figures on the help-center set (docs/curated-answers.md)', () => {
    const candidates = curatedSet.map((entry) => ({ id: entry.id, phrasings: entry.phrasings.map((text) => prepared(text)) }));
    let fired = 0;
    let correct = 0;
    const wrong: string[] = [];
    for (const item of questionSet) {
      const match = bestMatch({ terms: prepared(item.question).terms, vector: null }, candidates, defaultCuratedThreshold);
      if (match) fired++;
      if (match && match.candidate.id === item.expected) correct++;
      else if (match) wrong.push(item.question);
    }
    const positives = questionSet.filter((item) => item.expected !== null).length;
    expect(correct / fired).toBe(1);
    expect(correct / positives).toBeGreaterThanOrEqual(0.85);
    expect(wrong).toEqual([]);
  });

  it('reads the threshold from the KB settings, with the default when absent or out of range', () => {
    expect(curatedThresholdOf({ settings: {} })).toBe(defaultCuratedThreshold);
    expect(curatedThresholdOf({ settings: { curatedThreshold: 0.8 } })).toBe(0.8);
    // Settings are validated when written; a value written around the API (by hand in SQL) is not trusted.
    expect(curatedThresholdOf({ settings: { curatedThreshold: '0.8' } as never })).toBe(defaultCuratedThreshold);
    expect(curatedThresholdOf({ settings: { curatedThreshold: 2 } })).toBe(defaultCuratedThreshold);
  });
});
