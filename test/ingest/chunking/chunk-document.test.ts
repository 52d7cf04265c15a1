import { describe, expect, it } from 'vitest';
import type { Chunk } from '../../../src/core/index.ts';
import { OrioleError } from '../../../src/core/index.ts';
import { chunkDocument, countTokens, defaultChunkingSettings } from '../../../ingest/chunking/index.ts';
import { chineseRefunds, documentOf, englishRefunds, heading, paragraph, paragraphs } from './help-center.ts';

const paths = (chunks: Chunk[]): string[][] => chunks.map((chunk) => chunk.headingPath);

describe('chunkDocument: headings', () => {
  it('gives every chunk the path of headings above it, outermost first', () => {
    const chunks = chunkDocument(
      documentOf([
        paragraph(englishRefunds[4]!),
        heading(1, 'Billing'),
        paragraph(englishRefunds[0]!),
        heading(2, 'Refunds'),
        paragraph(englishRefunds[1]!),
        heading(3, 'Refunds by card'),
        paragraph(englishRefunds[2]!),
        heading(2, 'Invoices'),
        paragraph(englishRefunds[3]!),
        heading(1, 'Account'),
        paragraph(chineseRefunds[4]!),
      ]),
    );
    expect(paths(chunks)).toEqual([
      [],
      ['Billing'],
      ['Billing', 'Refunds'],
      ['Billing', 'Refunds', 'Refunds by card'],
      ['Billing', 'Invoices'],
      ['Account'],
    ]);
  });

  it('closes skipped levels: an h2 after an h4 replaces both', () => {
    const chunks = chunkDocument(
      documentOf([
        heading(1, 'Billing'),
        heading(4, 'Edge cases'),
        paragraph(englishRefunds[0]!),
        heading(2, 'Invoices'),
        paragraph(englishRefunds[1]!),
        heading(3, 'Currencies'),
        paragraph(englishRefunds[2]!),
        heading(1, 'Account'),
        heading(3, 'Deletion'),
        paragraph(englishRefunds[4]!),
      ]),
    );
    expect(paths(chunks)).toEqual([
      ['Billing', 'Edge cases'],
      ['Billing', 'Invoices'],
      ['Billing', 'Invoices', 'Currencies'],
      ['Account', 'Deletion'],
    ]);
  });

  it('does not repeat the heading inside the text and normalises heading whitespace', () => {
    const chunks = chunkDocument(documentOf([heading(2, '  Refunds \n by card '), paragraph(englishRefunds[0]!)]));
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.headingPath).toEqual(['Refunds by card']);
    expect(chunks[0]!.text).toBe(englishRefunds[0]);
  });

  it('ignores headings with no text', () => {
    const chunks = chunkDocument(documentOf([heading(1, 'Billing'), heading(2, '  '), paragraph(englishRefunds[0]!)]));
    expect(paths(chunks)).toEqual([['Billing']]);
  });
});

