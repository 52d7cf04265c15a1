import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { chunkDocument } from '../../../ingest/chunking/index.ts';
import { contentTypes, createFileLoaders, detectContentType, maxSpreadsheetCells } from '../../../ingest/loaders/index.ts';
import { createParsePool } from '../../../ingest/parse-pool/index.ts';
import { passageUrl } from '../../../src/core/index.ts';
import { escapeXml, odfBytes, pptxBytes, xlsxBytes, type XlsxCell } from '../../../scripts/minimal-office.ts';
import { xlsxBomb } from '../../helpers/poison-files.ts';
import { rejectionOf } from './loader-fixtures.ts';

const loaders = createFileLoaders();
const usd = '"$"#,##0.00';

/** A file whose one member is replaced (or added). */
async function withMember(bytes: Uint8Array, name: string, content: string): Promise<Uint8Array> {
  const zip = await JSZip.loadAsync(bytes);
  zip.file(name, content);
  return zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE' });
}

describe('the XLSX loader', () => {
  it('reads each visible sheet as a section titled by its name, its cells a table as they are displayed', async () => {
    const bytes = await xlsxBytes({
      title: 'Price list 2026',
      sheets: [
        {
          name: 'Plans',
          rows: [
            ['Parley price list, valid from 1 March 2026'],
            [],
            ['Plan', null, 'Monthly', 'Annual', 'Share of annual saved', 'Effective'],
            ['Starter', null, { value: 49, format: usd }, { value: 490, format: '"$"#,##0' }, { value: 1 / 6, format: '0.0%' }, { date: '2026-03-01', format: 'd mmmm yyyy' }],
            [],
            ['Growth', null, { value: 299, format: usd }, { value: 2990, format: '"$"#,##0' }, { value: 1 / 6, format: '0.0%' }, { date: '2026-03-01', format: 'yyyy-mm-dd' }],
          ],
        },
        { name: 'Old prices', rows: [['Plan', 'Monthly'], ['Starter', 39]], hidden: true },
        { name: 'Add-ons', rows: [['Add-on', 'Unit price (USD)'], ['Extra storage per GB', { value: 0.1, format: '0.00' }], ['Serial without a format', 46082]] },
        { name: 'Empty', rows: [] },
      ],
    });
    const document = await loaders.load({ source: 'billing/price-list.xlsx', bytes });
    expect(document.contentType).toBe(contentTypes.xlsx);
    expect(document.title).toBe('Price list 2026');
    expect(document.metadata).toEqual({ sheets: ['Plans', 'Add-ons'] });
    expect(document.blocks).toEqual([
      { kind: 'heading', level: 1, text: 'Plans' },
      { kind: 'paragraph', text: 'Parley price list, valid from 1 March 2026' },
      {
        kind: 'table',
        header: ['Plan', 'Monthly', 'Annual', 'Share of annual saved', 'Effective'],
        rows: [
          ['Starter', '$49.00', '$490', '16.7%', '1 March 2026'],
          ['Growth', '$299.00', '$2,990', '16.7%', '2026-03-01'],
        ],
      },
      { kind: 'heading', level: 1, text: 'Add-ons' },
      {
        kind: 'table',
        header: ['Add-on', 'Unit price (USD)'],
        rows: [
          ['Extra storage per GB', '0.10'],
          ['Serial without a format', '46082'],
        ],
      },
    ]);
  });

  it('reads inline strings, booleans, errors and formula results, and skips cells beyond the grid', async () => {
    const honest = await xlsxBytes({ sheets: [{ name: 'Facts', rows: [['Fact', 'Value']] }], inlineStrings: true });
    const sheet =
      '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' +
      '<row r="1"><c r="A1" t="inlineStr"><is><t>Fact</t></is></c><c r="B1" t="inlineStr"><is><r><t>Val</t></r><r><t>ue</t></r><rPh><t>ふりがな</t></rPh></is></c></row>' +
      '<row r="2"><c r="A2" t="inlineStr"><is><t>SSO included</t></is></c><c r="B2" t="b"><v>1</v></c></row>' +
      '<row r="3"><c r="A3" t="inlineStr"><is><t>Ratio</t></is></c><c r="B3" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>' +
      '<row r="4"><c r="A4" t="inlineStr"><is><t>Region</t></is></c><c r="B4" t="str"><f>"eu"&amp;"1"</f><v>eu1</v></c></row>' +
      '<row r="5"><c t="inlineStr"><is><t>No reference</t></is></c><c><v>0.30000000000000004</v></c></row>' +
      '<row r="6"><c r="A6" t="inlineStr"><is><t>Far away</t></is></c><c r="ZZZZ6"><v>1</v></c></row>' +
      '</sheetData></worksheet>';
    const document = await loaders.load({ source: 'facts.xlsx', bytes: await withMember(honest, 'xl/worksheets/sheet1.xml', sheet) });
    expect(document.blocks).toEqual([
      { kind: 'heading', level: 1, text: 'Facts' },
      {
        kind: 'table',
        header: ['Fact', 'Value'],
        rows: [
          ['SSO included', 'TRUE'],
          ['Ratio', '#DIV/0!'],
          ['Region', 'eu1'],
          ['No reference', '0.3'],
          ['Far away', ''],
        ],
      },
    ]);
  });

  it('chunks a long sheet with its header row repeated above every part, under the sheet’s name', async () => {
    const rows: XlsxCell[][] = [['SKU', 'Product', 'Monthly price']];
    for (let index = 1; index <= 120; index++) rows.push([`P-${1000 + index}`, `Message pack ${index}`, { value: index * 5, format: usd }]);
    const document = await loaders.load({ source: 'packs.xlsx', bytes: await xlsxBytes({ sheets: [{ name: 'Packs', rows }] }) });
    const chunks = chunkDocument(document);
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks) {
      expect(chunk.headingPath).toEqual(['Packs']);
      expect(chunk.text.startsWith('| SKU | Product | Monthly price |\n| --- | --- | --- |\n| P-')).toBe(true);
    }
    expect(chunks.map((chunk) => chunk.text).join('\n')).toContain('| P-1120 | Message pack 120 | $600.00 |');
  });

  it('refuses a zip bomb named .xlsx with decompression_limit, in this thread and in the parse pool', async () => {
    const bomb = await xlsxBomb(50 * 1024 * 1024);
    expect(bomb.byteLength).toBeLessThan(200_000);
    expect(detectContentType({ source: 'prices.xlsx', bytes: bomb })).toBe(contentTypes.xlsx);
    const error = await rejectionOf(loaders.load({ source: 'prices.xlsx', bytes: bomb }));
    expect(error.code).toBe('decompression_limit');
    expect(error.details).toEqual({ source: 'prices.xlsx', limit: 'maxCompressionRatio', maximum: 100 * bomb.byteLength });

    const pool = createParsePool({ budgets: { timeoutMs: 20_000, maxHeapMb: 128, maxDecompressedBytes: 20 * 1024 * 1024 }, size: 1 });
    try {
      const isolated = createFileLoaders({ isolate: (input) => pool.parse(input), maxDecompressedBytes: 20 * 1024 * 1024 });
      const pooled = await rejectionOf(isolated.load({ source: 'prices.xlsx', bytes: bomb }));
      expect(pooled.code).toBe('decompression_limit');
      expect(pooled.message).toContain('prices.xlsx inflates to more than');
      // The worker survived it: the next workbook parses.
      const next = await isolated.load({ source: 'ok.xlsx', bytes: await xlsxBytes({ sheets: [{ name: 'S', rows: [['a', 'b'], ['1', '2']] }] }) });
      expect(next.metadata).toEqual({ sheets: ['S'] });
    } finally {
      await pool.close();
    }
  }, 60_000);

  it('counts cells against maxSpreadsheetCells: far-apart cells cannot become a huge table', async () => {
    // 800 cells on a diagonal would be an 800 × 800 table once blanks are filled in.
    const diagonal = Array.from({ length: 800 }, (_, index) => `<row r="${index + 1}"><c r="${columnLetters(index)}${index + 1}"><v>${index}</v></c></row>`).join('');
    const honest = await xlsxBytes({ sheets: [{ name: 'S', rows: [['x']] }] });
    const bytes = await withMember(honest, 'xl/worksheets/sheet1.xml', `<worksheet><sheetData>${diagonal}</sheetData></worksheet>`);
    const error = await rejectionOf(loaders.load({ source: 'diagonal.xlsx', bytes }));
    expect(error.code).toBe('document_too_complex');
    expect(error.details).toMatchObject({ source: 'diagonal.xlsx', limit: 'maxSpreadsheetCells', maximum: maxSpreadsheetCells });
  });

  it('reports damaged workbooks as invalid_request naming the file, never a crash', async () => {
    const honest = await xlsxBytes({ sheets: [{ name: 'Prices', rows: [['Plan'], ['Starter']] }] });
    const cases: [string, Uint8Array, string][] = [
      ['truncated.xlsx', honest.subarray(0, honest.byteLength - 200), 'Could not parse truncated.xlsx as XLSX: the zip archive is truncated or damaged'],
      ['text.xlsx', new TextEncoder().encode('Plan,Monthly\nStarter,49\n'), 'Could not parse text.xlsx as XLSX: the zip archive is truncated or damaged'],
      [
        'doctype.xlsx',
        await withMember(honest, 'xl/worksheets/sheet1.xml', '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><worksheet><sheetData>&a;</sheetData></worksheet>'),
        'Could not parse doctype.xlsx as XLSX: xl/worksheets/sheet1.xml declares a DOCTYPE, which Office files never do',
      ],
      [
        'deep.xlsx',
        await withMember(honest, 'xl/worksheets/sheet1.xml', `${'<a>'.repeat(5_000)}${'</a>'.repeat(5_000)}`),
        'Could not parse deep.xlsx as XLSX: xl/worksheets/sheet1.xml nests elements more than 200 deep',
      ],
      ['no-workbook.xlsx', await withMember(honest, 'xl/workbook.xml', 'not xml at all'), 'Could not parse no-workbook.xlsx as XLSX: xl/workbook.xml is missing or empty'],
    ];
    for (const [source, bytes, message] of cases) {
      const error = await rejectionOf(loaders.load({ source, bytes }));
      expect([source, error.code, error.message]).toEqual([source, 'invalid_request', message]);
    }
    // Garbage inside a sheet is read leniently: what can be read is kept.
    const garbage = await withMember(honest, 'xl/worksheets/sheet1.xml', '<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>99</v></c><c r="B1"><v>oops</v>');
    expect((await loaders.load({ source: 'garbage.xlsx', bytes: garbage })).blocks).toEqual([
      { kind: 'heading', level: 1, text: 'Prices' },
      { kind: 'table', header: ['oops'], rows: [] },
    ]);
  });
});

