/**
 * Small Office files written from plain data with JSZip, for the sample help center's
 * workbook (scripts/make-help-center.ts) and for the loader tests, which need to say
 * exactly which XML a file holds. Output is deterministic: every member is dated
 * `fixedDate`.
 *
 * - `xlsxBytes`: a complete SpreadsheetML workbook (shared or inline strings, number
 *   formats, dates as serial numbers with a date format), as Excel writes one.
 * - `pptxBytes`: a presentation's slides and notes pages only (no masters, layouts or
 *   theme): enough for a reader, not for PowerPoint.
 * - `odfBytes`: an OpenDocument package around the content.xml body given.
 */
import JSZip from 'jszip';

const fixedDate = new Date('2026-07-01T09:00:00Z');

const relationshipTypes = {
  officeDocument: 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument',
  coreProperties: 'http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties',
  worksheet: 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet',
  styles: 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles',
  sharedStrings: 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings',
  slide: 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/slide',
  notesSlide: 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/notesSlide',
};

const namespaces = {
  spreadsheet: 'http://schemas.openxmlformats.org/spreadsheetml/2006/main',
  relationships: 'http://schemas.openxmlformats.org/officeDocument/2006/relationships',
  drawing: 'http://schemas.openxmlformats.org/drawingml/2006/main',
  presentation: 'http://schemas.openxmlformats.org/presentationml/2006/main',
};

const prolog = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A cell: text, a number (General), a number or an ISO date (`2026-03-01`) with a number format, or nothing. */
export type XlsxCell = string | number | { value: number; format: string } | { date: string; format: string } | null;

export interface XlsxSheet {
  name: string;
  rows: XlsxCell[][];
  /** Row number (1-based) of the first row; later rows follow without gaps. */
  firstRow?: number;
  /** Column widths in characters, from column A. */
  widths?: number[];
  hidden?: boolean;
}

export interface XlsxWorkbook {
  title?: string;
  sheets: XlsxSheet[];
  /** Text cells as `t="inlineStr"` instead of indexes into xl/sharedStrings.xml. */
  inlineStrings?: boolean;
}

