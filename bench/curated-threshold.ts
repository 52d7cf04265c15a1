/**
 * Measures curated-answer matching (src/answer/curated/matching.ts) on a small labelled
 * set over the sample help center: curated answers with one or two phrasings each, and
 * questions that are paraphrases of one (should match it) or unrelated ones that share a
 * word or two (should match nothing). Prints precision and recall per threshold, lexical
 * only and with the `use-lite` embedder (English; offline). docs/curated-answers.md
 * reports the figures.
 *
 *   npx tsx bench/curated-threshold.ts
 */
import { bestMatch, cosineSimilarity, lexicalSimilarity, type PreparedPhrasing } from '../src/answer/curated/matching.ts';
import type { Embedder } from '../src/core/index.ts';
import { detectLanguage } from '../src/answer/language.ts';
import { loadEmbedder } from '../src/embedders/index.ts';
import { lexicalTerms } from '../src/retrieval/index.ts';

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

const thresholds = [0.4, 0.5, 0.55, 0.6, 0.7, 0.8];

async function prepare(text: string, embedder: Embedder | null): Promise<PreparedPhrasing> {
  return { text, terms: new Set(lexicalTerms(text)), vector: embedder && detectLanguage(text) === 'en' ? await embedder.embedQuery(text) : null };
}

async function measure(embedder: Embedder | null, label: string): Promise<void> {
  const candidates = await Promise.all(
    curatedSet.map(async (entry) => ({ id: entry.id, phrasings: await Promise.all(entry.phrasings.map((text) => prepare(text, embedder))) })),
  );
  const questions = await Promise.all(questionSet.map(async (item) => ({ ...item, prepared: await prepare(item.question, embedder) })));
  console.log(`\n${label}`);
  console.log('threshold  precision  recall  false matches');
  for (const threshold of thresholds) {
    let correct = 0;
    let fired = 0;
    const wrong: string[] = [];
    for (const item of questions) {
      const match = bestMatch(item.prepared, candidates, threshold);
      if (match) fired++;
      if (match && match.candidate.id === item.expected) correct++;
      else if (match) wrong.push(`${item.question} → ${match.candidate.id}`);
    }
    const positives = questions.filter((item) => item.expected !== null).length;
    const precision = fired === 0 ? 1 : correct / fired;
    console.log(`${threshold.toFixed(2).padEnd(11)}${precision.toFixed(2).padEnd(11)}${(correct / positives).toFixed(2).padEnd(8)}${wrong.join('; ')}`);
  }
  // The raw scores, to see where each question falls.
  for (const item of questions) {
    let bestLexical = 0;
    let bestCosine = 0;
    let bestId = '';
    for (const candidate of candidates) {
      for (const phrasing of candidate.phrasings) {
        const lexical = lexicalSimilarity(item.prepared.terms, phrasing.terms);
        const cosine = item.prepared.vector && phrasing.vector ? cosineSimilarity(item.prepared.vector, phrasing.vector) : 0;
        if (Math.max(lexical, cosine) > Math.max(bestLexical, bestCosine)) [bestLexical, bestCosine, bestId] = [lexical, cosine, candidate.id];
      }
    }
    console.log(`  ${(item.expected ?? '-').padEnd(18)} lex ${bestLexical.toFixed(2)} cos ${bestCosine.toFixed(2)} ${bestId.padEnd(18)} ${item.question}`);
  }
}

await measure(null, 'Lexical only (every KB)');
const loaded = await loadEmbedder('use-lite', {}, (message) => console.warn(message));
if (loaded.embedder) await measure(loaded.embedder, 'Lexical + vector (use-lite)');
