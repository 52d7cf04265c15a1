import { describe, expect, it } from 'vitest';
import {
  checkGates,
  compareReports,
  countRows,
  parseEvalCases,
  parseGate,
  scoreAnsweredCase,
  summarizeRows,
  tokenRecall,
  unscoredMetrics,
  type AnsweredCase,
  type EvalCase,
  type EvalReport,
  type EvalRow,
} from '../../evals/index.ts';
import type { AnswerResponse, Citation, Passage } from '../../src/core/index.ts';
import { passage } from '../answer/passage.ts';
import { sampleEvalReport } from '../helpers/sample-eval-report.ts';

/**
 * Scoring one case, summarising a run, comparing runs and gating releases: the numbers a
 * QA team reads, checked against values worked out by hand.
 */

const refunds = passage({
  chunkId: 'c-refunds',
  documentId: 'd-refunds',
  source: 'billing/refunds.md',
  text: 'Refunds are issued within 14 days of the request. Annual plans are refunded pro rata.',
});
const invoices = passage({
  chunkId: 'c-invoices',
  documentId: 'd-invoices',
  source: 'billing/invoices.md',
  text: 'Invoices are emailed on the first day of each month to the billing contact.',
});
const sso = passage({
  chunkId: 'c-sso',
  documentId: 'd-sso',
  source: 'account/sso.md',
  text: 'Single sign-on supports SAML 2.0 and OpenID Connect on the Business plan.',
});

function citation(from: Passage, index: number, supported = true): Citation {
  return {
    index,
    documentId: from.documentId,
    chunkId: from.chunkId,
    source: from.source,
    title: null,
    url: null,
    heading: null,
    page: null,
    snippet: from.text.slice(0, 60),
    score: 1,
    supported,
  };
}

function answered(answer: string, passages: Passage[], citations: Citation[], extra: Partial<AnswerResponse> = {}): AnsweredCase {
  return {
    passages,
    latencyMs: 40,
    response: {
      answerId: 'a1',
      answer,
      grounded: citations.length > 0,
      abstained: false,
      citations,
      confidence: 0.7,
      mode: 'extractive',
      model: 'extractive',
      kbVersion: 3,
      timings: { retrievalMs: 10, generationMs: 20, totalMs: 40 },
      retrieval: { mode: 'lexical', embedder: 'none', query: 'q', queryTerms: [], matchedTerms: [], lexicalMs: 1, vectorMs: 0 },
      ...extra,
    },
  };
}

const refundCase: EvalCase = {
  id: 'q1',
  question: 'How long do refunds take?',
  reference_answer: 'Refunds are issued within 14 days.',
  gold_sources: ['billing/refunds.md'],
};

