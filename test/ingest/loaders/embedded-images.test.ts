import { createCanvas } from '@napi-rs/canvas';
import { afterAll, describe, expect, it } from 'vitest';
import type { Block, LoaderInput, OcrTarget, ParsedDocument } from '../../../src/core/index.ts';
import { createFileLoaders, maxEmbeddedImagesPerDocument, minEmbeddedImageBytes } from '../../../ingest/loaders/index.ts';
import { createOcrPool, recognizeDocument, type TextRecognizer } from '../../../ingest/ocr/index.ts';
import { createParsePool } from '../../../ingest/parse-pool/index.ts';

// docx 8's declarations do not resolve under NodeNext (see scripts/docx-api.ts); the
// little of its API used here is typed here.
type Options = Record<string, unknown>;
type Constructor = new (options: Options) => object;
const docx = (await import('docx')) as unknown as {
  Document: Constructor;
  Paragraph: Constructor;
  TextRun: new (text: string) => object;
  ImageRun: Constructor;
  HeadingLevel: { HEADING_1: string };
  Packer: { toBuffer(document: object): Promise<Uint8Array> };
};

/** Text drawn on white, as a screenshot of a settings page is. */
function textPicture(
  lines: readonly string[],
  { width = 900, height = 60 + lines.length * 44, format = 'image/png' }: { width?: number; height?: number; format?: 'image/png' | 'image/jpeg' | 'image/webp' } = {},
): Uint8Array {
  const canvas = createCanvas(width, height);
  const context = canvas.getContext('2d');
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, width, height);
  context.fillStyle = '#111111';
  context.font = '28px "DejaVu Sans"';
  lines.forEach((line, index) => context.fillText(line, 30, 50 + index * 44));
  if (format === 'image/jpeg') return new Uint8Array(canvas.toBuffer('image/jpeg', 90));
  if (format === 'image/webp') return new Uint8Array(canvas.toBuffer('image/webp', 90));
  return new Uint8Array(canvas.toBuffer('image/png'));
}

const panel = textPicture(['Quiet hours', 'From 22:00 to 07:00', 'Applies to every device', 'Save changes']);
const menu = textPicture(['Settings', 'Notifications', 'Privacy', 'Sign out'], { format: 'image/jpeg' });
const banner = textPicture(['Saved: your settings apply within a minute'], { format: 'image/webp' });
const icon = textPicture([], { width: 16, height: 16 });
// A GIF by its content, whatever a data: URI or a DOCX says it is: Tesseract is not given it.
const gif = new Uint8Array([...new TextEncoder().encode('GIF89a'), ...new Uint8Array(4_000).fill(7)]);

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

function dataUri(bytes: Uint8Array, type = 'image/png'): string {
  return `data:${type};base64,${base64(bytes)}`;
}

function text(content: string, source: string): LoaderInput {
  return { source, bytes: new TextEncoder().encode(content) };
}

/** A picture's paragraph in a DOCX, with Word's alt text ("description") when given. */
function pictureParagraph(data: Uint8Array, alt?: string, type = 'png'): object {
  const altText = alt === undefined ? {} : { altText: { title: '', description: alt, name: 'Picture' } };
  return new docx.Paragraph({ children: [new docx.ImageRun({ data, type, transformation: { width: 450, height: 120 }, ...altText })] });
}

function textParagraph(content: string): object {
  return new docx.Paragraph({ children: [new docx.TextRun(content)] });
}

async function docxFile(source: string, children: object[]): Promise<LoaderInput> {
  const document = new docx.Document({ sections: [{ children }] });
  return { source, bytes: new Uint8Array(await docx.Packer.toBuffer(document)) };
}

function embedded(document: ParsedDocument): Extract<OcrTarget, { kind: 'embedded' }>[] {
  return (document.ocrTargets ?? []).filter((target): target is Extract<OcrTarget, { kind: 'embedded' }> => target.kind === 'embedded');
}

/** What comes right before and after a picture's place: the text OCR's paragraphs go between. */
function surroundings(blocks: readonly Block[], position: number): [string | undefined, string | undefined] {
  const textOf = (block: Block | undefined) => (block && 'text' in block ? block.text : block?.kind);
  return [textOf(blocks[position - 1]), textOf(blocks[position])];
}

