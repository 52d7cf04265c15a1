import type { CaseMetrics, EvalReport, EvalRow, FailureKind, MetricDelta, MetricName } from '../../evals/types.ts';
import { failureKinds, unscoredMetrics } from '../../evals/index.ts';

/**
 * A realistic eval report over the Parley help center: English and Chinese cases, three
 * that pass and one failure of each kind (one answer carrying a `<script>`, one question a
 * `|`), compared with a baseline and checked against gates. `counts` follows `rows`
 * unless overridden, so `sampleEvalReport({ rows: [] })` is a consistent empty run.
 */
export function sampleEvalReport(overrides: Partial<EvalReport> = {}): EvalReport {
  const rows = overrides.rows ?? sampleRows();
  return {
    formatVersion: 1,
    summary: {
      'retrieval.hit_at_k': 0.714,
      'retrieval.recall_at_k': 0.643,
      'retrieval.mrr': 0.571,
      'retrieval.ndcg_at_k': 0.598,
      'answer.token_f1': 0.412,
      'answer.correctness': null,
      'citations.precision': 0.667,
      'citations.recall': 0.5,
      'citations.validity': 0.889,
      faithfulness: 0.833,
      'nuggets.recall': 0.5,
      truthfulness: 0.25,
      'confidence.ece': 0.12,
      'abstention.precision': 0.5,
      'abstention.recall': 0.5,
      'latency.p50_ms': 842,
      'latency.p95_ms': 2870.4,
    },
    counts: countsOf(rows),
    rows,
    config: {
      kb: 'parley-help',
      k: 5,
      concurrency: 4,
      evalSet: 'help-center.jsonl',
      llm: 'extractive',
      embedder: 'transformers:Xenova/bge-small-en-v1.5',
      judge: null,
      faithfulnessMethod: 'support-check',
      retrievalMode: 'hybrid',
    },
    kb: { name: 'parley-help', version: 7, embedder: 'transformers:Xenova/bge-small-en-v1.5' },
    oriole: { version: '0.1.0', gitCommit: 'fe1ae8c5d2b94e0f3a7c1d6b8e2f4a9c0b3d5e71', node: 'v20.19.2' },
    startedAt: '2025-06-03T14:02:11.412Z',
    finishedAt: '2025-06-03T14:02:24.987Z',
    durationMs: 13_575,
    comparison: {
      baseline: {
        startedAt: '2025-05-28T09:15:40.000Z',
        kb: 'parley-help',
        kbVersion: 6,
        gitCommit: '8b3f041a7e2d9c5b1f6e0a4d3c8b7a2e9f1d5c40',
        evalSet: 'help-center.jsonl',
      },
      metrics: [
        delta('retrieval.hit_at_k', 0.857, 0.714, true),
        delta('retrieval.recall_at_k', 0.714, 0.643, true),
        delta('retrieval.mrr', 0.595, 0.571),
        delta('retrieval.ndcg_at_k', 0.62, 0.598),
        delta('answer.token_f1', 0.377, 0.412, false, true),
        delta('answer.correctness', null, null),
        delta('citations.precision', 0.667, 0.667),
        delta('citations.recall', 0.583, 0.5, true),
        delta('citations.validity', 0.852, 0.889, false, true),
        delta('faithfulness', 0.833, 0.833),
        delta('nuggets.recall', 1, 0.5, true),
        delta('truthfulness', 0.25, 0.25),
        delta('confidence.ece', 0.15, 0.12, false, true),
        delta('abstention.precision', 0.5, 0.5),
        delta('abstention.recall', 0.5, 0.5),
        delta('latency.p50_ms', 910, 842, false, true),
        delta('latency.p95_ms', 2210, 2870.4, true),
      ],
      regressions: [
        { id: 'en-annual-refund', question: 'Can I get a refund on an annual plan | monthly plan?', baselineFailure: null, currentFailure: 'answer_wrong' },
        { id: 'zh-sso-setup', question: '如何为团队配置 SAML 单点登录？', baselineFailure: null, currentFailure: 'retrieved_not_cited' },
      ],
      fixes: [{ id: 'zh-reset-password', question: '如何重置密码？', baselineFailure: 'not_retrieved', currentFailure: null }],
      onlyInBaseline: ['en-legacy-sdk'],
      onlyInCurrent: [],
    },
    gates: [
      { metric: 'retrieval.hit_at_k', bound: 0.8, value: 0.714, passed: false },
      { metric: 'answer.token_f1', bound: 0.35, value: 0.412, passed: true },
      { metric: 'latency.p95_ms', bound: 3000, value: 2870.4, passed: true },
    ],
    ...overrides,
  };
}

