import type { Block, Loader, LoaderInput, ParsedDocument } from '../../src/core/index.ts';
import { collapseWhitespace } from './collapse-whitespace.ts';
import { contentTypes } from './content-types.ts';
import { readOfficeArchive, type OfficeArchive, type OfficeArchiveLimits } from './office-archive.ts';
import { coreTitle, mainPartName, relatedPart } from './ooxml-package.ts';
import { groupParagraphs, slideBlocks } from './slide-blocks.ts';
import { parsedOrUnparseable, unparseable } from './unparseable.ts';
import { attribute, childAt, childNamed, childrenNamed, descendantsNamed, localName, textContent, type XmlElement } from './xml-tree.ts';

/** Placeholders that hold a slide's furniture, not its content. */
const furniture = new Set(['dt', 'ftr', 'hdr', 'sldNum', 'sldImg']);
const titles = new Set(['title', 'ctrTitle']);

/**
 * PowerPoint decks (.pptx) read from their XML parts: each slide, in the deck's order, a
 * section titled by its title placeholder (else "Slide N") with the text of its other
 * shapes as paragraphs and lists (bulleted placeholders and bulleted text), its tables as
 * tables, and its speaker notes under "Notes"; every block's `page` is the slide number
 * (`slideBlocks`). Dates, footers and slide numbers are left out, as are images. Title:
 * the core properties' title, else the first slide's title; `metadata.slides` counts them.
 */
export function createPptxLoader(limits: OfficeArchiveLimits): Loader {
  return {
    contentTypes: [contentTypes.pptx],
    async load({ source, bytes }: LoaderInput): Promise<ParsedDocument> {
      const archive = readOfficeArchive(source, 'PPTX', bytes, limits);
      return parsedOrUnparseable(source, 'PPTX', () => readPresentation(source, archive));
    },
  };
}

function readPresentation(source: string, archive: OfficeArchive): ParsedDocument {
  const presentationPart = mainPartName(archive, 'ppt/presentation.xml');
  const presentation = archive.xml(presentationPart);
  if (presentation === undefined) throw unparseable(source, 'PPTX', `${presentationPart} is missing or empty`);
  const targets = archive.relationships(presentationPart);
  const slideIds = childAt(presentation, 'sldIdLst');
  const blocks: Block[] = [];
  let firstTitle: string | null = null;
  let number = 0;
  for (const slideId of slideIds ? childrenNamed(slideIds, 'sldId') : []) {
    const part = targets.get(attribute(slideId, 'id', { namespaced: true }) ?? '')?.target;
    const slide = part === undefined ? undefined : archive.xml(part);
    if (part === undefined || slide === undefined) continue;
    number++;
    const { title, body } = shapesText(childAt(slide, 'cSld', 'spTree'));
    firstTitle ??= title;
    const notesPart = relatedPart(archive, part, 'notesSlide');
    const notes = notesPart ? notesText(archive.xml(notesPart)) : [];
    blocks.push(...slideBlocks({ number, title, body, notes }));
  }
  return { title: coreTitle(archive) ?? firstTitle, contentType: contentTypes.pptx, blocks, metadata: { slides: number } };
}

/** A shape tree's title and the blocks of its other shapes, in the order they are drawn. */
function shapesText(tree: XmlElement | undefined): { title: string | null; body: Block[] } {
  let title: string | null = null;
  const body: Block[] = [];
  const visit = (container: XmlElement) => {
    for (const shape of container.children) {
      if (typeof shape === 'string') continue;
      const kind = localName(shape.name);
      if (kind === 'grpSp') visit(shape);
      else if (kind === 'graphicFrame') body.push(...descendantsNamed(shape, 'tbl').flatMap(tableBlock));
      else if (kind === 'sp') {
        const placeholder = placeholderType(shape);
        if (placeholder !== null && furniture.has(placeholder)) continue;
        const paragraphs = textBodyParagraphs(childNamed(shape, 'txBody'), placeholder === 'body' || placeholder === 'obj');
        if (placeholder !== null && titles.has(placeholder)) {
          const text = paragraphs.map((paragraph) => paragraph.text).join(' ');
          if (title === null && text !== '') title = text;
          else if (text !== '') body.push({ kind: 'paragraph', text });
        } else {
          body.push(...groupParagraphs(paragraphs));
        }
      }
    }
  };
  if (tree) visit(tree);
  return { title, body };
}

/** A shape's placeholder type (`title`, `body`…); a placeholder without one is a content placeholder, `obj`. Null when not a placeholder. */
function placeholderType(shape: XmlElement): string | null {
  const placeholder = childAt(shape, 'nvSpPr', 'nvPr', 'ph');
  if (placeholder === undefined) return null;
  return attribute(placeholder, 'type') ?? 'obj';
}

type Paragraph = { text: string; list: 'ordered' | 'unordered' | null; level: number };

/**
 * The paragraphs of a text body. Body and content placeholders are bulleted by the slide
 * master unless a paragraph says `buNone`; other text only where it sets a bullet itself.
 */
function textBodyParagraphs(textBody: XmlElement | undefined, bulletedByDefault: boolean): Paragraph[] {
  if (textBody === undefined) return [];
  return childrenNamed(textBody, 'p').flatMap((paragraph) => {
    const text = collapseWhitespace(paragraphText(paragraph));
    if (text === '') return [];
    const properties = childNamed(paragraph, 'pPr');
    const level = Number(properties ? (attribute(properties, 'lvl') ?? 0) : 0) || 0;
    let list: Paragraph['list'] = bulletedByDefault ? 'unordered' : null;
    if (properties && childNamed(properties, 'buNone')) list = null;
    else if (properties && childNamed(properties, 'buAutoNum')) list = 'ordered';
    else if (properties && childNamed(properties, 'buChar')) list = 'unordered';
    return [{ text, list, level }];
  });
}

/** A paragraph's runs and fields (`a:r`, `a:fld`), a line break as a space. */
function paragraphText(paragraph: XmlElement): string {
  return paragraph.children
    .map((child) => {
      if (typeof child === 'string') return '';
      const kind = localName(child.name);
      if (kind === 'r' || kind === 'fld') return childrenNamed(child, 't').map(textContent).join('');
      return kind === 'br' ? ' ' : '';
    })
    .join('');
}

/** A DrawingML table: its first row is the header. */
function tableBlock(table: XmlElement): Block[] {
  const rows = childrenNamed(table, 'tr').map((row) =>
    childrenNamed(row, 'tc').map((cell) =>
      textBodyParagraphs(childNamed(cell, 'txBody'), false)
        .map((paragraph) => paragraph.text)
        .join(' '),
    ),
  );
  const [header, ...body] = rows.filter((row) => row.some((cell) => cell !== ''));
  return header === undefined ? [] : [{ kind: 'table', header, rows: body }];
}

/** The speaker notes: the text of the notes page's body placeholder. */
function notesText(notes: XmlElement | undefined): string[] {
  const tree = notes && childAt(notes, 'cSld', 'spTree');
  if (tree === undefined) return [];
  return descendantsNamed(tree, 'sp')
    .filter((shape) => placeholderType(shape) === 'body')
    .flatMap((shape) => textBodyParagraphs(childNamed(shape, 'txBody'), false).map((paragraph) => paragraph.text));
}