const withPictures = createFileLoaders({ embeddedImages: true });
const withoutPictures = createFileLoaders();

describe('pictures inside a DOCX', () => {
  const settingsGuide = () =>
    docxFile('guides/quiet-hours.docx', [
      new docx.Paragraph({ text: 'Quiet hours', heading: docx.HeadingLevel.HEADING_1 }),
      textParagraph('Open Settings, then Notifications.'),
      pictureParagraph(panel, 'The quiet hours panel'),
      textParagraph('Pick the hours and save.'),
      pictureParagraph(icon, 'A bell icon'),
      pictureParagraph(gif, 'An animation', 'gif'),
      pictureParagraph(menu, undefined, 'jpg'),
      textParagraph('Changes apply within a minute.'),
    ]);

  it('are left for OCR with their bytes, alt text and place among the blocks; icons and GIFs are not', async () => {
    const document = await withPictures.load(await settingsGuide());
    expect(document.blocks).toEqual([
      { kind: 'heading', level: 1, text: 'Quiet hours' },
      { kind: 'paragraph', text: 'Open Settings, then Notifications.' },
      { kind: 'paragraph', text: 'The quiet hours panel' },
      { kind: 'paragraph', text: 'Pick the hours and save.' },
      { kind: 'paragraph', text: 'A bell icon' },
      { kind: 'paragraph', text: 'An animation' },
      { kind: 'paragraph', text: 'Changes apply within a minute.' },
    ]);
    const [first, second, ...rest] = embedded(document);
    expect(rest).toEqual([]);
    expect(first).toEqual({ kind: 'embedded', bytes: panel, position: 3, alt: 'The quiet hours panel' });
    expect(surroundings(document.blocks, first!.position)).toEqual(['The quiet hours panel', 'Pick the hours and save.']);
    // No alt text: no `alt`, and its place is after the block before it.
    expect(second).toEqual({ kind: 'embedded', bytes: menu, position: 6 });
    expect(surroundings(document.blocks, second!.position)).toEqual(['An animation', 'Changes apply within a minute.']);
    expect(icon.length).toBeLessThan(minEmbeddedImageBytes);
  });

  it('are only alt text when not asked for, as before', async () => {
    const input = await settingsGuide();
    const plain = await withoutPictures.load(input);
    expect(plain.ocrTargets).toBeUndefined();
    expect(plain.blocks).toEqual((await withPictures.load(input)).blocks);
  });

  it(`are read ${maxEmbeddedImagesPerDocument} at most per document, the first ones`, async () => {
    const steps = Array.from({ length: maxEmbeddedImagesPerDocument + 3 }, (_, index) => [
      textParagraph(`Step ${index + 1}.`),
      pictureParagraph(panel, `Screen ${index + 1}`),
    ]);
    const document = await withPictures.load(await docxFile('guides/many-steps.docx', steps.flat()));
    const targets = embedded(document);
    expect(targets).toHaveLength(maxEmbeddedImagesPerDocument);
    expect(targets.at(-1)).toMatchObject({ alt: `Screen ${maxEmbeddedImagesPerDocument}`, position: 2 * maxEmbeddedImagesPerDocument });
    expect(surroundings(document.blocks, targets.at(-1)!.position)).toEqual([`Screen ${maxEmbeddedImagesPerDocument}`, `Step ${maxEmbeddedImagesPerDocument + 1}.`]);
  });
});