/** The counts a runner derives from its rows. */
function countsOf(rows: EvalRow[]): EvalReport['counts'] {
  const failures = Object.fromEntries(failureKinds.map((kind) => [kind, 0])) as Record<FailureKind, number>;
  for (const row of rows) if (row.failure !== null) failures[row.failure] += 1;
  return {
    cases: rows.length,
    answerable: rows.filter((row) => row.answerable).length,
    unanswerable: rows.filter((row) => !row.answerable).length,
    passed: rows.filter((row) => row.failure === null).length,
    errors: failures.error,
    failures,
  };
}

function delta(metric: MetricName, baseline: number | null, current: number | null, regressed = false, improved = false): MetricDelta {
  const change = baseline === null || current === null ? null : current - baseline;
  return { metric, baseline, current, delta: change, regressed, improved };
}

const noMetrics: CaseMetrics = unscoredMetrics();

function row(fields: Partial<EvalRow> & Pick<EvalRow, 'id' | 'question' | 'answer'>): EvalRow {
  return {
    history: [],
    tags: [],
    answerable: true,
    referenceAnswer: null,
    goldSources: [],
    abstained: false,
    reason: null,
    mode: 'extractive',
    citations: [],
    retrievedSources: [],
    metrics: noMetrics,
    latencyMs: 800,
    failure: null,
    ...fields,
  };
}