export async function xlsxBytes(workbook: XlsxWorkbook): Promise<Uint8Array> {
  const strings: string[] = [];
  const stringIndex = new Map<string, number>();
  const formats: string[] = [];
  const styleOf = (format: string) => {
    let index = formats.indexOf(format);
    if (index === -1) index = formats.push(format) - 1;
    return index + 1; // cellXfs 0 is the default style
  };
  const cellXml = (cell: XlsxCell, reference: string): string => {
    if (cell === null || cell === '') return '';
    if (typeof cell === 'string') {
      if (workbook.inlineStrings) return `<c r="${reference}" t="inlineStr"><is><t xml:space="preserve">${escapeXml(cell)}</t></is></c>`;
      if (!stringIndex.has(cell)) stringIndex.set(cell, strings.push(cell) - 1);
      return `<c r="${reference}" t="s"><v>${stringIndex.get(cell)}</v></c>`;
    }
    if (typeof cell === 'number') return `<c r="${reference}"><v>${cell}</v></c>`;
    const value = 'date' in cell ? serialDate(cell.date) : cell.value;
    return `<c r="${reference}" s="${styleOf(cell.format)}"><v>${value}</v></c>`;
  };
  const zip = new JSZip();
  const add = (name: string, xml: string) => zip.file(name, prolog + xml, { date: fixedDate });
  const sheetParts = workbook.sheets.map((sheet, index) => {
    const first = sheet.firstRow ?? 1;
    const rows = sheet.rows
      .map((row, rowIndex) => {
        const number = first + rowIndex;
        const cells = row.map((cell, column) => cellXml(cell, `${columnName(column)}${number}`)).join('');
        return cells === '' ? '' : `<row r="${number}">${cells}</row>`;
      })
      .join('');
    const widths = sheet.widths?.map((width, column) => `<col min="${column + 1}" max="${column + 1}" width="${width}" customWidth="1"/>`).join('');
    add(
      `xl/worksheets/sheet${index + 1}.xml`,
      `<worksheet xmlns="${namespaces.spreadsheet}" xmlns:r="${namespaces.relationships}">${widths ? `<cols>${widths}</cols>` : ''}<sheetData>${rows}</sheetData></worksheet>`,
    );
    return `sheet${index + 1}.xml`;
  });
  add(
    'xl/workbook.xml',
    `<workbook xmlns="${namespaces.spreadsheet}" xmlns:r="${namespaces.relationships}"><workbookPr/><sheets>${workbook.sheets
      .map((sheet, index) => `<sheet name="${escapeXml(sheet.name)}" sheetId="${index + 1}"${sheet.hidden ? ' state="hidden"' : ''} r:id="rId${index + 1}"/>`)
      .join('')}</sheets></workbook>`,
  );
  const extraRelationships = [
    { type: relationshipTypes.styles, target: 'styles.xml' },
    ...(strings.length > 0 ? [{ type: relationshipTypes.sharedStrings, target: 'sharedStrings.xml' }] : []),
  ];
  add(
    'xl/_rels/workbook.xml.rels',
    relationshipsXml([
      ...sheetParts.map((part) => ({ type: relationshipTypes.worksheet, target: `worksheets/${part}` })),
      ...extraRelationships,
    ]),
  );
  add(
    'xl/styles.xml',
    `<styleSheet xmlns="${namespaces.spreadsheet}">` +
      (formats.length > 0
        ? `<numFmts count="${formats.length}">${formats.map((format, index) => `<numFmt numFmtId="${164 + index}" formatCode="${escapeXml(format)}"/>`).join('')}</numFmts>`
        : '') +
      '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>' +
      '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
      '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
      '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
      `<cellXfs count="${formats.length + 1}"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>${formats
        .map((_, index) => `<xf numFmtId="${164 + index}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>`)
        .join('')}</cellXfs>` +
      '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>',
  );
  if (strings.length > 0) {
    add(
      'xl/sharedStrings.xml',
      `<sst xmlns="${namespaces.spreadsheet}" count="${strings.length}" uniqueCount="${strings.length}">${strings
        .map((text) => `<si><t xml:space="preserve">${escapeXml(text)}</t></si>`)
        .join('')}</sst>`,
    );
  }
  addPackageParts(add, 'xl/workbook.xml', workbook.title, [
    ['/xl/workbook.xml', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml'],
    ...sheetParts.map((part): [string, string] => [`/xl/worksheets/${part}`, 'application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml']),
    ['/xl/styles.xml', 'application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml'],
    ...(strings.length > 0 ? [['/xl/sharedStrings.xml', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml'] as [string, string]] : []),
  ]);
  return zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE', compressionOptions: { level: 9 } });
}

/** A paragraph of a slide's text: plain, or a bullet (`level` deep) or numbered item. */
export type SlideParagraph = string | { text: string; bullet: 'char' | 'number' | 'none'; level?: number };

export interface PptxSlide {
  title?: string;
  /** Paragraphs of the body placeholder (bulleted by the master unless they say otherwise). */
  body?: SlideParagraph[];
  /** Paragraphs of a free text box. */
  textBox?: SlideParagraph[];
  /** A table: its first row is the header. */
  table?: string[][];
  notes?: string[];
  /** Text in the slide-number and footer placeholders, which readers should leave out. */
  footer?: string;
}

export async function pptxBytes({ title, slides }: { title?: string; slides: PptxSlide[] }): Promise<Uint8Array> {
  const zip = new JSZip();
  const add = (name: string, xml: string) => zip.file(name, prolog + xml, { date: fixedDate });
  const notesParts: string[] = [];
  slides.forEach((slide, index) => {
    const number = index + 1;
    const parts: string[] = [];
    if (slide.title !== undefined) parts.push(shapeXml(2, 'Title', '<p:ph type="title"/>', [slide.title]));
    if (slide.body) parts.push(shapeXml(3, 'Content', '<p:ph idx="1"/>', slide.body));
    if (slide.textBox) parts.push(shapeXml(4, 'TextBox', '', slide.textBox));
    if (slide.table) parts.push(tableXml(5, slide.table));
    if (slide.footer !== undefined) {
      parts.push(shapeXml(6, 'Footer', '<p:ph type="ftr" sz="quarter" idx="11"/>', [slide.footer]));
      parts.push(shapeXml(7, 'Slide Number', '<p:ph type="sldNum" sz="quarter" idx="12"/>', [String(number)]));
    }
    add(`ppt/slides/slide${number}.xml`, `<p:sld ${drawingNamespaces}><p:cSld><p:spTree>${spTreeHeader}${parts.join('')}</p:spTree></p:cSld></p:sld>`);
    const relationships = slide.notes ? [{ type: relationshipTypes.notesSlide, target: `../notesSlides/notesSlide${number}.xml` }] : [];
    add(`ppt/slides/_rels/slide${number}.xml.rels`, relationshipsXml(relationships));
    if (slide.notes) {
      add(
        `ppt/notesSlides/notesSlide${number}.xml`,
        `<p:notes ${drawingNamespaces}><p:cSld><p:spTree>${spTreeHeader}${shapeXml(2, 'Slide Image', '<p:ph type="sldImg"/>', [])}${shapeXml(3, 'Notes', '<p:ph type="body" idx="1"/>', slide.notes)}${shapeXml(4, 'Slide Number', '<p:ph type="sldNum" idx="5"/>', [String(number)])}</p:spTree></p:cSld></p:notes>`,
      );
      notesParts.push(`/ppt/notesSlides/notesSlide${number}.xml`);
    }
  });
  add(
    'ppt/presentation.xml',
    `<p:presentation ${drawingNamespaces}><p:sldIdLst>${slides.map((_, index) => `<p:sldId id="${256 + index}" r:id="rId${index + 1}"/>`).join('')}</p:sldIdLst><p:sldSz cx="12192000" cy="6858000"/><p:notesSz cx="6858000" cy="9144000"/></p:presentation>`,
  );
  add('ppt/_rels/presentation.xml.rels', relationshipsXml(slides.map((_, index) => ({ type: relationshipTypes.slide, target: `slides/slide${index + 1}.xml` }))));
  addPackageParts(add, 'ppt/presentation.xml', title, [
    ['/ppt/presentation.xml', 'application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml'],
    ...slides.map((_, index): [string, string] => [`/ppt/slides/slide${index + 1}.xml`, 'application/vnd.openxmlformats-officedocument.presentationml.slide+xml']),
    ...notesParts.map((part): [string, string] => [part, 'application/vnd.openxmlformats-officedocument.presentationml.notesSlide+xml']),
  ]);
  return zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE' });
}

/** An OpenDocument file: its `mimetype` first and stored (so it names itself), content.xml around `body`, meta.xml with the title. */
export async function odfBytes({ mimetype, body, title }: { mimetype: string; body: string; title?: string }): Promise<Uint8Array> {
  const zip = new JSZip();
  zip.file('mimetype', mimetype, { date: fixedDate, compression: 'STORE' });
  zip.file(
    'META-INF/manifest.xml',
    `${prolog}<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" manifest:media-type="${mimetype}"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/><manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/></manifest:manifest>`,
    { date: fixedDate },
  );
  zip.file('content.xml', `${prolog}<office:document-content ${odfNamespaces} office:version="1.3"><office:body>${body}</office:body></office:document-content>`, {
    date: fixedDate,
  });
  zip.file(
    'meta.xml',
    `${prolog}<office:document-meta ${odfNamespaces} office:version="1.3"><office:meta>${title === undefined ? '' : `<dc:title>${escapeXml(title)}</dc:title>`}</office:meta></office:document-meta>`,
    { date: fixedDate },
  );
  return zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE' });
}