describe('scoring one case', () => {
  it('scores a correct, cited answer and passes it', () => {
    const row = scoreAnsweredCase(
      refundCase,
      answered('Refunds are issued within 14 days of the request [1].', [invoices, refunds], [citation(refunds, 1)]),
      5,
      null,
    );
    expect(row.failure).toBeNull();
    expect(row.retrievedSources).toEqual(['billing/invoices.md', 'billing/refunds.md']);
    expect(row.metrics.hitAtK).toBe(1);
    expect(row.metrics.reciprocalRank).toBe(0.5);
    // nDCG: one gold document at rank 2 → (1/log2 3) / (1/log2 2).
    expect(row.metrics.ndcgAtK).toBeCloseTo(1 / Math.log2(3), 10);
    // Tokens: answer "refunds are issued within 14 days of request" (8; "the" dropped),
    // reference "refunds are issued within 14 days" (6), all 6 shared → P 6/8, R 1, F1 = 6/7.
    expect(row.metrics.tokenF1).toBeCloseTo(6 / 7, 10);
    expect(row.metrics.referenceRecall).toBe(1);
    expect(row.metrics.citationPrecision).toBe(1);
    expect(row.metrics.citationRecall).toBe(1);
    expect(row.metrics.citationValidity).toBe(1);
    expect(row.metrics.faithfulness).toBe(1);
    expect(row.metrics.correctness).toBeNull();
  });

  it('says where a case failed, in pipeline order', () => {
    const notRetrieved = scoreAnsweredCase(refundCase, answered('Invoices are emailed monthly [1].', [invoices], [citation(invoices, 1)]), 5, null);
    expect(notRetrieved.failure).toBe('not_retrieved');
    expect(notRetrieved.metrics.citationPrecision).toBe(0);

    const notCited = scoreAnsweredCase(
      refundCase,
      answered('Invoices are emailed monthly [1].', [invoices, refunds], [citation(invoices, 1)]),
      5,
      null,
    );
    expect(notCited.failure).toBe('retrieved_not_cited');

    const wrong = scoreAnsweredCase(refundCase, answered('Annual plans are refunded pro rata [1].', [refunds], [citation(refunds, 1)]), 5, null);
    expect(wrong.failure).toBe('answer_wrong');

    const abstainedWrongly = scoreAnsweredCase(
      refundCase,
      answered("I don't know.", [refunds], [], { abstained: true, reason: 'low_coverage' }),
      5,
      null,
    );
    expect(abstainedWrongly.failure).toBe('abstained_wrongly');
    expect(abstainedWrongly.metrics.tokenF1).toBe(0);
    expect(abstainedWrongly.metrics.citationRecall).toBe(0);
    expect(abstainedWrongly.metrics.citationPrecision).toBeNull();
    expect(abstainedWrongly.metrics.faithfulness).toBeNull();

    const unanswerable: EvalCase = { id: 'u1', question: 'Do you sell hardware?', answerable: false };
    expect(scoreAnsweredCase(unanswerable, answered('Invoices are emailed [1].', [invoices], [citation(invoices, 1)]), 5, null).failure).toBe(
      'answered_unanswerable',
    );
    const rightlyAbstained = scoreAnsweredCase(unanswerable, answered("I don't know.", [invoices], [], { abstained: true }), 5, null);
    expect(rightlyAbstained.failure).toBeNull();
    expect(rightlyAbstained.metrics.hitAtK).toBeNull();
    expect(rightlyAbstained.metrics.tokenF1).toBeNull();
  });

  it('uses the judge for correctness and faithfulness, and its correctness to decide answer_wrong', () => {
    const row = scoreAnsweredCase(
      refundCase,
      answered('Refunds are issued within 14 days of the request [1].', [refunds], [citation(refunds, 1)]),
      5,
      { correctness: 0.2, faithfulness: 0.5, unsupportedClaims: ['the request'] },
    );
    expect(row.metrics.correctness).toBe(0.2);
    expect(row.metrics.faithfulness).toBe(0.5);
    expect(row.failure).toBe('answer_wrong');
    expect(row.unsupportedClaims).toEqual(['the request']);
  });

  it('citation validity counts markers that name no retrieved passage', () => {
    // [2] is not a citation at all; [1] cites a passage that was not among the retrieved ones.
    const row = scoreAnsweredCase(
      refundCase,
      answered('Refunds take 14 days [1]. See also [2].', [refunds], [citation(sso, 1)]),
      5,
      null,
    );
    expect(row.metrics.citationValidity).toBe(0);
    const half = scoreAnsweredCase(refundCase, answered('Refunds take 14 days [1]. See also [2].', [refunds], [citation(refunds, 1)]), 5, null);
    expect(half.metrics.citationValidity).toBe(0.5);
  });

  it('faithfulness without a judge is the share of sentences the support check backs', () => {
    const row = scoreAnsweredCase(
      refundCase,
      answered(
        'Refunds are issued within 14 days of the request [1]. Single sign-on supports SAML 2.0 [1].',
        [refunds, sso],
        [citation(refunds, 1)],
      ),
      5,
      null,
    );
    expect(row.metrics.faithfulness).toBe(0.5);
  });

  it('citation precision and recall with two gold documents', () => {
    const twoGold: EvalCase = { ...refundCase, gold_sources: ['billing/refunds.md', 'billing/invoices.md'] };
    const row = scoreAnsweredCase(
      twoGold,
      answered('Refunds are issued within 14 days [1]. Single sign-on needs Business [2].', [refunds, sso, invoices], [citation(refunds, 1), citation(sso, 2)]),
      5,
      null,
    );
    expect(row.metrics.citationPrecision).toBe(0.5);
    expect(row.metrics.citationRecall).toBe(0.5);
    expect(row.metrics.recallAtK).toBe(1);
    // Gold at ranks 1 and 3 of 3: (1 + 1/log2 4) / (1 + 1/log2 3).
    expect(row.metrics.ndcgAtK).toBeCloseTo((1 + 0.5) / (1 + 1 / Math.log2(3)), 10);
  });
});

