import { describe, expect, it } from 'vitest';
import { documentMarkdown, withoutRepeatedLead } from '../../src/mcp/index.ts';

/** get_document's Markdown is rebuilt from chunks: headings where they change, each sentence once, cut when too long. */
describe('a document as Markdown from its chunks', () => {
  it('puts each heading where its section starts, under the title, and drops the sentences a chunk repeats', () => {
    const chunks = [
      { headingPath: ['Refunds'], text: 'Refunds are paid to the card you used. They take five days to arrive.' },
      { headingPath: ['Refunds', 'Annual plans'], text: 'Annual plans are refunded pro rata. Unused months are counted from the request date.' },
      { headingPath: ['Refunds', 'Annual plans'], text: 'Unused months are counted from the request date. Partial months are not refunded.' },
      { headingPath: ['Refunds', 'Monthly plans'], text: 'Monthly plans are refunded within 14 days.' },
    ];
    expect(documentMarkdown('Refunds', chunks, 10_000)).toEqual({
      markdown: [
        '# Refunds',
        'Refunds are paid to the card you used. They take five days to arrive.',
        '## Annual plans',
        'Annual plans are refunded pro rata. Unused months are counted from the request date.',
        'Partial months are not refunded.',
        '## Monthly plans',
        'Monthly plans are refunded within 14 days.',
      ].join('\n\n'),
      truncated: false,
    });
  });

  it('adds the title as a heading when the first section does not carry it, and keeps sections under it', () => {
    const { markdown } = documentMarkdown('billing/refunds.html', [{ headingPath: ['Who can get a refund'], text: 'Everyone within 14 days.' }], 1_000);
    expect(markdown).toBe('# billing/refunds.html\n\n## Who can get a refund\n\nEveryone within 14 days.');
  });

  it('keeps a chunk whole when it only happens to start like the previous one ends, or in another section', () => {
    expect(withoutRepeatedLead('It ends with a short one.', 'a short one. And goes on from there for a while.')).toBe('a short one. And goes on from there for a while.');
    // Not where a word ends: "guide" of "guidebook" is no repeated sentence.
    expect(withoutRepeatedLead('Please see the getting started guide', 'see the getting started guidebook for more.')).toBe('see the getting started guidebook for more.');
    const chunks = [
      { headingPath: ['A'], text: 'The same sentence appears in both sections here.' },
      { headingPath: ['B'], text: 'The same sentence appears in both sections here.' },
    ];
    expect(documentMarkdown('A', chunks, 1_000).markdown.split('The same sentence').length - 1).toBe(2);
  });

  it('cuts a long document at a paragraph boundary and says it did', () => {
    const paragraphs = Array.from({ length: 40 }, (_, index) => ({ headingPath: [`Part ${index}`], text: `Paragraph ${index} `.repeat(20).trim() }));
    const { markdown, truncated } = documentMarkdown('Long', paragraphs, 2_000);
    expect(truncated).toBe(true);
    expect(markdown.length).toBeLessThanOrEqual(2_000);
    expect(markdown.length).toBeGreaterThan(1_000);
    expect(markdown).toMatch(/(Paragraph \d+|Part \d+)$/);
  });
});
