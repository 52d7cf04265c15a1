// docx 8 ships declarations whose extensionless re-exports do not resolve under NodeNext
// (fixed in docx 9, which needs Node 22), so the little of its API the fixture
// generators use is typed here once.
type Options = Record<string, unknown>;
type Constructor = new (options: Options) => object;

export interface DocxApi {
  Document: Constructor;
  Paragraph: Constructor;
  TextRun: Constructor;
  Table: Constructor;
  TableRow: Constructor;
  TableCell: Constructor;
  Packer: { toBuffer(document: object): Promise<Uint8Array> };
  AlignmentType: { START: string };
  HeadingLevel: { HEADING_1: string; HEADING_2: string };
  LevelFormat: { DECIMAL: string };
  WidthType: { PERCENTAGE: string };
}

export const docx = (await import('docx')) as unknown as DocxApi;
