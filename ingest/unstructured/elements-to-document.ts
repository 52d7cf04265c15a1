import { z } from 'zod';
import type { Block, ParsedDocument } from '../../src/core/index.ts';
import { parseHtmlTable } from './parse-html-table.ts';

/** The fields of an Unstructured element that Oriole reads; everything else is ignored. */
export const unstructuredElementSchema = z.object({
  type: z.string(),
  element_id: z.string().optional(),
  text: z.string().catch(''),
  metadata: z
    .object({
      filetype: z.string().optional().catch(undefined),
      page_number: z.number().int().positive().optional().catch(undefined),
      category_depth: z.number().int().nonnegative().optional().catch(undefined),
      text_as_html: z.string().optional().catch(undefined),
      languages: z.array(z.string()).optional().catch(undefined),
    })
    .catch({}),
});

export type UnstructuredElement = z.infer<typeof unstructuredElementSchema>;

/** Running headers and footers, page furniture and pictures carry nothing worth citing. */
const droppedTypes = new Set(['Header', 'Footer', 'PageBreak', 'PageNumber', 'Image']);

/** Unstructured puts a Title at category_depth 0; chunking wants levels 1–6. */
const defaultHeadingLevel = 2;
const maxHeadingLevel = 6;

const bulletPrefix = /^(?:[•◦▪‣∙·●○■□–—*-])\s+/u;

/**
 * Maps partitioned elements to Oriole blocks: Title → heading (level from
 * `category_depth`), ListItem runs → one list, Table → header and rows from
 * `text_as_html` (its text as a paragraph when that is missing), CodeSnippet → code,
 * headers, footers, page breaks and images dropped, every other text element →
 * paragraph. `page_number` becomes the block's page; the first Title is the title.
 */
export function elementsToDocument(elements: readonly UnstructuredElement[], contentType: string): ParsedDocument {
  const blocks: Block[] = [];
  let title: string | null = null;
  const languages = new Set<string>();
  let pageCount = 0;
  for (const element of elements) {
    const text = element.text.trim();
    const page = element.metadata.page_number;
    const onPage = page === undefined ? {} : { page };
    for (const language of element.metadata.languages ?? []) languages.add(language);
    if (page !== undefined) pageCount = Math.max(pageCount, page);
    if (droppedTypes.has(element.type)) continue;
    if (element.type === 'Table') {
      const table = element.metadata.text_as_html === undefined ? null : parseHtmlTable(element.metadata.text_as_html);
      if (table !== null) blocks.push({ kind: 'table', ...table, ...onPage });
      else if (text !== '') blocks.push({ kind: 'paragraph', text, ...onPage });
      continue;
    }
    if (text === '') continue;
    if (element.type === 'Title') {
      const depth = element.metadata.category_depth;
      const level = depth === undefined ? defaultHeadingLevel : Math.min(depth + 1, maxHeadingLevel);
      blocks.push({ kind: 'heading', level, text, ...onPage });
      title ??= text;
    } else if (element.type === 'ListItem') {
      const item = text.replace(bulletPrefix, '');
      const previous = blocks.at(-1);
      // A list running onto the next page starts a new block, so each block keeps one page.
      if (previous?.kind === 'list' && previous.page === page) previous.items.push(item);
      else blocks.push({ kind: 'list', ordered: false, items: [item], ...onPage });
    } else if (element.type === 'CodeSnippet') {
      blocks.push({ kind: 'code', text: element.text.replace(/^\n+|\s+$/g, ''), ...onPage });
    } else {
      blocks.push({ kind: 'paragraph', text, ...onPage });
    }
  }
  const filetype = elements.find((element) => element.metadata.filetype !== undefined)?.metadata.filetype;
  const metadata: Record<string, unknown> = { partitionedBy: 'unstructured', filetype: filetype ?? contentType };
  if (languages.size > 0) metadata.languages = [...languages];
  if (pageCount > 0) metadata.pageCount = pageCount;
  return { title, contentType, blocks, metadata };
}
