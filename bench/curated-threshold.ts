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
import { bestMatch, cosineSimilarity, questionSimilarity, type PreparedPhrasing } from '../src/answer/curated/matching.ts';
import type { Embedder } from '../src/core/index.ts';
import { detectLanguage } from '../src/answer/language.ts';
import { loadEmbedder } from '../src/embedders/index.ts';
import { lexicalTerms } from '../src/retrieval/index.ts';
import { curatedSet, questionSet } from './curated-threshold-set.ts';

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
        const lexical = questionSimilarity(item.prepared.terms, phrasing.terms);
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