describe('nuggets', () => {
  const refundNuggetsCase: EvalCase = {
    id: 'n1',
    question: 'How are refunds paid out?',
    gold_sources: ['billing/refunds.md'],
    nuggets_all: ['14 days'],
    nuggets_any: ['pro rata', 'prorated'],
  };

  it('passes an answer that holds every nugget of nuggets_all and one of nuggets_any', () => {
    const row = scoreAnsweredCase(
      refundNuggetsCase,
      answered('Refunds are issued within 14 DAYS; annual plans are refunded pro rata [1].', [refunds], [citation(refunds, 1)]),
      5,
      null,
    );
    expect(row.nuggets).toEqual({ passed: true, missingAll: [], missingAny: [] });
    expect(row.metrics.nuggetRecall).toBe(1);
    expect(row.failure).toBeNull();
  });

  it('fails an answer that misses a nugget as answer_wrong and names what is missing', () => {
    const row = scoreAnsweredCase(refundNuggetsCase, answered('Refunds are issued within two weeks [1].', [refunds], [citation(refunds, 1)]), 5, null);
    expect(row.nuggets).toEqual({ passed: false, missingAll: ['14 days'], missingAny: ['pro rata', 'prorated'] });
    expect(row.metrics.nuggetRecall).toBe(0);
    expect(row.failure).toBe('answer_wrong');
  });

  it('counts an abstention on an answerable case as failing its nuggets, and leaves unanswerable cases out', () => {
    const abstained = scoreAnsweredCase(refundNuggetsCase, answered("I don't know.", [refunds], [], { abstained: true, reason: 'low_coverage' }), 5, null);
    expect(abstained.metrics.nuggetRecall).toBe(0);
    expect(abstained.failure).toBe('abstained_wrongly');
    const unanswerable = scoreAnsweredCase(
      { ...refundNuggetsCase, answerable: false },
      answered("I don't know.", [refunds], [], { abstained: true, reason: 'low_coverage' }),
      5,
      null,
    );
    expect(unanswerable.metrics.nuggetRecall).toBeNull();
    expect(unanswerable.nuggets).toBeUndefined();
  });

  it('leaves cases without nuggets out of nuggets.recall, which is the share of the others that pass', () => {
    const plain = scoreAnsweredCase(refundCase, answered('Refunds are issued within 14 days [1].', [refunds], [citation(refunds, 1)]), 5, null);
    expect(plain.metrics.nuggetRecall).toBeNull();
    expect(plain.nuggets).toBeUndefined();
    const summary = summarizeRows([
      row('a', {}, { nuggetRecall: 1 }),
      row('b', {}, { nuggetRecall: 0 }),
      row('c', {}, { nuggetRecall: 1 }),
      row('d'),
      row('e', { failure: 'error' }),
    ]);
    expect(summary['nuggets.recall']).toBeCloseTo(2 / 3, 10);
    expect(summarizeRows([row('a')])['nuggets.recall']).toBeNull();
  });

  it("scores truthfulness as CRAG does: a passing answer +1, an abstention 0, a failing answer -1, errors left out", () => {
    const summary = summarizeRows([
      row('right'),
      row('right again'),
      row('wrong', { failure: 'answer_wrong' }),
      row('answered the unanswerable', { answerable: false, failure: 'answered_unanswerable' }),
      row('abstained rightly', { answerable: false, abstained: true }),
      row('abstained wrongly', { abstained: true, failure: 'abstained_wrongly' }),
      row('broken', { failure: 'error' }),
    ]);
    expect(summary.truthfulness).toBeCloseTo((1 + 1 - 1 - 1 + 0 + 0) / 6, 10);
    // Answering everything wrongly scores below abstaining on everything.
    expect(summarizeRows([row('a', { failure: 'answer_wrong' })]).truthfulness).toBe(-1);
    expect(summarizeRows([row('a', { abstained: true, failure: 'abstained_wrongly' })]).truthfulness).toBe(0);
    expect(summarizeRows([]).truthfulness).toBeNull();
  });

  it('measures the calibration of confidence over answered, scored cases: correct means passed', () => {
    const summary = summarizeRows([
      row('right', { confidence: 0.95 }),
      row('right too', { confidence: 0.95 }),
      row('wrong', { confidence: 0.95, failure: 'answer_wrong' }),
      row('abstained', { confidence: 0.1, abstained: true, failure: 'abstained_wrongly' }),
      row('broken', { confidence: 0.9, failure: 'error' }),
      row('from an old report'),
    ]);
    expect(summary['confidence.ece']).toBeCloseTo(0.95 - 2 / 3, 10);
    expect(summarizeRows([row('a')])['confidence.ece']).toBeNull();
  });

  it('treats confidence.ece as lower-is-better: a rise regresses, and --fail-under refuses it', () => {
    const baseline = sampleEvalReport();
    const worse = sampleEvalReport({ summary: { ...baseline.summary, 'confidence.ece': 0.2 } });
    const better = sampleEvalReport({ summary: { ...baseline.summary, 'confidence.ece': 0.05 } });
    expect(compareReports(worse, baseline).metrics.find((delta) => delta.metric === 'confidence.ece')).toMatchObject({ regressed: true, improved: false });
    expect(compareReports(better, baseline).metrics.find((delta) => delta.metric === 'confidence.ece')).toMatchObject({ regressed: false, improved: true });
    expect(() => parseGate('confidence.ece=0.1')).toThrow(/lower bound/);
  });

  it('can gate a release (--fail-under nuggets.recall=0.7)', () => {
    expect(parseGate('nuggets.recall=0.7')).toEqual({ metric: 'nuggets.recall', bound: 0.7 });
    const results = checkGates(summarizeRows([row('a', {}, { nuggetRecall: 1 }), row('b', {}, { nuggetRecall: 0 })]), [
      { metric: 'nuggets.recall', bound: 0.7 },
    ]);
    expect(results[0]).toMatchObject({ value: 0.5, passed: false });
  });
});

