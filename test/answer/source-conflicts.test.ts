import { describe, expect, it } from 'vitest';
import type { Passage } from '../../src/core/index.ts';
import {
  askedValueKinds,
  conflictConfidenceCap,
  conflictNote,
  findSourceConflicts,
  resolveSourceConflicts,
  type DetectedConflict,
} from '../../src/answer/source-conflicts.ts';
import { statedValues, valuesDiffer } from '../../src/answer/stated-values.ts';
import { passage } from './passage.ts';

/** Passages of documents A, B, C… in rank order, each `[documentId, text, fields?]`. */
function passages(...entries: Array<[string, string, Partial<Passage>?]>): Passage[] {
  return entries.map(([documentId, text, fields], index) =>
    passage({ chunkId: `${documentId}-${index}`, documentId, text, score: 1 - index * 0.05, ...fields }),
  );
}

/** The values in disagreement, per conflict, as written. */
function conflictsOf(question: string, given: Passage[], cited: string[] = [given[0]!.documentId]): string[][] {
  return findSourceConflicts({ question, passages: given, citedDocumentIds: cited }).map((conflict) =>
    conflict.statements.map((statement) => `${statement.documentId}: ${statement.value.written}`),
  );
}

describe('stated values', () => {
  const written = (text: string, kind: Parameters<typeof statedValues>[1]) => statedValues(text, kind).map((value) => `${value.key} ${value.written}`);

  it('reads prices with their currency and period, in English and Chinese', () => {
    expect(written('The Pro plan costs $19/month.', 'price')).toEqual(['USD/month $19/month']);
    expect(written('Pro is $29 per month, billed monthly.', 'price')).toEqual(['USD/month $29 per month, billed monthly']);
    expect(written('专业版价格为每月 ¥99。', 'price')).toEqual(['CNY/month 每月 ¥99']);
    expect(written('专业版 129 元/月', 'price')).toEqual(['CNY/month 129 元/月']);
    expect(written('$190/year ($15.83/month)', 'price')).toEqual(['USD/year $190/year', 'USD/month $15.83/month']);
  });

  it('keeps bounds and units in the key, and leaves approximate values out', () => {
    expect(written('Plans start from $9/month.', 'price')).toEqual(['min:USD/month from $9/month']);
    expect(written('Pro allows up to 10 users and 50 GB of storage.', 'number')).toEqual(['max:user up to 10 users', 'gb 50 GB']);
    expect(written('Refunds take 5–10 business days.', 'duration')).toEqual(['business day 5–10 business days']);
    expect(written('退款期限为 14 天。', 'duration')).toEqual(['day 14 天']);
    expect(written('It takes about 5 days.', 'duration')).toEqual([]);
    expect(written('2025年3月1日起生效', 'date')).toEqual(['min:date:day 2025年3月1日起']);
    expect(written('Requires Node.js 18.17 or later.', 'version')).toEqual(['min:version 18.17 or later']);
  });

  it('compares a range with a value by overlap, and versions by their parts', () => {
    const [range] = statedValues('5-10 days', 'duration');
    const [inside] = statedValues('7 days', 'duration');
    const [outside] = statedValues('30 days', 'duration');
    expect(valuesDiffer(range!, inside!)).toBe(false);
    expect(valuesDiffer(range!, outside!)).toBe(true);
    expect(valuesDiffer(statedValues('v4.3.0', 'version')[0]!, statedValues('version 4.3', 'version')[0]!)).toBe(false);
  });
});

describe('the kind of value a question asks for', () => {
  it('is the most specific kind asked, or a version', () => {
    expect(askedValueKinds('How much does the Pro plan cost?')).toEqual(['price']);
    expect(askedValueKinds('How much is the Pro plan?')).toEqual(['number', 'price']);
    expect(askedValueKinds('How long do refunds take?')).toEqual(['duration']);
    expect(askedValueKinds('How many users can the Pro plan have?')).toEqual(['number']);
    expect(askedValueKinds('Which version of Node.js is required?')).toEqual(['version']);
    expect(askedValueKinds('专业版的价格是多少？')).toEqual(['price']);
    expect(askedValueKinds('退款期限是多久？')).toEqual(['duration']);
    expect(askedValueKinds('How do I reset my password?')).toEqual([]);
  });
});