describe('the PPTX loader', () => {
  const deck = {
    title: 'Parley onboarding',
    slides: [
      { title: 'Welcome to Parley', textBox: ['Chat for your app in an afternoon.'], notes: ['Introduce yourself.', 'Ask who has used SDK v3.'] },
      {
        title: 'Three steps to your first message',
        body: [
          'Create an app in the Console',
          { text: 'Pick a data region', bullet: 'char' as const, level: 1 },
          { text: 'Install the SDK', bullet: 'none' as const },
        ],
        textBox: [
          { text: 'Connect a user', bullet: 'number' as const },
          { text: 'Send a message', bullet: 'number' as const },
        ],
        footer: 'Parley Labs, confidential',
      },
      {
        table: [
          ['Region', 'Location'],
          ['us1', 'Virginia'],
          ['eu1', 'Frankfurt'],
        ],
        notes: ['Data never leaves the region you pick.\nNot even backups.'],
      },
      {},
    ],
  };

  it('reads each slide as a section with its title, body, tables and notes, the slide number as page', async () => {
    const document = await loaders.load({ source: 'decks/onboarding.pptx', bytes: await pptxBytes(deck) });
    expect(document.contentType).toBe(contentTypes.pptx);
    expect(document.title).toBe('Parley onboarding');
    expect(document.metadata).toEqual({ slides: 4 });
    expect(document.blocks).toEqual([
      { kind: 'heading', level: 1, text: 'Welcome to Parley', page: 1 },
      { kind: 'paragraph', text: 'Chat for your app in an afternoon.', page: 1 },
      { kind: 'heading', level: 2, text: 'Notes', page: 1 },
      { kind: 'paragraph', text: 'Introduce yourself.', page: 1 },
      { kind: 'paragraph', text: 'Ask who has used SDK v3.', page: 1 },
      { kind: 'heading', level: 1, text: 'Three steps to your first message', page: 2 },
      { kind: 'list', ordered: false, items: ['Create an app in the Console', '  Pick a data region'], page: 2 },
      { kind: 'paragraph', text: 'Install the SDK', page: 2 },
      { kind: 'list', ordered: true, items: ['Connect a user', 'Send a message'], page: 2 },
      { kind: 'heading', level: 1, text: 'Slide 3', page: 3 },
      { kind: 'table', header: ['Region', 'Location'], rows: [['us1', 'Virginia'], ['eu1', 'Frankfurt']], page: 3 },
      { kind: 'heading', level: 2, text: 'Notes', page: 3 },
      { kind: 'paragraph', text: 'Data never leaves the region you pick. Not even backups.', page: 3 },
    ]);
  });

  it('gives each chunk the slides it spans, so a citation names the slide and links to it', async () => {
    const document = await loaders.load({ source: 'decks/onboarding.pptx', bytes: await pptxBytes(deck) });
    const chunks = chunkDocument(document);
    const regions = chunks.find((chunk) => chunk.text.includes('Frankfurt'))!;
    expect(regions.pages).toEqual([3]);
    expect(regions.text).toContain('Not even backups.');
    expect(passageUrl('https://parley.example/decks/onboarding.pptx', regions)).toBe('https://parley.example/decks/onboarding.pptx#page=3');
  });

  it('orders slides as the presentation lists them, not by their file names', async () => {
    const bytes = await pptxBytes({ slides: [{ title: 'First in the files' }, { title: 'Second in the files' }] });
    const zip = await JSZip.loadAsync(bytes);
    const presentation = (await zip.file('ppt/presentation.xml')!.async('string')).replace(
      /<p:sldIdLst>(<p:sldId [^>]*\/>)(<p:sldId [^>]*\/>)<\/p:sldIdLst>/,
      '<p:sldIdLst>$2$1</p:sldIdLst>',
    );
    const reordered = await withMember(bytes, 'ppt/presentation.xml', presentation);
    const document = await loaders.load({ source: 'deck.pptx', bytes: reordered });
    expect(document.title).toBe('Second in the files');
    expect(document.blocks.filter((block) => block.kind === 'heading')).toEqual([
      { kind: 'heading', level: 1, text: 'Second in the files', page: 1 },
      { kind: 'heading', level: 1, text: 'First in the files', page: 2 },
    ]);
  });

  it('refuses a deck that inflates past the budget, and reports a damaged one as invalid_request', async () => {
    const honest = await pptxBytes({ slides: [{ title: 'Hello' }] });
    const bomb = await withMember(honest, 'ppt/slides/slide1.xml', `<p:sld>${' '.repeat(30 * 1024 * 1024)}</p:sld>`);
    const error = await rejectionOf(loaders.load({ source: 'deck.pptx', bytes: bomb }));
    expect(error.code).toBe('decompression_limit');

    const broken = await withMember(honest, 'ppt/presentation.xml', '');
    const damaged = await rejectionOf(loaders.load({ source: 'deck.pptx', bytes: broken }));
    expect([damaged.code, damaged.message]).toEqual(['invalid_request', 'Could not parse deck.pptx as PPTX: ppt/presentation.xml is missing or empty']);
  });
});