describe('tokenRecall', () => {
  it('is the share of reference tokens the answer states, Chinese by character', () => {
    expect(tokenRecall('Refunds take 14 days, usually.', 'within 14 days')).toBeCloseTo(2 / 3, 10);
    // Reference tokens 14 天 内 退 款; the answer lacks 内 → 4/5.
    expect(tokenRecall('退款需要14天。', '14天内退款')).toBeCloseTo(4 / 5, 10);
    expect(tokenRecall('anything', '')).toBe(1);
  });
});

function row(id: string, fields: Partial<EvalRow> = {}, metrics: Partial<EvalRow['metrics']> = {}): EvalRow {
  return {
    id,
    question: `question ${id}`,
    history: [],
    tags: [],
    answerable: true,
    referenceAnswer: null,
    goldSources: [],
    answer: 'answer',
    abstained: false,
    reason: null,
    mode: 'extractive',
    citations: [],
    retrievedSources: [],
    latencyMs: 10,
    failure: null,
    ...fields,
    metrics: { ...unscoredMetrics(), ...metrics },
  };
}

describe('summarising a run', () => {
  it('averages each metric over the cases that define it and leaves errors out', () => {
    const rows = [
      row('a', {}, { hitAtK: 1, reciprocalRank: 1, tokenF1: 0.5 }),
      row('b', { failure: 'not_retrieved' }, { hitAtK: 0, reciprocalRank: 0, tokenF1: 0.1 }),
      row('c', { answerable: false, abstained: true }),
      row('d', { failure: 'error', latencyMs: 99_999 }),
    ];
    const summary = summarizeRows(rows);
    expect(summary['retrieval.hit_at_k']).toBe(0.5);
    expect(summary['retrieval.mrr']).toBe(0.5);
    expect(summary['answer.token_f1']).toBeCloseTo(0.3, 10);
    expect(summary['answer.correctness']).toBeNull();
    expect(summary['abstention.precision']).toBe(1);
    expect(summary['abstention.recall']).toBe(1);
    expect(summary['latency.p95_ms']).toBe(10);
    expect(countRows(rows)).toMatchObject({ cases: 4, answerable: 3, unanswerable: 1, passed: 2, errors: 1 });
  });

  it('on an all-answerable set, abstention recall is undefined (null) and precision is null without abstentions', () => {
    const summary = summarizeRows([row('a'), row('b')]);
    expect(summary['abstention.recall']).toBeNull();
    expect(summary['abstention.precision']).toBeNull();
    // One wrong abstention: precision 0, recall still undefined.
    const withFalseAbstention = summarizeRows([row('a'), row('b', { abstained: true, failure: 'abstained_wrongly' })]);
    expect(withFalseAbstention['abstention.precision']).toBe(0);
    expect(withFalseAbstention['abstention.recall']).toBeNull();
  });
});