describe('source conflicts', () => {
  it('finds two documents stating different prices for the same plan', () => {
    const given = passages(['pricing', 'The Pro plan costs $19/month.'], ['faq', 'The Pro plan costs $29/month.']);
    expect(conflictsOf('How much does the Pro plan cost?', given)).toEqual([['pricing: $19/month', 'faq: $29/month']]);
  });

  it('finds them worded differently, and when the subject is in a heading', () => {
    const worded = passages(
      ['pricing', 'Our Pro plan is priced at $19 per month.'],
      ['faq', 'The Pro plan costs $29/month, billed monthly.'],
    );
    expect(conflictsOf('How much is the Pro plan?', worded)).toHaveLength(1);
    const headed = passages(
      ['pricing', 'It costs $19 per month.', { heading: 'Pro plan', headingPath: ['Pricing', 'Pro plan'] }],
      ['faq', 'The Pro plan costs $29 per month.'],
    );
    expect(conflictsOf('How much does the Pro plan cost?', headed)).toHaveLength(1);
  });

  it('finds Chinese prices and refund periods that disagree', () => {
    expect(conflictsOf('专业版的价格是多少？', passages(['a', '专业版价格为每月 ¥99。'], ['b', '专业版的价格是每月 ¥129。']))).toEqual([
      ['a: 每月 ¥99', 'b: 每月 ¥129'],
    ]);
    expect(conflictsOf('退款期限是多久？', passages(['a', '退款期限为 14 天。'], ['b', '退款期限是 30 天，逾期不予受理。']))).toEqual([
      ['a: 14 天', 'b: 30 天'],
    ]);
  });

  it('finds limits and versions that disagree', () => {
    expect(conflictsOf('How many users can the Pro plan have?', passages(['a', 'The Pro plan allows up to 10 users.'], ['b', 'The Pro plan allows up to 25 users.']))).toHaveLength(1);
    expect(
      conflictsOf('Which version of Node.js does the CLI require?', passages(['a', 'The CLI requires Node.js version 18.'], ['b', 'The CLI requires Node.js version 20.'])),
    ).toHaveLength(1);
  });

  it('does not take one page listing two plans for a conflict, nor its page against another agreeing with it', () => {
    const onePage = passages(['pricing', 'Starter costs $19/month and Growth costs $29/month.']);
    expect(conflictsOf('How much does the Growth plan cost?', onePage)).toEqual([]);
    const listAndAgreement = passages(['pricing', 'Starter: $19/month. Growth: $29/month.'], ['faq', 'The Growth plan costs $29/month.']);
    expect(conflictsOf('How much does the Growth plan cost?', listAndAgreement)).toEqual([]);
  });

  it('does not compare different subjects', () => {
    const plans = passages(['a', 'The Starter plan costs $19/month.'], ['b', 'The Growth plan costs $29/month.']);
    expect(conflictsOf('How much does a plan cost?', plans)).toEqual([]);
    const annualMonthly = passages(['a', 'Annual plans can be refunded within 30 days.'], ['b', 'Monthly plans can be refunded within 14 days.']);
    expect(conflictsOf('How long is the refund window?', annualMonthly)).toEqual([]);
    const asked = passages(['a', 'Annual plans can be refunded within 30 days.'], ['b', 'Plans can be refunded within 14 days.']);
    expect(conflictsOf('How long is the refund window for annual plans?', asked)).toEqual([]);
    const headings = passages(
      ['a', 'It costs $19 per month.', { heading: 'Starter plan' }],
      ['b', 'It costs $29 per month.', { heading: 'Growth plan' }],
    );
    expect(conflictsOf('How much does it cost per month?', headings)).toEqual([]);
    expect(conflictsOf('基础版和专业版的价格是多少？', passages(['a', '基础版价格为每月 ¥99。'], ['b', '专业版价格为每月 ¥129。']))).toEqual([]);
  });

  it('does not take two yearly editions of a page for a disagreement on what the question asks', () => {
    // Found on a public Chinese eval set: the admissions FAQ of 2016 and of 2017, asked when the school was founded.
    const editions = passages(
      ['faq-2016', '中国人民大学本科生招生办公室 2016年1月 2016年艺术类（美术）专业本科招生答考生问'],
      ['faq-2017', '中国人民大学本科生招生办公室 2017年1月 2017年艺术类（美术）专业本科招生答考生问'],
    );
    expect(conflictsOf('中国人民大学艺术学院成立于哪一年？', editions)).toEqual([]);
    const founded = passages(['a', '中国人民大学艺术学院成立于1999年。'], ['b', '中国人民大学艺术学院成立于2001年。']);
    expect(conflictsOf('中国人民大学艺术学院成立于哪一年？', founded)).toEqual([['a: 1999年', 'b: 2001年']]);
  });

  it('does not compare different units, periods, bounds or overlapping ranges', () => {
    const periods = passages(['a', 'The Pro plan costs $19/month.'], ['b', 'The Pro plan costs $190/year.']);
    expect(conflictsOf('How much does the Pro plan cost?', periods)).toEqual([]);
    const annualEquivalent = passages(['a', 'The Pro plan costs $19/month.'], ['b', 'The Pro plan costs $190/year ($15.83/month).']);
    expect(conflictsOf('How much does the Pro plan cost?', annualEquivalent)).toEqual([]);
    const billedAnnually = passages(['a', 'The Pro plan costs $19/month.'], ['b', 'The Pro plan costs $15.83/month, billed annually.']);
    expect(conflictsOf('How much does the Pro plan cost?', billedAnnually)).toEqual([]);
    const bound = passages(['a', 'The Pro plan costs $19/month.'], ['b', 'The Pro plan starts from $9/month.']);
    expect(conflictsOf('How much does the Pro plan cost?', bound)).toEqual([]);
    const units = passages(['a', 'Refunds are processed within 10 business days.'], ['b', 'Refunds are processed within 14 days.']);
    expect(conflictsOf('How long do refunds take to process?', units)).toEqual([]);
    const ranges = passages(['a', 'Refunds are processed in 5-10 days.'], ['b', 'Refunds are processed in 7 days.']);
    expect(conflictsOf('How long do refunds take to process?', ranges)).toEqual([]);
    const zhUnits = passages(['a', '退款期限为 14 天。'], ['b', '退款期限为 10 个工作日。']);
    expect(conflictsOf('退款期限是多久？', zhUnits)).toEqual([]);
  });

  it('needs two documents, the question to ask for the value, and a cited document among them', () => {
    const sameDocument = passages(['a', 'The Pro plan costs $19/month.'], ['a', 'The Pro plan costs $29/month.']);
    expect(conflictsOf('How much does the Pro plan cost?', sameDocument)).toEqual([]);
    const given = passages(['a', 'The Pro plan costs $19/month.'], ['b', 'The Pro plan costs $29/month.'], ['c', 'Billing is monthly.']);
    expect(conflictsOf('Tell me about the Pro plan', given)).toEqual([]);
    expect(conflictsOf('How much does the Pro plan cost?', given, ['c'])).toEqual([]);
  });

  it('reads the runners-up among the top five passages only', () => {
    const filler = (index: number): [string, string] => [`other-${index}`, `Invoices are emailed on the first day of each month (${index}).`];
    const sixth = passages(['a', 'The Pro plan costs $19/month.'], filler(1), filler(2), filler(3), filler(4), ['b', 'The Pro plan costs $29/month.']);
    expect(conflictsOf('How much does the Pro plan cost?', sixth)).toEqual([]);
    const fifth = passages(['a', 'The Pro plan costs $19/month.'], filler(1), filler(2), filler(3), ['b', 'The Pro plan costs $29/month.']);
    expect(conflictsOf('How much does the Pro plan cost?', fifth)).toHaveLength(1);
  });
});