function sampleRows(): EvalRow[] {
  return [
    row({
      id: 'en-refund-time',
      question: 'How long do refunds take?',
      tags: ['billing'],
      referenceAnswer: 'Refunds are processed within 5 business days.',
      goldSources: ['billing/refunds.md'],
      answer: 'Refunds are processed within 5 business days of approval [1].',
      citations: [
        {
          index: 1,
          source: 'billing/refunds.md',
          title: 'Refunds',
          snippet: 'Approved refunds are processed within 5 business days.',
          supported: true,
        },
      ],
      retrievedSources: ['billing/refunds.md', 'billing/plans.md', 'billing/invoices.md'],
      metrics: { ...noMetrics, hitAtK: 1, recallAtK: 1, reciprocalRank: 1, ndcgAtK: 1, tokenF1: 0.762, referenceRecall: 1, citationPrecision: 1, citationRecall: 1, citationValidity: 1, faithfulness: 1, nuggetRecall: 1 },
      nuggets: { passed: true, missingAll: [], missingAny: [] },
      latencyMs: 612,
    }),
    row({
      id: 'zh-reset-password',
      question: '如何重置密码？',
      tags: ['account', 'zh'],
      referenceAnswer: '在登录页点击“忘记密码”，输入注册邮箱，然后按邮件中的链接设置新密码。',
      goldSources: ['zh/account/reset-password.md'],
      answer: '在登录页点击“忘记密码”，输入您的注册邮箱 [1]。\n打开邮件中的链接并设置新密码 [1]。',
      citations: [
        {
          index: 1,
          source: 'zh/account/reset-password.md',
          title: '重置密码',
          snippet: '在登录页点击“忘记密码”，输入注册邮箱，我们会发送一封重置邮件。',
          supported: true,
        },
      ],
      retrievedSources: ['zh/account/login.md', 'zh/account/reset-password.md', 'account/reset-password.md'],
      metrics: { ...noMetrics, hitAtK: 1, recallAtK: 1, reciprocalRank: 0.5, ndcgAtK: 0.631, tokenF1: 0.824, referenceRecall: 0.87, citationPrecision: 1, citationRecall: 1, citationValidity: 1, faithfulness: 1 },
      latencyMs: 934,
    }),
    row({
      id: 'en-crypto-payments',
      question: 'Do you accept payments in Bitcoin?',
      tags: ['billing', 'unanswerable'],
      answerable: false,
      answer: "I don't know: the help center does not say.",
      abstained: true,
      reason: 'No passage supports an answer.',
      mode: null,
      retrievedSources: ['billing/payment-methods.md', 'billing/invoices.md'],
      latencyMs: 455,
    }),
    row({
      id: 'en-apns-expired',
      question: 'Push notifications stopped on iOS after a year. What happened?',
      tags: ['push', 'ios'],
      referenceAnswer: 'Your APNs certificate has probably expired; upload a new one under Settings → Push.',
      goldSources: ['push/apns-certificates.md'],
      answer: 'Check that notifications are enabled for the app in the iOS Settings app [1].',
      citations: [
        {
          index: 1,
          source: 'push/troubleshooting.md',
          title: 'Troubleshooting push notifications',
          snippet: 'Make sure notifications are enabled for your app in the iOS Settings app.',
          supported: true,
        },
      ],
      retrievedSources: ['push/troubleshooting.md', 'push/android-fcm.md', 'sdk/ios/install.md', 'push/overview.md', 'sdk/ios/background.md'],
      metrics: { ...noMetrics, hitAtK: 0, recallAtK: 0, reciprocalRank: 0, ndcgAtK: 0, tokenF1: 0.148, referenceRecall: 0.125, citationPrecision: 1, citationRecall: 0, citationValidity: 1, faithfulness: 1 },
      latencyMs: 1_106,
      failure: 'not_retrieved',
    }),
    row({
      id: 'zh-sso-setup',
      question: '如何为团队配置 SAML 单点登录？',
      tags: ['sso', 'zh'],
      referenceAnswer: '在管理后台的“安全”页面上传身份提供商的元数据 XML，然后启用 SAML。',
      goldSources: ['zh/admin/saml-sso.md'],
      answer: '团队管理员可以在管理后台邀请成员并分配角色 [1]。',
      citations: [
        {
          index: 1,
          source: 'zh/admin/team-members.md',
          title: '管理团队成员',
          snippet: '管理员可以在管理后台邀请成员并为其分配角色。',
          supported: true,
        },
      ],
      retrievedSources: ['zh/admin/team-members.md', 'zh/admin/saml-sso.md', 'admin/saml-sso.md'],
      metrics: { ...noMetrics, hitAtK: 1, recallAtK: 1, reciprocalRank: 0.5, ndcgAtK: 0.631, tokenF1: 0.214, referenceRecall: 0.19, citationPrecision: 0, citationRecall: 0, citationValidity: 1, faithfulness: 1 },
      latencyMs: 1_288,
      failure: 'retrieved_not_cited',
    }),
    row({
      id: 'en-annual-refund',
      question: 'Can I get a refund on an annual plan | monthly plan?',
      tags: ['billing'],
      referenceAnswer: 'Annual plans can be refunded in full within 30 days of purchase; monthly plans are not refunded.',
      goldSources: ['billing/refunds.md', 'billing/plans.md'],
      answer: 'Annual plans are not refundable <script>alert(1)</script> once the invoice is paid [1].',
      citations: [
        {
          index: 1,
          source: 'billing/invoices.md',
          title: 'Invoices',
          snippet: 'Once an invoice is paid, it cannot be changed.',
          supported: false,
        },
      ],
      retrievedSources: ['billing/invoices.md', 'billing/refunds.md', 'billing/plans.md'],
      metrics: { ...noMetrics, hitAtK: 1, recallAtK: 1, reciprocalRank: 0.5, ndcgAtK: 0.693, tokenF1: 0.303, referenceRecall: 0.267, citationPrecision: 0, citationRecall: 0, citationValidity: 0, faithfulness: 0, nuggetRecall: 0 },
      nuggets: { passed: false, missingAll: ['30 days'], missingAny: ['in full', 'full refund'] },
      latencyMs: 2_870,
      failure: 'answer_wrong',
    }),
    row({
      id: 'en-export-history',
      question: 'And can I export it as CSV?',
      history: [
        { role: 'user', content: 'Where do I find the chat history of a channel?' },
        { role: 'assistant', content: 'Open the channel and choose History in the channel menu [1].' },
      ],
      tags: ['follow-up'],
      referenceAnswer: 'Yes: in History, choose Export → CSV.',
      goldSources: ['channels/history.md'],
      answer: "I don't know: the help center does not say.",
      abstained: true,
      reason: 'No passage supports an answer.',
      mode: null,
      retrievedSources: ['channels/history.md', 'account/data-export.md'],
      metrics: { ...noMetrics, hitAtK: 1, recallAtK: 1, reciprocalRank: 1, ndcgAtK: 1, tokenF1: 0, referenceRecall: 0 },
      latencyMs: 702,
      failure: 'abstained_wrongly',
    }),
    row({
      id: 'zh-blockchain',
      question: '你们支持区块链存证吗？',
      tags: ['zh', 'unanswerable'],
      answerable: false,
      answer: '消息在传输和存储时都会加密 [1]。',
      citations: [
        {
          index: 1,
          source: 'zh/security/encryption.md',
          title: '加密',
          snippet: '所有消息在传输和存储时都会加密。',
          supported: true,
        },
      ],
      retrievedSources: ['zh/security/encryption.md', 'zh/security/compliance.md'],
      metrics: { ...noMetrics, citationValidity: 1, faithfulness: 1 },
      latencyMs: 842,
      failure: 'answered_unanswerable',
    }),
    row({
      id: 'en-webhook-retries',
      question: 'How often are failed webhooks retried?',
      tags: ['webhooks'],
      referenceAnswer: 'Up to 5 times with exponential backoff over 24 hours.',
      goldSources: ['api/webhooks.md'],
      answer: '',
      mode: null,
      metrics: { ...noMetrics, hitAtK: 0, recallAtK: 0, reciprocalRank: 0, ndcgAtK: 0, tokenF1: 0, referenceRecall: 0 },
      latencyMs: 3_004,
      failure: 'error',
      error: 'answer service: upstream LLM timed out after 3000 ms',
    }),
  ];
}
