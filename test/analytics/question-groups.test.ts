import { describe, expect, it } from 'vitest';
import { daysOf, groupQuestions, normalizeQuestion, resolvePeriod, type AskedQuestion } from '../../src/analytics/index.ts';

const at = (day: number) => new Date(Date.UTC(2026, 2, day, 12));
const asked = (question: string, count = 1, day = 1, abstainedCount = 0): AskedQuestion => ({
  question,
  count,
  abstainedCount,
  lastAskedAt: at(day),
});

describe('groupQuestions', () => {
  it('groups paraphrases of one question and keeps different questions apart', () => {
    const groups = groupQuestions([
      asked('How do I reset my password?', 3, 2),
      asked('how to reset password', 2, 5),
      asked('Reset password not working', 1, 4),
      asked('How do I change my password?', 2, 3),
      asked('How long do refunds take?', 1, 1),
    ]);
    expect(groups.map((group) => [group.representative, group.count])).toEqual([
      ['How do I reset my password?', 6],
      ['How do I change my password?', 2],
      ['How long do refunds take?', 1],
    ]);
    expect(groups[0]!.questions).toEqual([
      { question: 'How do I reset my password?', count: 3 },
      { question: 'how to reset password', count: 2 },
      { question: 'Reset password not working', count: 1 },
    ]);
    expect(groups[0]!.lastAskedAt).toEqual(at(5));
  });

  it('merges wordings that differ only in case, punctuation and width', () => {
    const groups = groupQuestions([asked('How do I reset my password?'), asked('HOW DO I RESET MY PASSWORD'), asked('ｈｏｗ do i reset my password？')]);
    expect(groups).toHaveLength(1);
    expect(groups[0]!.count).toBe(3);
    expect(normalizeQuestion('ＡＰＮｓ  certificate — expired?!')).toBe('apns certificate expired');
  });

  it('groups Chinese paraphrases (character bigrams) apart from other Chinese questions', () => {
    const groups = groupQuestions([
      asked('如何重置密码？', 2, 1),
      asked('怎么重置密码', 1, 2),
      asked('重置密码的方法', 1, 3),
      asked('你们支持比特币付款吗？', 1, 1),
    ]);
    expect(groups.map((group) => [group.representative, group.count])).toEqual([
      ['如何重置密码？', 4],
      ['你们支持比特币付款吗？', 1],
    ]);
  });

  it('represents a group by its most frequent wording, not by the first or the seed', () => {
    const groups = groupQuestions([
      asked('reset password', 1, 9),
      asked('How do I reset my password?', 2, 1),
      asked('how do i reset my password', 2, 1),
      asked('How to reset password?', 3, 2),
    ]);
    // "How do I reset my password?" merges two wordings (4 in all) and seeds the group,
    // but "How to reset password?" is the most frequent single wording.
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ representative: 'How to reset password?', count: 8, lastAskedAt: at(9) });
  });

  it('sums abstentions and keeps term-less questions to themselves', () => {
    const groups = groupQuestions([asked('Can I pay with Bitcoin?', 2, 1, 2), asked('pay with bitcoin', 1, 2, 1), asked('How?', 1), asked('what?', 1)]);
    expect(groups.map((group) => [group.representative, group.count, group.abstainedCount])).toEqual([
      ['Can I pay with Bitcoin?', 3, 3],
      ['How?', 1, 0],
      ['what?', 1, 0],
    ]);
  });

  it('is deterministic: the input order does not change the groups or their order', () => {
    const input = [
      asked('How do I reset my password?', 2, 2),
      asked('how to reset password', 2, 2),
      asked('change password', 1, 1),
      asked('password change', 1, 1),
      asked('refund time', 1, 1),
      asked('如何重置密码？', 1, 1),
      asked('Can I get a refund?', 1, 1),
    ];
    const expected = groupQuestions(input);
    for (let shift = 1; shift < input.length; shift++) {
      const rotated = [...input.slice(shift), ...input.slice(0, shift)];
      expect(groupQuestions(rotated)).toEqual(expected);
      expect(groupQuestions([...rotated].reverse())).toEqual(expected);
    }
    // Ties on count and time are ordered by text, in code-point order.
    expect(expected.map((group) => group.representative)).toEqual([
      'How do I reset my password?',
      'change password',
      'Can I get a refund?',
      'refund time',
      '如何重置密码？',
    ]);
  });

  it('honours a stricter threshold', () => {
    const loose = groupQuestions([asked('reset password'), asked('reset password not working')]);
    const strict = groupQuestions([asked('reset password'), asked('reset password not working')], { similarityThreshold: 0.8 });
    expect(loose).toHaveLength(1);
    expect(strict).toHaveLength(2);
  });
});

describe('resolvePeriod', () => {
  const now = new Date('2026-03-31T10:00:00Z');

  it('defaults to the last 30 days, or the days given', () => {
    expect(resolvePeriod({}, now)).toEqual({ from: new Date('2026-03-01T10:00:00Z'), to: now });
    expect(resolvePeriod({ days: 7 }, now).from).toEqual(new Date('2026-03-24T10:00:00Z'));
  });

  it('reads a date alone in to as the end of that day, and date-times with zones', () => {
    expect(resolvePeriod({ from: '2026-03-01', to: '2026-03-31' }, now)).toEqual({
      from: new Date('2026-03-01T00:00:00Z'),
      to: new Date('2026-04-01T00:00:00Z'),
    });
    expect(resolvePeriod({ from: '2026-03-01T09:30:00+02:00', to: '2026-03-02T00:00:00Z' }, now).from).toEqual(
      new Date('2026-03-01T07:30:00Z'),
    );
  });

  it.each([
    [{ from: 'yesterday' }, /ISO 8601/],
    [{ from: '2026-02-30' }, /ISO 8601/],
    [{ from: '2026-03-01T09:30:00' }, /ISO 8601/],
    [{ from: '2026-03-10', to: '2026-03-01' }, /must be before/],
    [{ from: '2024-01-01', to: '2026-01-01' }, /longer than 366 days/],
    [{ from: '2026-03-01', days: 3 }, /either days or from/],
    [{ days: 0 }, /days must be/],
  ])('refuses %o', (input, message) => {
    expect(() => resolvePeriod(input, now)).toThrow(message);
  });

  it('lists the UTC days a period touches', () => {
    expect(daysOf({ from: new Date('2026-03-01T22:00:00Z'), to: new Date('2026-03-03T00:00:00Z') })).toEqual(['2026-03-01', '2026-03-02']);
    expect(daysOf({ from: new Date('2026-03-01T22:00:00Z'), to: new Date('2026-03-03T00:00:01Z') })).toEqual([
      '2026-03-01',
      '2026-03-02',
      '2026-03-03',
    ]);
  });
});