function report(rows: EvalRow[], startedAt = '2026-12-01T10:00:00.000Z'): EvalReport {
  return {
    formatVersion: 1,
    summary: summarizeRows(rows),
    counts: countRows(rows),
    rows,
    config: {
      kb: 'default',
      k: 5,
      concurrency: 2,
      evalSet: 'golden.jsonl',
      llm: 'extractive',
      embedder: 'none',
      judge: null,
      faithfulnessMethod: 'support-check',
      retrievalMode: 'lexical',
    },
    kb: { name: 'default', version: 4, embedder: 'none' },
    oriole: { version: '0.1.0', gitCommit: null, node: 'v20' },
    startedAt,
    finishedAt: startedAt,
    durationMs: 1000,
  };
}

describe('comparing with a baseline', () => {
  const baselineRows = Array.from({ length: 10 }, (_, index) => row(`q${index}`, {}, { hitAtK: 1, reciprocalRank: 1 }));

  it('flags an injected regression: metric deltas past the tolerance and the cases that broke', () => {
    const broken = baselineRows.map((entry, index) =>
      index < 2 ? row(entry.id, { failure: 'not_retrieved' }, { hitAtK: 0, reciprocalRank: 0 }) : entry,
    );
    const comparison = compareReports(report(broken), report(baselineRows));
    const hit = comparison.metrics.find((entry) => entry.metric === 'retrieval.hit_at_k')!;
    expect(hit).toMatchObject({ baseline: 1, current: 0.8, regressed: true, improved: false });
    expect(hit.delta).toBeCloseTo(-0.2, 10);
    expect(comparison.regressions.map((change) => change.id)).toEqual(['q0', 'q1']);
    expect(comparison.regressions[0]).toMatchObject({ baselineFailure: null, currentFailure: 'not_retrieved' });
    expect(comparison.fixes).toEqual([]);
    // And the other way round, the same cases are fixes.
    expect(compareReports(report(baselineRows), report(broken)).fixes.map((change) => change.id)).toEqual(['q0', 'q1']);
  });

  it('does not flag noise: identical runs, or latency within a quarter and 20 ms', () => {
    const slower = baselineRows.map((entry) => ({ ...entry, latencyMs: 25 }));
    const comparison = compareReports(report(slower), report(baselineRows));
    expect(comparison.metrics.some((entry) => entry.regressed)).toBe(false);
    const muchSlower = baselineRows.map((entry) => ({ ...entry, latencyMs: 400 }));
    expect(compareReports(report(muchSlower), report(baselineRows)).metrics.find((entry) => entry.metric === 'latency.p95_ms')?.regressed).toBe(true);
  });

  it('lists cases present in only one run', () => {
    const comparison = compareReports(report([...baselineRows.slice(1), row('new')]), report(baselineRows));
    expect(comparison.onlyInBaseline).toEqual(['q0']);
    expect(comparison.onlyInCurrent).toEqual(['new']);
  });
});

