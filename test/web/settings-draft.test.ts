import { describe, expect, it } from 'vitest';
import { draftFrom, patchFrom } from '../../web/admin/settings-draft.ts';
import type { KbSettings } from '../../web/shared/admin-api-types.ts';

/** What the console's answer-settings form sends for what the user typed (docs/kb-settings.md: PATCH semantics). */
describe('the answer-settings form', () => {
  const stored: KbSettings = {
    persona: 'Be brief.',
    abstentionMessage: { zh: '没有找到。', en: 'Not in our docs.' },
    // The database keeps jsonb keys in an order of its own: the same object is not a change.
    handoff: { label: 'Talk to us', url: 'https://help.example.com/contact' },
    topK: 4,
    filters: { sources: ['a.md', 'b.md'], tags: { product: 'sdk' } },
    minConfidence: 0.3,
  };

  it('sends nothing when nothing changed', () => {
    expect(patchFrom(stored, draftFrom(stored))).toEqual({ patch: {}, problems: [] });
    expect(patchFrom({}, draftFrom({}))).toEqual({ patch: {}, problems: [] });
  });

  it('sends only the changed fields, objects whole', () => {
    const draft = draftFrom(stored);
    draft.abstentionMessage.en = '  We do not cover that yet.  ';
    draft.topK = '6';
    draft.curatedThreshold = '0.75';
    expect(patchFrom(stored, draft).patch).toEqual({
      abstentionMessage: { en: 'We do not cover that yet.', zh: '没有找到。' },
      topK: 6,
      curatedThreshold: 0.75,
    });
  });

  it('unsets an emptied field with null, and a part of an object by sending the rest', () => {
    const draft = draftFrom(stored);
    draft.persona = '   ';
    draft.minConfidence = '';
    draft.handoffLabel = '';
    draft.abstentionMessage = { en: '', zh: '' };
    draft.filterSources = '';
    expect(patchFrom(stored, draft).patch).toEqual({
      persona: null,
      minConfidence: null,
      handoff: { url: 'https://help.example.com/contact' },
      abstentionMessage: null,
      filters: { tags: { product: 'sdk' } },
    });
  });

  it("treats the question's language as the built-in answer language", () => {
    const draft = draftFrom({});
    expect(draft.answerLanguage).toBe('question');
    draft.answerLanguage = 'zh';
    expect(patchFrom({}, draft).patch).toEqual({ answerLanguage: 'zh' });
    expect(patchFrom({ answerLanguage: 'zh' }, draftFrom({})).patch).toEqual({ answerLanguage: null });
    expect(patchFrom({ answerLanguage: 'question' }, draftFrom({ answerLanguage: 'question' })).patch).toEqual({});
  });

  it('reads filters one per line and tags as name=value', () => {
    const draft = draftFrom({});
    draft.filterSources = ' guides/setup.md \n\nfaq.md';
    draft.filterTags = 'product = sdk\nlevel=a=b';
    expect(patchFrom({}, draft).patch).toEqual({ filters: { sources: ['guides/setup.md', 'faq.md'], tags: { product: 'sdk', level: 'a=b' } } });
  });

  it('leaves the bounds to the server but names what cannot be sent as JSON', () => {
    const draft = draftFrom({});
    draft.topK = '25';
    draft.handoffUrl = 'javascript:alert(1)';
    // Out of range, an unsafe URL: sent as they are, for the server to refuse by name.
    expect(patchFrom({}, draft)).toEqual({ patch: { topK: 25, handoff: { url: 'javascript:alert(1)' } }, problems: [] });
    draft.minConfidence = 'high';
    draft.filterTags = 'product';
    expect(patchFrom({}, draft).problems).toEqual([
      { path: 'minConfidence', problem: 'notANumber' },
      { path: 'filters.tags', problem: 'badTag', line: 'product' },
    ]);
  });
});