describe('chunkDocument: small documents and sections', () => {
  it('gives one chunk for a document of one short paragraph', () => {
    const chunks = chunkDocument(documentOf([paragraph('  Refunds take\n5 days.  ')]));
    expect(chunks).toEqual([{ ordinal: 0, headingPath: [], text: 'Refunds take 5 days.', tokenCount: 6 }]);
  });

  it('gives no chunks for an empty document, or one of headings and blank blocks only', () => {
    expect(chunkDocument(documentOf([]))).toEqual([]);
    expect(
      chunkDocument(
        documentOf([
          heading(1, 'Billing'),
          paragraph(' \n '),
          { kind: 'list', ordered: false, items: ['', ' '] },
          { kind: 'code', text: '\n\n' },
          { kind: 'table', header: null, rows: [] },
        ]),
      ),
    ).toEqual([]);
  });

  it('merges a tiny section into the following sibling, keeping its heading as a line', () => {
    const chunks = chunkDocument(
      documentOf([
        heading(1, 'Billing'),
        heading(2, 'Overview'),
        paragraph('Everything about paying for Oriole.'),
        heading(2, 'Refunds'),
        paragraph(englishRefunds[0]!),
      ]),
    );
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.headingPath).toEqual(['Billing']);
    expect(chunks[0]!.text).toBe(`Overview\nEverything about paying for Oriole.\n\nRefunds\n${englishRefunds[0]}`);
  });

  it("merges a section's tiny introduction into its first subsection", () => {
    const chunks = chunkDocument(
      documentOf([
        heading(2, 'Refunds'),
        paragraph('How refunds work.'),
        heading(3, 'By card'),
        paragraph(englishRefunds[0]!),
        paragraph(englishRefunds[1]!),
      ]),
    );
    expect(chunks[0]!.headingPath).toEqual(['Refunds']);
    expect(chunks[0]!.text.startsWith('How refunds work.\n\nBy card\nRefunds are always issued')).toBe(true);
    expect(chunks.slice(1).every((chunk) => chunk.headingPath.join('/') === 'Refunds/By card')).toBe(true);
  });

  it('merges a tiny last section into the previous one', () => {
    const chunks = chunkDocument(
      documentOf([
        heading(1, 'Billing'),
        heading(2, 'Refunds'),
        paragraph(englishRefunds[0]!),
        heading(2, 'Contact'),
        paragraph('Write to billing@example.com.'),
      ]),
    );
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.headingPath).toEqual(['Billing']);
    expect(chunks[0]!.text).toBe(`Refunds\n${englishRefunds[0]}\n\nContact\nWrite to billing@example.com.`);
  });

  it('keeps merging while the merged chunk is still tiny', () => {
    const chunks = chunkDocument(
      documentOf([
        heading(2, 'Cards'),
        paragraph('Visa and Mastercard.'),
        heading(2, 'PayPal'),
        paragraph('Refunds within a day.'),
        heading(2, 'Transfers'),
        paragraph(englishRefunds[3]!),
      ]),
    );
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.headingPath).toEqual([]);
    expect(chunks[0]!.text).toMatch(/^Cards\nVisa and Mastercard\.\n\nPayPal\nRefunds within a day\.\n\nTransfers\nIf the Request/);
  });

  it('does not merge a tiny section with sections under another parent heading', () => {
    const chunks = chunkDocument(
      documentOf([
        heading(1, 'Billing'),
        paragraph(englishRefunds[0]!),
        heading(1, 'Account'),
        heading(2, 'Contact'),
        paragraph('Write to help@example.com.'),
        heading(1, 'Security'),
        paragraph(englishRefunds[4]!),
      ]),
    );
    expect(paths(chunks)).toEqual([['Billing'], ['Account', 'Contact'], ['Security']]);
    expect(chunks[1]!.text).toBe('Write to help@example.com.');
  });

  it('does not merge when the result would exceed maxTokens', () => {
    const refunds = englishRefunds[0]!;
    const chunks = chunkDocument(
      documentOf([heading(2, 'Overview'), paragraph('Everything about paying.'), heading(2, 'Refunds'), paragraph(refunds)]),
      { targetTokens: countTokens(refunds), maxTokens: countTokens(refunds) + 5 },
    );
    expect(chunks.map((chunk) => [chunk.headingPath, chunk.text])).toEqual([
      [['Overview'], 'Everything about paying.'],
      [['Refunds'], refunds],
    ]);
  });

  it('merges nothing when minTokens is 0', () => {
    const chunks = chunkDocument(
      documentOf([heading(2, 'Overview'), paragraph('Everything about paying.'), heading(2, 'Refunds'), paragraph('Within 14 days.')]),
      { minTokens: 0 },
    );
    expect(paths(chunks)).toEqual([['Overview'], ['Refunds']]);
  });
});

