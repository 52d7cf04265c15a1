import { describe, expect, it } from 'vitest';
import { extractiveAnswer, resolveCitations } from '../../src/answer/index.ts';
import { passage } from './passage.ts';
import { retrieveFromHelpCenter } from './parley-help-center.ts';

describe('extractiveAnswer', () => {
  it('answers "How do I reset my password?" with the numbered steps and a marker', () => {
    const { passages } = retrieveFromHelpCenter('How do I reset my password?');
    const answer = extractiveAnswer('How do I reset my password?', passages);
    expect(answer.text).toMatch(/^1\. Go to console\.parley\.example\/login/);
    expect(answer.text).toContain('6. Click Save password.');
    expect(answer.text).toMatch(/\[\d\]\.$/);
    const resolved = resolveCitations(answer.text, passages);
    expect(resolved.citations).toHaveLength(1);
    expect(resolved.citations[0]).toMatchObject({ source: 'account/reset-password.md', supported: true });
    expect(answer.confidence).toBeGreaterThan(0.8);
  });

  it('answers a paraphrase ("I forgot my password, what now?") from the same article', () => {
    const { passages } = retrieveFromHelpCenter('I forgot my password, what now?');
    const answer = extractiveAnswer('I forgot my password, what now?', passages);
    expect(resolveCitations(answer.text, passages).citations[0]?.source).toBe('account/reset-password.md');
  });

  it('answers a Chinese question from the Chinese passages, in Chinese', () => {
    const english = retrieveFromHelpCenter('How do I reset my password?').passages;
    const chinese = retrieveFromHelpCenter('如何重置密码？').passages;
    const answer = extractiveAnswer('如何重置密码？', [...english.slice(0, 2), ...chinese]);
    expect(answer.language).toBe('zh');
    expect(answer.text).toContain('1. 打开 console.parley.example/login');
    expect(answer.text).toMatch(/\[\d\]。$/);
    const resolved = resolveCitations(answer.text, [...english.slice(0, 2), ...chinese]);
    expect(resolved.citations.map((citation) => citation.source)).toEqual(['zh/reset-password.md']);
  });

  it('states the figure asked for, from a table row', () => {
    const { passages } = retrieveFromHelpCenter('How much does the Growth plan cost per month?');
    const answer = extractiveAnswer('How much does the Growth plan cost per month?', passages);
    expect(answer.text).toContain('$299 per month');
    expect(resolveCitations(answer.text, passages).citations.every((citation) => citation.supported)).toBe(true);
  });

  it('keeps answers short and drops sentences repeated by overlapping chunks', () => {
    const text = 'Approved refunds go back to the original payment method and usually appear within 5–10 business days.';
    const passages = [
      passage({ chunkId: 'a', documentId: 'refunds', text: `We review refund requests within 2 business days. ${text}` }),
      passage({ chunkId: 'b', documentId: 'refunds', ordinal: 1, text: `${text} You receive a credit note by email for every refund.` }),
    ];
    const answer = extractiveAnswer('How long does a refund take?', passages);
    expect(answer.text.split('5–10 business days')).toHaveLength(2);
    expect(answer.text.length).toBeLessThanOrEqual(600);
    expect(answer.sentences.length).toBeLessThanOrEqual(3);
  });

  it('returns nothing when no passage speaks to the question', () => {
    const passages = [passage({ chunkId: 'a', documentId: 'pricing', text: 'The Starter plan costs $49 per month or $490 per year.' })];
    expect(extractiveAnswer('Do you support Bluetooth pairing?', passages)).toMatchObject({ text: '', confidence: 0 });
  });
});
