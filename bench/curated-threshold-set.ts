/**
 * The labelled set bench/curated-threshold.ts measures curated-answer matching on, over
 * the sample help center (docs/curated-answers.md, "How the default was chosen"); the
 * matching tests hold the default threshold to its figures.
 */
export const curatedSet: { id: string; phrasings: string[] }[] = [
  { id: 'reset-password', phrasings: ['How do I reset my password?', 'I forgot my password'] },
  { id: 'refund', phrasings: ['What is your refund policy?', 'Can I get a refund?'] },
  { id: 'pricing', phrasings: ['How much does the Growth plan cost?'] },
  { id: 'delete-account', phrasings: ['How do I delete my account?'] },
  { id: 'data-residency', phrasings: ['Where is my data stored?'] },
  { id: 'sla', phrasings: ['What uptime SLA do you offer?'] },
  { id: 'zh-reset-password', phrasings: ['如何重置密码？', '忘记密码怎么办'] },
  { id: 'zh-refund', phrasings: ['退款政策是什么？'] },
  { id: 'zh-invoice', phrasings: ['如何下载发票？'] },
];

/** `expected`: the curated answer a question should get, or null when none should answer it. */
export const questionSet: { question: string; expected: string | null }[] = [
  // Exact and near-exact phrasings.
  { question: 'How do I reset my password?', expected: 'reset-password' },
  { question: 'how do i reset my password', expected: 'reset-password' },
  { question: 'Can I get a refund?', expected: 'refund' },
  { question: '如何重置密码', expected: 'zh-reset-password' },
  // Paraphrases.
  { question: 'How can I reset my password?', expected: 'reset-password' },
  { question: 'Password reset', expected: 'reset-password' },
  { question: 'I forgot my password, how do I reset it?', expected: 'reset-password' },
  { question: 'What is the refund policy?', expected: 'refund' },
  { question: 'Do you give refunds?', expected: 'refund' },
  { question: 'Can I get my money back?', expected: 'refund' },
  { question: 'What does the Growth plan cost?', expected: 'pricing' },
  { question: 'Growth plan price', expected: 'pricing' },
  { question: 'How can I delete my account?', expected: 'delete-account' },
  { question: 'Delete account', expected: 'delete-account' },
  { question: 'Where do you store my data?', expected: 'data-residency' },
  { question: 'What is your uptime SLA?', expected: 'sla' },
  { question: '怎么重置密码？', expected: 'zh-reset-password' },
  { question: '我忘记密码了怎么办', expected: 'zh-reset-password' },
  { question: '退款政策', expected: 'zh-refund' },
  { question: '发票怎么下载？', expected: 'zh-invoice' },
  // Unrelated, sharing a word or two with a phrasing.
  { question: 'How do I reset my API key?', expected: null },
  { question: 'How do I reset two-factor authentication?', expected: null },
  { question: 'How do I change my password requirements for my team?', expected: null },
  { question: 'What is your data retention policy?', expected: null },
  { question: 'What is your privacy policy?', expected: null },
  { question: 'How much does the Starter plan cost?', expected: null },
  { question: 'How do I delete a message?', expected: null },
  { question: 'How do I delete my organization?', expected: null },
  { question: 'Where are push notification logs stored?', expected: null },
  { question: 'How do I upgrade my plan?', expected: null },
  { question: 'Why was my payment declined?', expected: null },
  { question: 'How do I install the iOS SDK?', expected: null },
  { question: '如何重置API密钥？', expected: null },
  { question: '如何开启双重验证？', expected: null },
  { question: '消息保留多久？', expected: null },
  { question: '发票抬头怎么修改？', expected: null },
  { question: '套餐价格是多少？', expected: null },
];