describe('data: URI pictures in HTML', () => {
  const page = `<!doctype html><html><head><title>Quiet hours</title></head><body>
    <nav><img src="${dataUri(menu, 'image/jpeg')}" alt="Site menu"></nav>
    <main>
      <h1>Quiet hours</h1>
      <p>Open Settings, then Notifications.</p>
      <p><img src="${dataUri(panel)}" alt="The quiet hours panel"></p>
      <p>Pick the hours and save.</p>
      <p><img src="data:image/png;base64,${base64(panel).slice(0, 4_000)}*${base64(panel).slice(4_000)}" alt="A broken picture"></p>
      <p><img src="data:image/png,${'%89PNG'.repeat(1_000)}" alt="Not base64"></p>
      <p><img src="${dataUri(icon)}" alt="A bell icon"></p>
      <p><img src="${dataUri(gif)}" alt="Not a PNG"></p>
      <p><img src="https://cdn.example.com/panel.png" alt="A remote picture"> <img src="images/panel.png"></p>
      <p>Saved <img src="data:image/webp;base64,
        ${base64(banner).replace(/(.{76})/g, '$1\n        ')}"> when done.</p>
      <p>Changes apply within a minute.</p>
    </main></body></html>`;

  it('are left for OCR, once decoded; malformed, tiny, non-PNG/JPEG/WebP and remote ones are not', async () => {
    const document = await withPictures.load(text(page, 'quiet-hours.html'));
    expect(document.blocks.map((block) => ('text' in block ? block.text : block.kind))).toEqual([
      'Quiet hours',
      'Open Settings, then Notifications.',
      'The quiet hours panel',
      'Pick the hours and save.',
      'A broken picture',
      'Not base64',
      'A bell icon',
      'Not a PNG',
      'A remote picture',
      'Saved when done.',
      'Changes apply within a minute.',
    ]);
    const targets = embedded(document);
    expect(targets).toEqual([
      { kind: 'embedded', bytes: panel, position: 3, alt: 'The quiet hours panel' },
      // Wrapped over lines, as long data: URIs often are; no alt text, so after its paragraph.
      { kind: 'embedded', bytes: banner, position: 10 },
    ]);
    expect(surroundings(document.blocks, 3)).toEqual(['The quiet hours panel', 'Pick the hours and save.']);
    expect(surroundings(document.blocks, 10)).toEqual(['Saved when done.', 'Changes apply within a minute.']);
  });

  it('are not looked at unless asked for', async () => {
    expect((await withoutPictures.load(text(page, 'quiet-hours.html'))).ocrTargets).toBeUndefined();
  });
});

describe('data: URI pictures in Markdown', () => {
  const page = [
    '---',
    'description: Mute push alerts at night.',
    '---',
    '# Quiet hours',
    '',
    'Open Settings, then Notifications.',
    '',
    `![The quiet hours panel](${dataUri(panel)})`,
    '',
    'Pick the hours and save.',
    '',
    `![A broken picture](data:image/png;base64,${base64(panel).replace(/A/g, '!')})`,
    '',
    '![A remote picture](https://cdn.example.com/panel.png)',
    '',
    `![A bell icon](${dataUri(icon)})`,
    '',
    '![The menu][menu]',
    '',
    `<img src="${dataUri(banner, 'image/webp')}" alt="The saved banner">`,
    '',
    'Changes apply within a minute.',
    '',
    `[menu]: ${dataUri(menu, 'image/jpeg')}`,
  ].join('\n');

  it('are left for OCR, referenced or inline or in HTML, placed after the front matter description goes in', async () => {
    const document = await withPictures.load(text(page, 'quiet-hours.md'));
    expect(document.blocks.map((block) => ('text' in block ? block.text : block.kind))).toEqual([
      'Quiet hours',
      'Mute push alerts at night.',
      'Open Settings, then Notifications.',
      'The quiet hours panel',
      'Pick the hours and save.',
      'A broken picture',
      'A remote picture',
      'A bell icon',
      'The menu',
      'The saved banner',
      'Changes apply within a minute.',
    ]);
    expect(embedded(document)).toEqual([
      { kind: 'embedded', bytes: panel, position: 4, alt: 'The quiet hours panel' },
      { kind: 'embedded', bytes: menu, position: 9, alt: 'The menu' },
      { kind: 'embedded', bytes: banner, position: 10, alt: 'The saved banner' },
    ]);
    expect(surroundings(document.blocks, 4)).toEqual(['The quiet hours panel', 'Pick the hours and save.']);
  });

  it('are not looked at unless asked for', async () => {
    expect((await withoutPictures.load(text(page, 'quiet-hours.md'))).ocrTargets).toBeUndefined();
  });

  it(`are read ${maxEmbeddedImagesPerDocument} at most per document`, async () => {
    const steps = Array.from({ length: maxEmbeddedImagesPerDocument + 5 }, (_, index) => `Step ${index + 1}.\n\n![](${dataUri(panel)})\n`);
    const targets = embedded(await withPictures.load(text(steps.join('\n'), 'many-steps.md')));
    expect(targets).toHaveLength(maxEmbeddedImagesPerDocument);
    expect(targets.map((target) => target.position)).toEqual(Array.from({ length: maxEmbeddedImagesPerDocument }, (_, index) => index + 1));
  });
});