export const odfNamespaces = [
  'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"',
  'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"',
  'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"',
  'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"',
  'xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0"',
  'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"',
  'xmlns:dc="http://purl.org/dc/elements/1.1/"',
].join(' ');

const drawingNamespaces = `xmlns:a="${namespaces.drawing}" xmlns:r="${namespaces.relationships}" xmlns:p="${namespaces.presentation}"`;
const spTreeHeader =
  '<p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/><a:chOff x="0" y="0"/><a:chExt cx="0" cy="0"/></a:xfrm></p:grpSpPr>';

function shapeXml(id: number, name: string, placeholder: string, paragraphs: SlideParagraph[]): string {
  const textBox = placeholder === '' ? ' txBox="1"' : '';
  return `<p:sp><p:nvSpPr><p:cNvPr id="${id}" name="${name}"/><p:cNvSpPr${textBox}/><p:nvPr>${placeholder}</p:nvPr></p:nvSpPr><p:spPr/><p:txBody><a:bodyPr/><a:lstStyle/>${paragraphs.map(paragraphXml).join('') || '<a:p/>'}</p:txBody></p:sp>`;
}

function paragraphXml(paragraph: SlideParagraph): string {
  const { text, bullet, level } = typeof paragraph === 'string' ? { text: paragraph, bullet: undefined, level: 0 } : paragraph;
  const bullets = { char: '<a:buChar char="•"/>', number: '<a:buAutoNum type="arabicPeriod"/>', none: '<a:buNone/>' };
  const properties = bullet === undefined && !level ? '' : `<a:pPr${level ? ` lvl="${level}"` : ''}>${bullet ? bullets[bullet] : ''}</a:pPr>`;
  // A line break inside the text becomes <a:br/>, as PowerPoint writes Shift+Enter.
  const runs = text
    .split('\n')
    .map((line) => `<a:r><a:rPr lang="en-US"/><a:t>${escapeXml(line)}</a:t></a:r>`)
    .join('<a:br/>');
  return `<a:p>${properties}${runs}</a:p>`;
}

