/**
 * Regenerates the binary loader fixtures from code, so they can be reviewed and rebuilt:
 *
 *   npx tsx scripts/make-fixtures.ts
 *
 * Writes, under test/fixtures/:
 * - help-docs/account/reset-password.pdf  two pages of text (pdf-lib), Info Title set
 * - help-docs/sdk/setup.docx              headings, a bulleted and a numbered list, a table (docx)
 * - broken/corrupt.pdf                    the first 60% of reset-password.pdf (a truncated download)
 * - broken/zip-bomb.docx                  a real DOCX whose document.xml inflates ~1000:1 to ~60 MB
 * - broken/archive.docx                   a plain zip (no word/document.xml) named .docx
 *
 * The text fixtures (Markdown, HTML, text, CSV) are written by hand next to these.
 * The PDFs and the zip come out byte-identical on every run; the DOCX files differ
 * only in the creation time docx stamps into them.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import JSZip from 'jszip';
import { PDFDocument, StandardFonts, rgb } from 'pdf-lib';
import { docx } from './docx-api.ts';

const { AlignmentType, Document, HeadingLevel, LevelFormat, Packer, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } =
  docx;

const fixturesDirectory = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures');
const fixedDate = new Date('2025-03-14T09:00:00Z');

/** Share of the PDF kept in corrupt.pdf: past the first page's content, short of the trailer. */
const truncatedShare = 0.6;
/** Characters in the zip bomb's one paragraph: ~60 MB inflated from ~60 KB. */
const zipBombCharacters = 60_000_000;

async function write(relativePath: string, bytes: Uint8Array): Promise<void> {
  const path = join(fixturesDirectory, relativePath);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, bytes);
  console.log(`${relativePath}  ${bytes.length} bytes`);
}

interface PdfPage {
  title?: string;
  paragraphs: string[][];
}

const resetPasswordPages: PdfPage[] = [
  {
    title: 'Resetting your password',
    paragraphs: [
      [
        'If you forgot the password of your Wren Chat console account, you can reset it',
        'yourself from the sign-in page. You need access to the email address you signed up with.',
      ],
      [
        'Choose "Forgot password?" on the sign-in page and enter your email address.',
        'We send a reset link that is valid for 30 minutes and can be used only once.',
      ],
      [
        'Open the link, choose a new password of at least 12 characters, and sign in again.',
        'All other sessions of your account are signed out when the password changes.',
      ],
    ],
  },
  {
    title: 'If the reset email does not arrive',
    paragraphs: [
      [
        'Check your spam or junk folder first. Reset emails come from no-reply@wrenchat.example',
        'and can take up to five minutes to arrive.',
      ],
      [
        'Workspaces that sign in with single sign-on (SSO) cannot reset passwords in Wren Chat.',
        'Ask your identity provider administrator to reset the password instead.',
      ],
      ['Still stuck? Contact support@wrenchat.example with your workspace name.'],
    ],
  },
];

async function makeResetPasswordPdf(): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.setTitle('How to reset your password');
  pdf.setAuthor('Wren Chat Support');
  pdf.setCreationDate(fixedDate);
  pdf.setModificationDate(fixedDate);
  const regular = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  const bodySize = 11;
  const lineHeight = 15;
  for (const content of resetPasswordPages) {
    const page = pdf.addPage([595, 842]);
    let y = 780;
    if (content.title) {
      page.drawText(content.title, { x: 56, y, size: 20, font: bold, color: rgb(0.1, 0.1, 0.3) });
      y -= 40;
    }
    for (const lines of content.paragraphs) {
      for (const line of lines) {
        page.drawText(line, { x: 56, y, size: bodySize, font: regular });
        y -= lineHeight;
      }
      // A blank line between paragraphs, as a word processor would lay them out.
      y -= lineHeight;
    }
  }
  return pdf.save();
}

async function makeSetupDocx(): Promise<Uint8Array> {
  const cell = (text: string, bold = false) =>
    new TableCell({ children: [new Paragraph({ children: [new TextRun({ text, bold })] })] });
  const document = new Document({
    title: 'Wren Chat SDK setup',
    creator: 'Wren Chat Docs Team',
    numbering: {
      config: [
        {
          reference: 'install-steps',
          levels: [{ level: 0, format: LevelFormat.DECIMAL, text: '%1.', alignment: AlignmentType.START }],
        },
      ],
    },
    sections: [
      {
        children: [
          new Paragraph({ heading: HeadingLevel.HEADING_1, text: 'Setting up the Wren Chat SDK' }),
          new Paragraph({
            text: 'The Wren Chat SDK connects your app to a workspace over a single WebSocket and keeps the connection alive across network changes.',
          }),
          new Paragraph({ heading: HeadingLevel.HEADING_2, text: 'Requirements' }),
          new Paragraph({ text: 'Node.js 18 or later, or any evergreen browser', bullet: { level: 0 } }),
          new Paragraph({ text: 'An App ID from the Wren Chat console', bullet: { level: 0 } }),
          new Paragraph({ text: 'A backend endpoint that issues user tokens', bullet: { level: 0 } }),
          new Paragraph({ heading: HeadingLevel.HEADING_2, text: 'Installation' }),
          new Paragraph({ text: 'Add the package: npm install @wrenchat/sdk', numbering: { reference: 'install-steps', level: 0 } }),
          new Paragraph({ text: 'Create a WrenClient with your App ID', numbering: { reference: 'install-steps', level: 0 } }),
          new Paragraph({ text: 'Call connect() with a user token', numbering: { reference: 'install-steps', level: 0 } }),
          new Paragraph({ heading: HeadingLevel.HEADING_2, text: 'Client options' }),
          new Table({
            width: { size: 100, type: WidthType.PERCENTAGE },
            rows: [
              new TableRow({ tableHeader: true, children: [cell('Option', true), cell('Default', true), cell('Meaning', true)] }),
              new TableRow({ children: [cell('appId'), cell('none'), cell('The workspace to connect to')] }),
              new TableRow({ children: [cell('region'), cell('auto'), cell('Data centre: us, eu or ap')] }),
              new TableRow({ children: [cell('reconnect'), cell('true'), cell('Reconnect with backoff after a drop')] }),
            ],
          }),
          new Paragraph({ text: 'Tokens expire after one hour; the SDK asks your tokenProvider for a new one before that.' }),
        ],
      },
    ],
  });
  return Packer.toBuffer(document);
}

async function makeZipBombDocx(): Promise<Uint8Array> {
  const document = new Document({
    sections: [{ children: [new Paragraph({ text: 'a'.repeat(zipBombCharacters) })] }],
  });
  return Packer.toBuffer(document);
}

async function makePlainZip(): Promise<Uint8Array> {
  const zip = new JSZip();
  zip.file('README.txt', 'Wren Chat export: messages from #general, March 2025.\n', { date: fixedDate });
  zip.file('messages.json', JSON.stringify([{ user: 'ada', text: 'Hello, Wren!' }]), { date: fixedDate });
  return zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE' });
}

const resetPasswordPdf = await makeResetPasswordPdf();
await write('help-docs/account/reset-password.pdf', resetPasswordPdf);
await write('broken/corrupt.pdf', resetPasswordPdf.subarray(0, Math.floor(resetPasswordPdf.length * truncatedShare)));
await write('help-docs/sdk/setup.docx', await makeSetupDocx());
await write('broken/zip-bomb.docx', await makeZipBombDocx());
await write('broken/archive.docx', await makePlainZip());