describe('chunkDocument: no scraps inside a section', () => {
  const long = `${englishRefunds[0]} ${englishRefunds[1]}`;
  const settings = { targetTokens: countTokens(long), maxTokens: countTokens(long) + 40 };

  it('lets a short paragraph take the next block past targetTokens, within maxTokens', () => {
    const chunks = chunkDocument(documentOf([paragraph('Refund rules for 2024.'), paragraph(long)]), settings);
    expect(chunks.map((chunk) => chunk.text)).toEqual([`Refund rules for 2024.\n\n${long}`]);
  });

  it("adds a short last paragraph to the section's previous chunk, within maxTokens", () => {
    const chunks = chunkDocument(documentOf([paragraph(long), paragraph('Questions? Write to billing@example.com.')]), settings);
    expect(chunks.map((chunk) => chunk.text)).toEqual([`${long}\n\nQuestions? Write to billing@example.com.`]);
  });

  it('starts a new chunk when maxTokens would be exceeded', () => {
    const chunks = chunkDocument(documentOf([paragraph(long), paragraph('Questions? Write to billing@example.com.')]), {
      ...settings,
      maxTokens: settings.targetTokens + 5,
    });
    expect(chunks).toHaveLength(2);
    expect(chunks[1]!.text.endsWith('Questions? Write to billing@example.com.')).toBe(true);
  });
});

describe('chunkDocument: pages', () => {
  it("lists the distinct pages of a chunk's blocks, and omits pages when blocks have none", () => {
    const paged = chunkDocument(
      documentOf([paragraph(englishRefunds[0]!, 3), paragraph(englishRefunds[1]!, 4), paragraph(englishRefunds[2]!, 4)]),
    );
    expect(paged.map((chunk) => chunk.pages)).toEqual([[3, 4], [4]]);

    const unpaged = chunkDocument(documentOf(paragraphs(englishRefunds)));
    expect(unpaged.every((chunk) => !('pages' in chunk))).toBe(true);
  });

  it('keeps the pages of merged sections', () => {
    const chunks = chunkDocument(
      documentOf([heading(2, 'Overview'), paragraph('About paying.', 1), heading(2, 'Refunds'), paragraph(englishRefunds[0]!, 2)]),
    );
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.pages).toEqual([1, 2]);
  });
});

describe('chunkDocument: results', () => {
  const document = documentOf([
    heading(1, 'Refunds'),
    ...paragraphs(englishRefunds),
    heading(1, '退款'),
    ...paragraphs(chineseRefunds),
  ]);

  it('numbers chunks 0..n-1, counts their tokens and leaves no blank or padded text', () => {
    const chunks = chunkDocument(document);
    expect(chunks.length).toBeGreaterThan(4);
    chunks.forEach((chunk, index) => {
      expect(chunk.ordinal).toBe(index);
      expect(chunk.tokenCount).toBe(countTokens(chunk.text));
      expect(chunk.text).toBe(chunk.text.trim());
      expect(chunk.text.length).toBeGreaterThan(0);
      expect(chunk.text).not.toMatch(/\n{3,}| {2,}/);
    });
  });

  it('is deterministic and leaves the document untouched', () => {
    const before = structuredClone(document);
    const first = chunkDocument(document);
    expect(chunkDocument(structuredClone(document))).toEqual(first);
    expect(document).toEqual(before);
  });
});

describe('chunkDocument: settings', () => {
  it('starts from documented defaults', () => {
    expect(defaultChunkingSettings).toEqual({ targetTokens: 200, maxTokens: 320, overlapTokens: 30, minTokens: 40 });
  });

  it('takes smaller chunks when targetTokens is lowered', () => {
    const document = documentOf(paragraphs(englishRefunds));
    const large = chunkDocument(document);
    const small = chunkDocument(document, { targetTokens: 60, maxTokens: 90 });
    expect(small.length).toBeGreaterThanOrEqual(large.length * 2);
    expect(Math.max(...small.map((chunk) => chunk.tokenCount))).toBeLessThanOrEqual(90);
  });

  it.each([
    [{ targetTokens: 0 }, 'targetTokens'],
    [{ targetTokens: 400 }, 'maxTokens'],
    [{ overlapTokens: 200 }, 'overlapTokens'],
    [{ minTokens: 201 }, 'minTokens'],
    [{ maxTokens: 12.5 }, 'maxTokens'],
    [{ overlapTokens: -1 }, 'overlapTokens'],
  ])('refuses %o, naming %s', (settings, name) => {
    let thrown: unknown;
    try {
      chunkDocument(documentOf([paragraph('Hello.')]), settings);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(OrioleError);
    expect((thrown as OrioleError).code).toBe('invalid_request');
    expect((thrown as OrioleError).message).toContain(name);
    expect((thrown as OrioleError).details).toEqual({ setting: name });
  });
});