describe('what the answer does about a conflict', () => {
  const question = 'How much does the Pro plan cost?';
  const detect = (given: Passage[]): DetectedConflict[] => findSourceConflicts({ question, passages: given, citedDocumentIds: ['a'] });

  it('abstains when two documents disagree and neither is backed by another', () => {
    const conflicts = detect(passages(['a', 'The Pro plan costs $19/month.'], ['b', 'The Pro plan costs $29/month.']));
    expect(resolveSourceConflicts(conflicts, 'The Pro plan costs $19/month [1].').action).toBe('abstain');
    expect(conflictConfidenceCap(conflicts)).toBe(0.5);
  });

  it('keeps an answer that already states both values', () => {
    const conflicts = detect(passages(['a', 'The Pro plan costs $19/month.'], ['b', 'The Pro plan costs $29/month.']));
    expect(resolveSourceConflicts(conflicts, 'One page says $19/month [1], another $29/month [2].').action).toBe('none');
  });

  it('answers with a note quoting the other value when more documents agree on one', () => {
    const given = passages(['a', 'The Pro plan costs $19/month.'], ['b', 'The Pro plan costs $29/month.'], ['c', 'Our Pro plan costs $19 per month.']);
    const resolution = resolveSourceConflicts(detect(given), 'The Pro plan costs $19/month [1].');
    expect(resolution.action).toBe('note');
    if (resolution.action !== 'note') return;
    expect(resolution.answerStatesPreferred).toBe(true);
    expect(resolution.unstated.map((statement) => statement.documentId)).toEqual(['b']);
    expect(conflictNote(resolution.unstated, 'en')).toBe('However, the sources disagree: "The Pro plan costs $29/month" [2].');
    expect(conflictNote(resolution.unstated, 'zh')).toBe('但各资料的说法不一致：「The Pro plan costs $29/month」[2]。');
  });

  it('knows when the answer states the value fewer documents give', () => {
    const given = passages(['a', 'The Pro plan costs $29/month.'], ['b', 'The Pro plan costs $19/month.'], ['c', 'Our Pro plan costs $19 per month.']);
    const resolution = resolveSourceConflicts(detect(given), 'The Pro plan costs $29/month [1].');
    expect(resolution).toMatchObject({ action: 'note', answerStatesPreferred: false });
    if (resolution.action !== 'note') return;
    expect(resolution.preferred.map((statement) => statement.documentId)).toEqual(['b']);
    expect(resolution.others.map((statement) => statement.documentId)).toEqual(['a']);
  });
});
