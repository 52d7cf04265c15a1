import { describe, expect, it } from 'vitest';
import type { UnstructuredElement } from '../../../ingest/unstructured/index.ts';
import { elementsToDocument, unstructuredElementSchema } from '../../../ingest/unstructured/index.ts';

const element = (type: string, text: string, metadata: Record<string, unknown> = {}): UnstructuredElement =>
  unstructuredElementSchema.parse({ type, element_id: `${type}-${text}`, text, metadata });

describe('elementsToDocument', () => {
  it('starts a new list block when a list runs onto the next page, and strips bullet glyphs', () => {
    const document = elementsToDocument(
      [
        element('ListItem', '• First', { page_number: 1 }),
        element('ListItem', '- Second', { page_number: 1 }),
        element('ListItem', '▪ Third', { page_number: 2 }),
        element('NarrativeText', 'Between.', { page_number: 2 }),
        element('ListItem', 'Fourth', { page_number: 2 }),
      ],
      'application/msword',
    );
    expect(document.blocks).toEqual([
      { kind: 'list', ordered: false, items: ['First', 'Second'], page: 1 },
      { kind: 'list', ordered: false, items: ['Third'], page: 2 },
      { kind: 'paragraph', text: 'Between.', page: 2 },
      { kind: 'list', ordered: false, items: ['Fourth'], page: 2 },
    ]);
  });

  it('levels headings from category_depth (capped at 6), 2 without it, and titles the document by the first', () => {
    const document = elementsToDocument(
      [
        element('Title', 'Deep', { category_depth: 9 }),
        element('Title', 'Plain'),
        element('Title', 'Section', { category_depth: 1 }),
      ],
      'application/rtf',
    );
    expect(document.title).toBe('Deep');
    expect(document.blocks.map((block) => (block.kind === 'heading' ? block.level : null))).toEqual([6, 2, 2]);
    expect(document.metadata).toEqual({ partitionedBy: 'unstructured', filetype: 'application/rtf' });
  });

  it('keeps unknown text elements as paragraphs, drops empty ones, and has no title without a Title', () => {
    const document = elementsToDocument(
      [element('Formula', 'E = mc^2'), element('NarrativeText', '   '), element('PageNumber', '7'), element('Address', '1 Main St')],
      'text/xml',
    );
    expect(document.title).toBeNull();
    expect(document.blocks).toEqual([
      { kind: 'paragraph', text: 'E = mc^2' },
      { kind: 'paragraph', text: '1 Main St' },
    ]);
  });

  it('reads a header row of <th> cells without <thead>, and falls back to the text for an empty table', () => {
    const document = elementsToDocument(
      [
        element('Table', 'Plan Price Pro $10', {
          text_as_html: '<table><tr><th>Plan</th><th>Price</th></tr><tr><td>Pro</td><td>$10<br>per seat</td></tr></table>',
        }),
        element('Table', 'Just text', { text_as_html: '<table></table>' }),
      ],
      'application/vnd.ms-excel',
    );
    expect(document.blocks).toEqual([
      { kind: 'table', header: ['Plan', 'Price'], rows: [['Pro', '$10 per seat']] },
      { kind: 'paragraph', text: 'Just text' },
    ]);
  });

  it('tolerates malformed metadata fields instead of failing the document', () => {
    const parsed = unstructuredElementSchema.parse({
      type: 'NarrativeText',
      text: 'Hello',
      metadata: { page_number: 'three', category_depth: -1, languages: 'eng' },
    });
    expect(elementsToDocument([parsed], 'application/epub+zip').blocks).toEqual([{ kind: 'paragraph', text: 'Hello' }]);
    expect(unstructuredElementSchema.parse({ type: 'Title', text: null, metadata: null })).toEqual({
      type: 'Title',
      text: '',
      metadata: {},
    });
  });
});