describe('pictures through the parse pool', () => {
  const budgets = { timeoutMs: 60_000, maxHeapMb: 256, maxDecompressedBytes: 20 * 1024 * 1024 };
  const asking = createParsePool({ budgets, size: 1, embeddedImages: true });
  const notAsking = createParsePool({ budgets, size: 1 });
  afterAll(() => Promise.all([asking.close(), notAsking.close()]));

  it('come back from the parse thread only when the pool is asked for them', async () => {
    const input = await docxFile('guides/panel.docx', [textParagraph('Open Settings.'), pictureParagraph(panel, 'The quiet hours panel')]);
    const isolatedAsking = createFileLoaders({ isolate: (request) => asking.parse(request), recognize: async (document) => document });
    const isolatedNotAsking = createFileLoaders({ isolate: (request) => notAsking.parse(request), recognize: async (document) => document });
    expect(embedded(await isolatedAsking.load(input))).toEqual([{ kind: 'embedded', bytes: panel, position: 2, alt: 'The quiet hours panel' }]);
    expect((await isolatedNotAsking.load(input)).ocrTargets).toBeUndefined();
  }, 120_000);
});

describe('a DOCX screenshot read by the OCR stage', () => {
  let recognizer: TextRecognizer | undefined;
  let reads = 0;
  const counted = (): TextRecognizer => {
    recognizer ??= createOcrPool({ concurrency: 1, pageTimeoutMs: 120_000 });
    const pool = recognizer;
    return {
      concurrency: pool.concurrency,
      recognize: (job, label) => {
        reads += 1;
        return pool.recognize(job, label);
      },
      close: () => pool.close(),
    };
  };
  afterAll(() => recognizer?.close());

  const sentence = 'Quiet hours mute push alerts between 22:00 and 07:00';
  const guide = () =>
    docxFile('guides/quiet-hours.docx', [
      new docx.Paragraph({ text: 'Quiet hours', heading: docx.HeadingLevel.HEADING_1 }),
      textParagraph('Open Settings, then Notifications.'),
      pictureParagraph(textPicture([sentence], { width: 1400, height: 200 }), 'The quiet hours setting'),
      textParagraph('Changes apply within a minute.'),
    ]);

  it('with ORIOLE_OCR=all, puts the picture’s text after its alt text, where it stood', async () => {
    const ocr = { mode: 'all' as const, recognizer: counted() };
    const loaders = createFileLoaders({ embeddedImages: true, recognize: (document, input) => recognizeDocument(document, input, ocr) });
    const document = await loaders.load(await guide());
    const texts = document.blocks.map((block) => ('text' in block ? block.text : block.kind));
    const caption = texts.indexOf('Image: The quiet hours setting');
    expect(caption).toBe(3);
    expect(texts.slice(0, caption)).toEqual(['Quiet hours', 'Open Settings, then Notifications.', 'The quiet hours setting']);
    const recognized = texts.slice(caption + 1, -1).join(' ');
    for (const word of sentence.split(' ')) expect(recognized).toContain(word);
    expect(texts.at(-1)).toBe('Changes apply within a minute.');
    expect(document.ocrTargets).toBeUndefined();
    expect(document.metadata.ocr).toMatchObject({ recognized: 1, withText: 1, failed: [] });
  }, 120_000);

  it('with ORIOLE_OCR=scanned, leaves the picture unread', async () => {
    const ocr = { mode: 'scanned' as const, recognizer: counted() };
    const readsBefore = reads;
    const loaders = createFileLoaders({ embeddedImages: true, recognize: (document, input) => recognizeDocument(document, input, ocr) });
    const document = await loaders.load(await guide());
    expect(reads).toBe(readsBefore);
    expect(document.blocks).toEqual((await withoutPictures.load(await guide())).blocks);
    expect(document.ocrTargets).toBeUndefined();
    expect(document.metadata.ocr).toBeUndefined();
  }, 120_000);
});