describe('release gates (--fail-under)', () => {
  it('parses METRIC=VALUE and refuses unknown metrics, latencies and bounds above 1', () => {
    expect(parseGate('retrieval.mrr=0.8')).toEqual({ metric: 'retrieval.mrr', bound: 0.8 });
    expect(() => parseGate('retrieval.mmr=0.8')).toThrow(/not a metric.*retrieval\.mrr/);
    expect(() => parseGate('latency.p95_ms=100')).toThrow(/not a metric that can have a lower bound/);
    expect(() => parseGate('answer.token_f1=12')).toThrow(/within \[0, 1\]/);
    expect(() => parseGate('answer.token_f1')).toThrow(/METRIC=VALUE/);
  });

  it('passes at or above the bound, fails below it or when the metric was not measured', () => {
    const summary = summarizeRows([row('a', {}, { reciprocalRank: 0.5, tokenF1: 0.4 })]);
    const results = checkGates(summary, [
      { metric: 'retrieval.mrr', bound: 0.5 },
      { metric: 'answer.token_f1', bound: 0.41 },
      { metric: 'answer.correctness', bound: 0.1 },
    ]);
    expect(results.map((result) => result.passed)).toEqual([true, false, false]);
  });
});

describe('reading an eval set (JSONL)', () => {
  it('reads cases, skipping blank lines', () => {
    const text = '{"id":"a","question":"How?"}\n\n{"id":"b","question":"退款？","answerable":false}\n';
    expect(parseEvalCases(text, 'set.jsonl').map((entry) => entry.id)).toEqual(['a', 'b']);
  });

  it('names the line and field of a bad case', () => {
    expect(() => parseEvalCases('{"id":"a","question":"ok"}\n{"id":"b"}\n', 'set.jsonl')).toThrow(/set\.jsonl:2: question/);
    expect(() => parseEvalCases('{"id":"a", question}', 'set.jsonl')).toThrow(/set\.jsonl:1: not valid JSON/);
    expect(() => parseEvalCases('{"id":"a","question":"q","answerable":"no"}', 'set.jsonl')).toThrow(/answerable/);
  });

  it('ignores keys it does not know with one warning a key, naming its lines, so sets can carry fields for other tools', () => {
    const warnings: string[] = [];
    const text = [
      '{"id":"a","question":"ok","gold_source":["x.md"],"difficulty":"hard"}',
      '{"id":"b","question":"ok","difficulty":"easy"}',
    ].join('\n');
    const cases = parseEvalCases(text, 'set.jsonl', (message) => warnings.push(message));
    expect(cases).toEqual([
      { id: 'a', question: 'ok' },
      { id: 'b', question: 'ok' },
    ]);
    expect(warnings).toEqual([
      "set.jsonl: ignoring the unknown key 'gold_source' (line 1)",
      "set.jsonl: ignoring the unknown key 'difficulty' (lines 1, 2)",
    ]);
  });

  it('reads nuggets and checks them like any other field', () => {
    const [evalCase] = parseEvalCases('{"id":"a","question":"q","nuggets_all":[" /api/event "],"nuggets_any":["600","six hundred"]}', 's');
    expect(evalCase).toMatchObject({ nuggets_all: ['/api/event'], nuggets_any: ['600', 'six hundred'] });
    expect(() => parseEvalCases('{"id":"a","question":"q","nuggets_all":"600"}', 's.jsonl')).toThrow(/s\.jsonl:1: nuggets_all/);
    expect(() => parseEvalCases('{"id":"a","question":"q","nuggets_any":[""]}', 's.jsonl')).toThrow(/nuggets_any/);
  });

  it('takes a reference answer in parts (a list) and compares it as one text', () => {
    const [evalCase] = parseEvalCases('{"id":"a","question":"Which languages?","reference_answer":["Chinese","French"]}', 's');
    const row = scoreAnsweredCase(evalCase!, answered('Chinese and French [1].', [refunds], [citation(refunds, 1)]), 5, null);
    expect(row.referenceAnswer).toBe('Chinese\nFrench');
    expect(row.metrics.referenceRecall).toBe(1);
  });

  it('refuses duplicate ids and empty sets', () => {
    expect(() => parseEvalCases('{"id":"a","question":"x"}\n{"id":"a","question":"y"}', 's')).toThrow(/'a' is used by more than one case/);
    expect(() => parseEvalCases('\n\n', 's')).toThrow(/no eval cases/);
  });
});