describe('the OpenDocument loader', () => {
  it('reads a text document: headings by outline level, paragraphs, nested lists and tables; not its table of contents or footnotes', async () => {
    const body =
      '<office:text><text:table-of-content><text:index-body><text:p>Refunds ........ 1</text:p></text:index-body></text:table-of-content>' +
      '<text:h text:outline-level="1">Refund policy</text:h>' +
      '<text:p>Annual plans are refunded<text:s text:c="3"/>within <text:span>30 days</text:span>.<text:note><text:note-body><text:p>A footnote.</text:p></text:note-body></text:note></text:p>' +
      '<text:h text:outline-level="2">How to ask</text:h>' +
      '<text:list><text:list-item><text:p>Open Billing</text:p><text:list><text:list-item><text:p>Invoices</text:p></text:list-item></text:list></text:list-item><text:list-item><text:p>Click Request&#160;refund</text:p></text:list-item></text:list>' +
      '<table:table table:name="Windows"><table:table-header-rows><table:table-row><table:table-cell><text:p>Plan</text:p></table:table-cell><table:table-cell><text:p>Window</text:p></table:table-cell></table:table-row></table:table-header-rows>' +
      '<table:table-row><table:table-cell><text:p>Monthly</text:p></table:table-cell><table:table-cell><text:p>14 days</text:p></table:table-cell></table:table-row></table:table>' +
      '</office:text>';
    const bytes = await odfBytes({ mimetype: contentTypes.odt, body, title: 'Refunds' });
    expect(detectContentType({ source: 'refunds.odt', bytes })).toBe(contentTypes.odt);
    const document = await loaders.load({ source: 'refunds.odt', bytes });
    expect(document.title).toBe('Refunds');
    expect(document.blocks).toEqual([
      { kind: 'heading', level: 1, text: 'Refund policy' },
      { kind: 'paragraph', text: 'Annual plans are refunded within 30 days.' },
      { kind: 'heading', level: 2, text: 'How to ask' },
      { kind: 'list', ordered: false, items: ['Open Billing', '  Invoices', 'Click Request refund'] },
      { kind: 'table', header: ['Plan', 'Window'], rows: [['Monthly', '14 days']] },
    ]);
  });

  it('reads a spreadsheet as XLSX is read, expanding repeated cells and skipping repeated blank rows', async () => {
    const cell = (text: string, repeat = 1) =>
      `<table:table-cell${repeat > 1 ? ` table:number-columns-repeated="${repeat}"` : ''} office:value-type="string"><text:p>${escapeXml(text)}</text:p></table:table-cell>`;
    const body =
      '<office:spreadsheet><table:table table:name="Plans">' +
      `<table:table-row>${cell('Plan')}<table:table-cell/>${cell('Monthly')}${cell('Annual')}</table:table-row>` +
      `<table:table-row table:number-rows-repeated="1048000"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>` +
      `<table:table-row>${cell('Starter')}<table:table-cell/><table:table-cell office:value-type="currency" office:value="49"><text:p>$49.00</text:p></table:table-cell>${cell('$490')}</table:table-row>` +
      `<table:table-row table:number-rows-repeated="2">${cell('Same')}<table:table-cell/>${cell('x', 2)}</table:table-row>` +
      '</table:table></office:spreadsheet>';
    const document = await loaders.load({ source: 'plans.ods', bytes: await odfBytes({ mimetype: contentTypes.ods, body }) });
    expect(document.contentType).toBe(contentTypes.ods);
    expect(document.blocks).toEqual([
      { kind: 'heading', level: 1, text: 'Plans' },
      {
        kind: 'table',
        header: ['Plan', 'Monthly', 'Annual'],
        rows: [
          ['Starter', '$49.00', '$490'],
          ['Same', 'x', 'x'],
          ['Same', 'x', 'x'],
        ],
      },
    ]);
    const flood = `<office:spreadsheet><table:table table:name="Flood"><table:table-row table:number-rows-repeated="1000000">${cell('boom', 1000)}</table:table-row></table:table></office:spreadsheet>`;
    const error = await rejectionOf(loaders.load({ source: 'flood.ods', bytes: await odfBytes({ mimetype: contentTypes.ods, body: flood }) }));
    expect(error.code).toBe('document_too_complex');
    expect(error.details).toMatchObject({ source: 'flood.ods', limit: 'maxSpreadsheetCells' });
  });

  it('reads a presentation as PPTX is read: titles, outlines, notes, furniture left out', async () => {
    const frame = (role: string, inner: string) => `<draw:frame presentation:class="${role}"><draw:text-box>${inner}</draw:text-box></draw:frame>`;
    const body =
      '<office:presentation>' +
      `<draw:page draw:name="page1">${frame('title', '<text:p>Why Parley</text:p>')}${frame('outline', '<text:list><text:list-item><text:p>Hosted chat</text:p></text:list-item><text:list-item><text:p>Three regions</text:p></text:list-item></text:list>')}${frame('page-number', '<text:p>1</text:p>')}` +
      `<presentation:notes><draw:page-thumbnail presentation:class="page"/>${frame('notes', '<text:p>Mention the SLA.</text:p>')}</presentation:notes></draw:page>` +
      `<draw:page draw:name="page2">${frame('subtitle', '<text:p>Questions?</text:p>')}</draw:page>` +
      '</office:presentation>';
    const document = await loaders.load({ source: 'why.odp', bytes: await odfBytes({ mimetype: contentTypes.odp, body }) });
    expect(document.title).toBe('Why Parley');
    expect(document.blocks).toEqual([
      { kind: 'heading', level: 1, text: 'Why Parley', page: 1 },
      { kind: 'list', ordered: false, items: ['Hosted chat', 'Three regions'], page: 1 },
      { kind: 'heading', level: 2, text: 'Notes', page: 1 },
      { kind: 'paragraph', text: 'Mention the SLA.', page: 1 },
      { kind: 'heading', level: 1, text: 'Slide 2', page: 2 },
      { kind: 'paragraph', text: 'Questions?', page: 2 },
    ]);
  });

  it('refuses an OpenDocument zip bomb with decompression_limit and a damaged one with invalid_request', async () => {
    const honest = await odfBytes({ mimetype: contentTypes.odt, body: '<office:text><text:p>Hi</text:p></office:text>' });
    const bomb = await withMember(honest, 'content.xml', `<office:document-content>${' '.repeat(30 * 1024 * 1024)}</office:document-content>`);
    expect((await rejectionOf(loaders.load({ source: 'big.odt', bytes: bomb }))).code).toBe('decompression_limit');
    const empty = await withMember(honest, 'content.xml', '<office:document-content/>');
    const error = await rejectionOf(loaders.load({ source: 'empty.odt', bytes: empty }));
    expect([error.code, error.message]).toEqual(['invalid_request', 'Could not parse empty.odt as ODT: content.xml is missing or has no body']);
  });
});