function tableXml(id: number, rows: string[][]): string {
  const cells = (row: string[]) => row.map((cell) => `<a:tc><a:txBody><a:bodyPr/><a:lstStyle/>${paragraphXml(cell)}</a:txBody><a:tcPr/></a:tc>`).join('');
  return `<p:graphicFrame><p:nvGraphicFramePr><p:cNvPr id="${id}" name="Table"/><p:cNvGraphicFramePr/><p:nvPr/></p:nvGraphicFramePr><p:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/></p:xfrm><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/table"><a:tbl><a:tblGrid>${(rows[0] ?? []).map(() => '<a:gridCol w="2000000"/>').join('')}</a:tblGrid>${rows.map((row) => `<a:tr h="370840">${cells(row)}</a:tr>`).join('')}</a:tbl></a:graphicData></a:graphic></p:graphicFrame>`;
}

function relationshipsXml(relationships: { type: string; target: string }[]): string {
  return `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${relationships
    .map(({ type, target }, index) => `<Relationship Id="rId${index + 1}" Type="${type}" Target="${target}"/>`)
    .join('')}</Relationships>`;
}

/** [Content_Types].xml, the root relationships and the core properties (with the title). */
function addPackageParts(add: (name: string, xml: string) => void, mainPart: string, title: string | undefined, overrides: [string, string][]): void {
  add(
    '[Content_Types].xml',
    `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>${[
      ...overrides,
      ['/docProps/core.xml', 'application/vnd.openxmlformats-package.core-properties+xml'],
    ]
      .map(([part, type]) => `<Override PartName="${part}" ContentType="${type}"/>`)
      .join('')}</Types>`,
  );
  add(
    '_rels/.rels',
    relationshipsXml([
      { type: relationshipTypes.officeDocument, target: mainPart },
      { type: relationshipTypes.coreProperties, target: 'docProps/core.xml' },
    ]),
  );
  add(
    'docProps/core.xml',
    `<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">${
      title === undefined ? '' : `<dc:title>${escapeXml(title)}</dc:title>`
    }<dcterms:created xsi:type="dcterms:W3CDTF">${fixedDate.toISOString().replace(/\.\d+Z$/, 'Z')}</dcterms:created></cp:coreProperties>`,
  );
}

/** `A`, `B`, … `Z`, `AA` for a 0-based column. */
function columnName(column: number): string {
  let name = '';
  for (let rest = column + 1; rest > 0; rest = Math.floor((rest - 1) / 26)) name = String.fromCharCode(65 + ((rest - 1) % 26)) + name;
  return name;
}

/** The 1900-system serial number of an ISO date (`2026-03-01` → 46082). */
function serialDate(isoDate: string): number {
  return (Date.parse(`${isoDate}T00:00:00Z`) - Date.UTC(1899, 11, 30)) / 86_400_000;
}