describe('legacy Office files', () => {
  // The compound-file signature legacy .doc, .xls and .ppt files share, then padding.
  const compoundFile = new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, ...new Array(504).fill(0)]);

  it('are refused as unsupported_media_type saying what to do, unless an extra loader (Unstructured) takes them', async () => {
    for (const [source, type, modern] of [
      ['old/terms.doc', 'application/msword', '.docx'],
      ['old/prices.xls', 'application/vnd.ms-excel', '.xlsx'],
      ['old/deck.ppt', 'application/vnd.ms-powerpoint', '.pptx'],
    ] as const) {
      const error = await rejectionOf(loaders.load({ source, bytes: compoundFile }));
      expect(error.code).toBe('unsupported_media_type');
      expect(error.message).toContain(`${source} is ${type}, which Oriole cannot parse`);
      expect(error.message).toContain(`save it as ${modern}, or set UNSTRUCTURED_API_URL`);
      expect(error.details).toMatchObject({ source, contentType: type });
    }
    const taken: string[] = [];
    const withUnstructured = createFileLoaders({
      extraLoaders: [
        {
          contentTypes: ['application/msword', contentTypes.xlsx],
          async load(input) {
            taken.push(input.source);
            return { title: null, contentType: input.contentType ?? '', blocks: [], metadata: {} };
          },
        },
      ],
    });
    await withUnstructured.load({ source: 'old/terms.doc', bytes: compoundFile });
    // A type Oriole now parses itself stays with the built-in loader.
    await withUnstructured.load({ source: 'prices.xlsx', bytes: await xlsxBytes({ sheets: [{ name: 'S', rows: [['a']] }] }) });
    expect(taken).toEqual(['old/terms.doc']);
  });
});

function columnLetters(column: number): string {
  let name = '';
  for (let rest = column + 1; rest > 0; rest = Math.floor((rest - 1) / 26)) name = String.fromCharCode(65 + ((rest - 1) % 26)) + name;
  return name;
}
