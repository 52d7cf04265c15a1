/**
 * Regenerates the two binary articles of the sample help center from code, so they can
 * be reviewed and rebuilt:
 *
 *   npx tsx scripts/make-help-center.ts
 *
 * Writes, next to this script:
 * - billing/enterprise-agreement-summary.pdf  three A4 pages of text (pdf-lib, standard fonts, ASCII only)
 * - sdk/migration-guide-v3-to-v4.docx         headings, bulleted and numbered lists, two tables (docx)
 * - billing/price-list-2026.xlsx              three sheets: a title row over each table, prices in
 *                                             currency formats, dates with a date format (minimal-office.ts)
 * - sdk/onboarding-webinar.pptx               six slides with titles, bullets, a table and speaker notes (pptxgenjs)
 *
 * The PDF and the XLSX come out byte-identical on every run; the DOCX and PPTX differ
 * only in the creation time their libraries stamp into them. The facts here match the Markdown articles (prices, limits,
 * error codes, dates): change them together.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PDFDocument, StandardFonts, rgb } from 'pdf-lib';
import pptxgenjs from 'pptxgenjs';
import { docx } from './docx-api.ts';
import { xlsxBytes, type XlsxCell } from './minimal-office.ts';
import type { PDFFont, PDFPage } from 'pdf-lib';

const { AlignmentType, Document, HeadingLevel, LevelFormat, Packer, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } =
  docx;

const helpCenterDirectory = join(dirname(fileURLToPath(import.meta.url)), '..', 'examples', 'help-center');
const fixedDate = new Date('2026-07-01T09:00:00Z');

async function write(relativePath: string, bytes: Uint8Array): Promise<void> {
  const path = join(helpCenterDirectory, relativePath);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, bytes);
  console.log(`${relativePath}  ${bytes.length} bytes`);
}

// ---------------------------------------------------------------------------------------
// billing/enterprise-agreement-summary.pdf
// ---------------------------------------------------------------------------------------

/** One piece of the PDF's flow: a heading, a paragraph, or a list item (each its own paragraph when read back). */
type PdfBlock = { kind: 'title' | 'subtitle' | 'heading' | 'paragraph'; text: string } | { kind: 'item'; text: string };

const agreementSummary: PdfBlock[] = [
  { kind: 'title', text: 'Parley Enterprise Agreement: Summary of Key Terms' },
  { kind: 'subtitle', text: 'Version 2026.2, effective 1 July 2026' },
  {
    kind: 'paragraph',
    text:
      'This document summarises the standard terms of the Parley Enterprise plan offered by Parley Labs, Inc. ("Parley"). ' +
      'It is written for customers and for teams evaluating Enterprise. It does not replace the contract: if anything here ' +
      'differs from your signed Order Form or from the Parley Master Subscription Agreement (MSA), the signed documents prevail.',
  },
  { kind: 'heading', text: '1. Who the Enterprise plan is for' },
  {
    kind: 'paragraph',
    text:
      'Enterprise is for organizations that need more than the Growth plan offers: more than 100,000 monthly active users (MAU), ' +
      'a 99.95% uptime commitment, 24/7 support, a dedicated cluster, customer-managed encryption keys (BYOK), unlimited message ' +
      'retention with legal hold, or a Business Associate Agreement (BAA) under HIPAA.',
  },
  { kind: 'heading', text: '2. Term, fees and payment' },
  { kind: 'item', text: '- Minimum term: 12 months. Terms of 24 or 36 months are available.' },
  { kind: 'item', text: '- Minimum commitment: USD 24,000 per contract year (the equivalent of USD 2,000 per month).' },
  {
    kind: 'item',
    text: '- Invoicing: annually in advance, on the first day of each contract year. Commitments above USD 100,000 per year can be invoiced quarterly.',
  },
  { kind: 'item', text: '- Payment terms: net 30 days from the invoice date, by bank transfer or card. Invoices are issued in USD or EUR.' },
  {
    kind: 'item',
    text:
      '- Late payment: an invoice more than 60 days overdue may lead to suspension of the apps covered by the agreement, after at least ' +
      '10 days of written notice. Suspended apps refuse connections with error 4030 APP_SUSPENDED.',
  },
  {
    kind: 'item',
    text: '- Renewal: the agreement renews automatically for 12 months unless either party gives written notice at least 60 days before the end of the term.',
  },
  { kind: 'item', text: '- Price protection: at renewal, unit prices rise by no more than 7% over the prices of the ending term.' },
  { kind: 'heading', text: '3. Usage and overage' },
  {
    kind: 'item',
    text:
      '- Committed MAU: set in the Order Form. MAU are counted as on the standard plans: a distinct user ID that connects at least once ' +
      'in a calendar month (UTC).',
  },
  {
    kind: 'item',
    text: '- MAU overage: MAU above the commitment are billed quarterly in arrears at the contracted per-MAU rate, which is never higher than the Growth overage rate of USD 0.005.',
  },
  {
    kind: 'item',
    text: '- Parley Assist: a committed number of Assist replies per month. Extra replies are billed quarterly at the contracted rate, never higher than USD 0.004 per reply.',
  },
  {
    kind: 'item',
    text: '- Reporting: live usage in the Console under Organization settings > Billing > Usage, and a monthly usage report emailed to the billing contacts.',
  },
  { kind: 'heading', text: '4. Service level agreement (SLA)' },
  {
    kind: 'paragraph',
    text:
      'Parley commits to 99.95% monthly uptime, per region, for real-time messaging, the Platform API and file uploads and downloads. ' +
      'Parley Assist is covered at 99.9%. Uptime is measured per calendar month. Not counted as downtime: planned maintenance announced ' +
      'at least 7 days in advance, problems caused by the customer\'s own systems or networks, delays at Apple (APNs) or Google (FCM), ' +
      'and force majeure.',
  },
  { kind: 'paragraph', text: 'Service credits, as a share of the monthly fee (annual fees divided by 12) for the affected region and month:' },
  { kind: 'item', text: '- Monthly uptime below 99.95% but at least 99.0%: credit of 10%.' },
  { kind: 'item', text: '- Monthly uptime below 99.0% but at least 95.0%: credit of 25%.' },
  { kind: 'item', text: '- Monthly uptime below 95.0%: credit of 50%.' },
  {
    kind: 'paragraph',
    text:
      'Credits must be claimed through support within 30 days after the end of the affected month and are applied to the next invoice. ' +
      'Credits for one month never exceed 50% of that month\'s fee. Chronic failure: if monthly uptime falls below 99.0% in three months ' +
      'out of any six consecutive months, the customer may terminate the agreement and receive a pro-rata refund of prepaid fees.',
  },
  { kind: 'heading', text: '5. Support' },
  { kind: 'paragraph', text: 'First response times by severity:' },
  { kind: 'item', text: '- Severity 1 (production down, or a core feature unavailable for most users): 1 hour, 24/7.' },
  { kind: 'item', text: '- Severity 2 (a core feature seriously degraded, no workaround): 4 hours, 24/7.' },
  { kind: 'item', text: '- Severity 3 (a minor problem, or a workaround exists): 1 business day.' },
  { kind: 'item', text: '- Severity 4 (questions and feature requests): 3 business days.' },
  {
    kind: 'paragraph',
    text:
      'Support is available through a shared Slack Connect channel, by email at enterprise-support@parley.example and, for Severity 1, ' +
      'by phone. Every Enterprise customer has a named Customer Success Manager, an architecture review at onboarding, quarterly business ' +
      'reviews, and assisted migrations (for example moving an app to another region, or upgrading from SDK v3 to v4).',
  },
  { kind: 'heading', text: '6. Security, privacy and data' },
  { kind: 'item', text: '- Data Processing Agreement with the EU Standard Contractual Clauses; a negotiated DPA is possible.' },
  { kind: 'item', text: '- Business Associate Agreement (BAA) under HIPAA, for apps in the us1 region.' },
  {
    kind: 'item',
    text: '- Optional dedicated (single-tenant) cluster in us1, eu1 or ap1, or in another location on request. Customer-managed keys (BYOK) require a dedicated cluster.',
  },
  {
    kind: 'item',
    text: '- Message retention is unlimited by default and configurable, with legal hold. Parley Assist request logs can be set to 0 days.',
  },
  {
    kind: 'item',
    text: '- The annual SOC 2 Type II report and penetration test summary are shared under NDA. The customer may run its own penetration test once a year with 14 days of notice.',
  },
  { kind: 'item', text: '- Parley notifies the customer within 48 hours of confirming a security breach that affects customer data.' },
  { kind: 'heading', text: '7. Termination and refunds' },
  {
    kind: 'item',
    text: '- There is no termination for convenience during a committed term. Fees for the committed term are non-refundable, except as set out in this section and in the SLA.',
  },
  {
    kind: 'item',
    text:
      '- Either party may terminate for a material breach that is not cured within 30 days of written notice. If the customer terminates ' +
      'for Parley\'s uncured breach, or under the chronic SLA failure right, Parley refunds the prepaid fees for the unused part of the term, pro rata.',
  },
  {
    kind: 'item',
    text:
      '- After the agreement ends, the customer has 30 days to export its data with the Platform API. Parley deletes the data within ' +
      '60 days after the end of the agreement; backups roll off within a further 35 days.',
  },
  { kind: 'heading', text: 'Contact' },
  {
    kind: 'paragraph',
    text: 'New agreements and quotes: sales@parley.example. Existing customers: your Customer Success Manager, or enterprise-support@parley.example.',
  },
];

const page = { width: 595, height: 842, margin: 56 };

interface Style {
  font: PDFFont;
  size: number;
  lineHeight: number;
  /** Space left above the block. */
  before: number;
  color: ReturnType<typeof rgb>;
}

function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const candidate = line === '' ? word : `${line} ${word}`;
    if (line !== '' && font.widthOfTextAtSize(candidate, size) > width) {
      lines.push(line);
      line = word;
    } else {
      line = candidate;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

async function makeAgreementSummaryPdf(): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.setTitle('Parley Enterprise Agreement: Summary of Key Terms');
  pdf.setAuthor('Parley Labs, Inc.');
  pdf.setSubject('Enterprise plan: term, fees, SLA credits, support response times, termination and refunds');
  pdf.setCreator('Parley help center');
  pdf.setProducer('pdf-lib');
  pdf.setCreationDate(fixedDate);
  pdf.setModificationDate(fixedDate);
  const regular = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  const ink = rgb(0.1, 0.1, 0.1);
  const accent = rgb(0.12, 0.2, 0.45);
  // Paragraph and item gaps exceed 1.3 line heights, so each reads back as its own paragraph.
  const styles: Record<PdfBlock['kind'], Style> = {
    title: { font: bold, size: 18, lineHeight: 24, before: 0, color: accent },
    subtitle: { font: regular, size: 11, lineHeight: 15, before: 4, color: accent },
    heading: { font: bold, size: 13, lineHeight: 18, before: 18, color: accent },
    paragraph: { font: regular, size: 10.5, lineHeight: 14, before: 10, color: ink },
    item: { font: regular, size: 10.5, lineHeight: 14, before: 6, color: ink },
  };
  const textWidth = page.width - 2 * page.margin;
  let current: PDFPage = pdf.addPage([page.width, page.height]);
  let y = page.height - page.margin;
  agreementSummary.forEach((block, index) => {
    const style = styles[block.kind];
    const indent = block.kind === 'item' ? 12 : 0;
    const lines = wrap(block.text, style.font, style.size, textWidth - indent);
    // A heading keeps at least two lines of what follows it on its page.
    const next = agreementSummary[index + 1];
    const keepWithNext = block.kind === 'heading' && next ? 2 * styles[next.kind].lineHeight + styles[next.kind].before : 0;
    const needed = style.before + lines.length * style.lineHeight + keepWithNext;
    if (y - needed < page.margin) {
      current = pdf.addPage([page.width, page.height]);
      y = page.height - page.margin;
    } else if (index > 0) {
      y -= style.before;
    }
    lines.forEach((line, lineIndex) => {
      y -= style.lineHeight;
      // List items hang: the dash at the margin, continuation lines under the text.
      const x = page.margin + (block.kind === 'item' && lineIndex > 0 ? indent : 0);
      current.drawText(line, { x, y, size: style.size, font: style.font, color: style.color });
    });
  });
  return pdf.save();
}

// ---------------------------------------------------------------------------------------
// sdk/migration-guide-v3-to-v4.docx
// ---------------------------------------------------------------------------------------

const code = (text: string) => new TextRun({ text, font: 'Courier New' });
const plain = (text: string) => new TextRun({ text });
const cell = (text: string, bold = false) =>
  new TableCell({ children: [new Paragraph({ children: [new TextRun({ text, bold })] })] });
const heading1 = (text: string) => new Paragraph({ heading: HeadingLevel.HEADING_1, text });
const heading2 = (text: string) => new Paragraph({ heading: HeadingLevel.HEADING_2, text });
const paragraph = (...children: object[]) => new Paragraph({ children });
const bullet = (...children: object[]) => new Paragraph({ children, bullet: { level: 0 } });
const step = (...children: object[]) => new Paragraph({ children, numbering: { reference: 'migration-steps', level: 0 } });
const table = (header: string[], rows: string[][]) =>
  new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    rows: [
      new TableRow({ tableHeader: true, children: header.map((text) => cell(text, true)) }),
      ...rows.map((row) => new TableRow({ children: row.map((text) => cell(text)) })),
    ],
  });

async function makeMigrationGuideDocx(): Promise<Uint8Array> {
  const document = new Document({
    title: 'Migration guide: Parley SDK v3 to v4',
    creator: 'Parley Developer Relations',
    description: 'How to move an iOS, Android or Web app from Parley SDK 3.x to 4.x',
    numbering: {
      config: [
        {
          reference: 'migration-steps',
          levels: [{ level: 0, format: LevelFormat.DECIMAL, text: '%1.', alignment: AlignmentType.START }],
        },
      ],
    },
    sections: [
      {
        children: [
          heading1('Migration guide: Parley SDK v3 to v4'),
          paragraph(
            plain(
              'SDK 3.x stopped receiving security fixes on 31 December 2025, and Parley has refused connections from SDK 3.x since 30 June 2026: ' +
                'apps built with it get error 4260 SDK_UNSUPPORTED when they connect. This guide takes an iOS, Android or Web app from ' +
                'SDK 3.x to 4.x (current version 4.3.2). For a typical app, plan one to three days of developer time, most of it for the new token endpoint.',
            ),
          ),
          heading2('What changes in v4'),
          bullet(plain('New package names on every platform (see the table below).')),
          bullet(plain('The client needs a publishable key and the app\'s data region (us1, eu1 or ap1) as well as the App ID.')),
          bullet(
            plain('Short-lived JWT user tokens, fetched through a '),
            code('tokenProvider'),
            plain(', replace the v3 session tokens that never expired.'),
          ),
          bullet(plain('Callbacks are replaced by async/await (Swift concurrency, Kotlin coroutines and Promises on the Web).')),
          bullet(plain('Event names changed, for example onMessageReceived became the message.received event.')),
          bullet(plain('Channels are addressed by channel ID instead of channel URL.')),
          bullet(plain('Push tokens are registered through client.push.register().')),
          heading2('What does not change'),
          bullet(plain('Your users, channels, messages and attachments are stored by Parley and need no migration.')),
          bullet(plain('App IDs and user IDs stay the same.')),
          bullet(plain('Existing v3 channel URLs become v4 channel IDs unchanged, so IDs saved in your database keep working.')),
          bullet(plain('Webhook payloads are the same for v3 and v4 clients.')),
          heading2('Before you start'),
          bullet(plain('iOS 15 or later and Xcode 16; Android minSdk 24 (Android 7.0); for the Web, current browsers or Node.js 18 or later.')),
          bullet(plain('The publishable key (pk_...) and the secret key (sk_...) from App settings → API keys in the Parley Console.')),
          bullet(plain('A staging app in the Parley Console, to test the migration before you release it.')),
          heading2('Step by step'),
          step(
            plain('Add a token endpoint to your backend. It checks that the user is signed in and returns a JWT signed with HS256 and your secret key, with the claims '),
            code('sub'),
            plain(' (user ID), '),
            code('app'),
            plain(' (App ID) and '),
            code('exp'),
            plain('. Use a lifetime of 1 hour; the maximum is 24 hours.'),
          ),
          step(plain('Replace the v3 package with the v4 package for your platform (see "Package names" below). Remove the v3 package completely: v3 and v4 cannot be installed together.')),
          step(
            plain('Replace the initialisation. '),
            code('Parley.init(appId)'),
            plain(' becomes '),
            code("new ParleyClient({ appId, publishableKey, region: 'eu1' })"),
            plain(' (Swift: ParleyClient.configure, Kotlin: ParleyClient.initialize).'),
          ),
          step(
            plain('Replace '),
            code('connect(userId, sessionToken, callback)'),
            plain(' with '),
            code('await client.connect({ userId, tokenProvider })'),
            plain('. The SDK calls tokenProvider again 5 minutes before each token expires.'),
          ),
          step(plain('Rename event listeners and method calls using the "API changes" table below.')),
          step(plain('Replace channel URLs with channel IDs where your code builds them. Stored values need no change.')),
          step(plain('Update push registration: client.push.register(apnsToken:) on iOS and client.push.register(fcmToken:) on Android. On Android, upload an FCM service account JSON if you still use a legacy server key.')),
          step(plain('Test against your staging app. Check sign-in, sending and receiving, attachments, push notifications and reconnection after switching the network off and on.')),
          step(plain('Release the app update. Follow adoption under Monitoring → Connections, grouped by SDK version.')),
          step(plain('When no more v3 connections appear, revoke the legacy session tokens under App settings → API keys → Legacy session tokens → Revoke all, and remove the v3 token code from your backend.')),
          heading2('Package names'),
          table(
            ['Platform', 'SDK v3', 'SDK v4'],
            [
              ['iOS', "pod 'ParleyKit'", "ParleySDK (Swift Package Manager, or pod 'ParleySDK', '~> 4.3')"],
              ['Android', 'com.parley:sdk:3.9.4', 'com.parley:parley-android:4.3.2'],
              ['Web / JavaScript', 'parley-js', '@parley/chat'],
            ],
          ),
          heading2('API changes'),
          table(
            ['SDK v3', 'SDK v4'],
            [
              ['Parley.init(appId)', 'new ParleyClient({ appId, publishableKey, region })'],
              ['client.connect(userId, sessionToken, callback)', 'await client.connect({ userId, tokenProvider })'],
              ['channel.sendUserMessage(text, callback)', 'await channel.sendMessage({ text })'],
              ['channel.sendFileMessage(file, callback)', 'await channel.sendMessage({ files: [file] })'],
              ['client.getChannel(channelUrl, callback)', 'await client.channels.get(channelId)'],
              ['channel.markAsRead()', 'channel.markRead() (SDK 4.1 and later; markAsRead still works in 4.x but is deprecated)'],
              ['onMessageReceived', "client.on('message.received', ...)"],
              ['onConnectionChanged', "client.on('connection.changed', ...)"],
              ['Parley.registerAPNSToken(token)', 'client.push.register(apnsToken:)'],
              ['Parley.registerFCMToken(token)', 'client.push.register(fcmToken:)'],
            ],
          ),
          heading2('Common problems after migrating'),
          bullet(plain('4010 INVALID_TOKEN: the app still passes a v3 session token. v4 needs a JWT from your new token endpoint.')),
          bullet(plain('4040 APP_NOT_FOUND: the region in the client options is not the region of the app in the Console.')),
          bullet(plain('Android build fails with duplicate classes: the old com.parley:sdk dependency is still present; remove it.')),
          bullet(plain('Push notifications stop on Android: legacy FCM server keys are not accepted; upload a service account JSON under App settings → Push notifications → Google (FCM).')),
          bullet(plain('Some users still get 4260 SDK_UNSUPPORTED: they have not installed your update yet. Consider showing an "update required" screen for this error.')),
          heading2('Getting help'),
          paragraph(
            plain(
              'Email support@parley.example with your App ID and the SDK versions involved. Enterprise customers can ask their Customer ' +
                'Success Manager for an assisted migration.',
            ),
          ),
        ],
      },
    ],
  });
  return Packer.toBuffer(document);
}

// ---------------------------------------------------------------------------------------
// billing/price-list-2026.xlsx
// ---------------------------------------------------------------------------------------

const dollars = (value: number): XlsxCell => ({ value, format: '"$"#,##0' });
const cents = (value: number): XlsxCell => ({ value, format: '"$"#,##0.00' });
const count = (value: number): XlsxCell => ({ value, format: '#,##0' });
const day = (date: string): XlsxCell => ({ date, format: 'd mmmm yyyy' });

function makePriceListXlsx(): Promise<Uint8Array> {
  return xlsxBytes({
    title: 'Parley price list 2026',
    sheets: [
      {
        name: 'Plans',
        widths: [14, 16, 16, 14, 16, 22],
        rows: [
          ['Parley price list 2026: plans (USD, excluding VAT and sales tax)'],
          [],
          ['Plan', 'Monthly price', 'Annual price', 'MAU included', 'Each extra MAU', 'Message retention'],
          ['Free', dollars(0), dollars(0), count(1000), 'Not available (hard limit)', '7 days'],
          ['Starter', dollars(49), dollars(490), count(10000), { value: 0.008, format: '"$"0.000' }, '90 days'],
          ['Growth', dollars(299), dollars(2990), count(100000), { value: 0.005, format: '"$"0.000' }, '365 days'],
          ['Enterprise', 'Custom', 'From $24,000', 'Contracted', 'Contracted rate', 'Unlimited (configurable)'],
        ],
      },
      {
        name: 'Add-ons',
        widths: [44, 26, 12, 28],
        rows: [
          ['Parley price list 2026: add-ons (USD, excluding VAT and sales tax)'],
          [],
          ['Add-on', 'Unit', 'Price', 'Available on'],
          ['Extra file storage beyond the included amount', 'per GB per month', cents(0.1), 'Starter, Growth, Enterprise'],
          ['Parley Assist replies beyond the included amount', 'per reply', { value: 0.004, format: '"$"0.000' }, 'Starter, Growth'],
          ['Additional Console team member (beyond the members your plan includes)', 'per member per month', cents(10), 'Starter, Growth'],
          ['Extended push log retention (90 days instead of 7)', 'per app per month', cents(25), 'Growth, Enterprise'],
        ],
      },
      {
        name: 'Price changes',
        widths: [18, 22, 34, 60],
        rows: [
          ['Parley price changes: past and announced'],
          [],
          ['Effective', 'Plan or add-on', 'Change', 'Notes'],
          [day('2026-03-01'), 'Starter', 'Monthly price from $39 to $49', 'Annual price from $390 to $490. Subscriptions started before 1 March 2026 kept the old price until their first renewal after 31 August 2026.'],
          [day('2026-03-01'), 'Growth', 'MAU included from 50,000 to 100,000', 'No change to the price.'],
          [day('2027-01-01'), 'Extra file storage', 'From $0.10 to $0.08 per GB per month', 'Announced on 2 November 2026. Applies automatically; nothing to do.'],
        ],
      },
    ],
  });
}

// ---------------------------------------------------------------------------------------
// sdk/onboarding-webinar.pptx
// ---------------------------------------------------------------------------------------

/** One slide of the deck: a title, bullets (a second level indented), an optional table, speaker notes. */
interface DeckSlide {
  title: string;
  subtitle?: string;
  bullets?: (string | { text: string; indent: number })[];
  table?: string[][];
  notes: string;
}

const onboardingDeck: DeckSlide[] = [
  {
    title: 'Getting started with Parley',
    subtitle: 'Onboarding webinar, November 2026',
    notes:
      'Welcome everyone. The recording and these slides are emailed to everyone who registered within 2 business days. ' +
      'Questions go in the Q&A panel; we answer them at the end.',
  },
  {
    title: 'Your first hour with Parley',
    bullets: [
      'Create an account and an organization at console.parley.example',
      'Create an app and choose its data region: us1, eu1 or ap1',
      { text: 'The region cannot be changed after the app is created', indent: 1 },
      'Copy the App ID and the publishable key from App settings → API keys',
      'Install the SDK and connect a first test user',
    ],
    notes: 'Stress the region choice: customers in the EU usually want eu1. If they pick the wrong one, they create a new app.',
  },
  {
    title: 'Install the SDK (version 4.3.2)',
    table: [
      ['Platform', 'Package', 'Requires'],
      ['iOS', "ParleySDK (Swift Package Manager, or pod 'ParleySDK', '~> 4.3')", 'iOS 15 or later, Xcode 16'],
      ['Android', 'com.parley:parley-android:4.3.2', 'minSdk 24 (Android 7.0)'],
      ['Web', '@parley/chat', 'Current browsers or Node.js 18 or later'],
    ],
    notes: 'SDK 3.x has been refused since 30 June 2026 with error 4260 SDK_UNSUPPORTED. Point v3 users to the migration guide.',
  },
  {
    title: 'User tokens in production',
    bullets: [
      'Your backend issues user tokens, signed with the secret key: never ship the secret key in an app',
      'Tokens last 1 hour by default and 24 hours at most',
      'The SDK asks your tokenProvider for a new token 5 minutes before the old one expires',
    ],
    notes: 'A common mistake in the first week: a token endpoint that does not check that the user is signed in.',
  },
  {
    title: 'Before you go live',
    bullets: [
      'Set up push notifications: APNs for iOS, FCM for Android',
      'Handle 4290 RATE_LIMITED by waiting for Retry-After',
      'Planning a launch? Growth customers can ask for a temporary rate-limit increase at least 5 business days ahead',
      'Subscribe to status.parley.example',
    ],
    notes:
      'Offer the go-live review: Growth and Enterprise customers can book a free 30-minute go-live review with a solutions engineer ' +
      'from the Console under Help → Book a go-live review, at least 10 business days before their launch.',
  },
  {
    title: 'Getting help',
    bullets: [
      'Help center and community forum: every plan',
      'Email support: Starter replies within 2 business days, Growth within 1 business day',
      'Enterprise: 24/7 support with a 1-hour response for Severity 1',
      'Live office hours with the developer relations team: every Thursday, 16:00–17:00 UTC, open to all plans',
    ],
    notes: 'The office hours link is in the Console under Help → Office hours. No registration needed.',
  },
];

// pptxgenjs declares its types CommonJS-style (`export default` in a package without
// "type": "module"), so under NodeNext its default import types as the module; at run
// time the ESM build's default export is the class itself.
const PptxGenJS = pptxgenjs as unknown as typeof pptxgenjs.default;

async function makeOnboardingDeckPptx(): Promise<Uint8Array> {
  const deck = new PptxGenJS();
  deck.layout = 'LAYOUT_WIDE';
  deck.title = 'Getting started with Parley: onboarding webinar';
  deck.author = 'Parley Developer Relations';
  deck.company = 'Parley Labs, Inc.';
  deck.subject = 'Onboarding webinar for new Parley customers, November 2026';
  const ink = '1A1A1A';
  const accent = '1F3373';
  deck.defineSlideMaster({
    title: 'PARLEY',
    background: { color: 'FFFFFF' },
    objects: [
      { placeholder: { options: { name: 'title', type: 'title', x: 0.6, y: 0.35, w: 12.1, h: 1.0, fontSize: 30, bold: true, color: accent }, text: '' } },
      { placeholder: { options: { name: 'body', type: 'body', x: 0.6, y: 1.55, w: 12.1, h: 5.3, fontSize: 20, color: ink }, text: '' } },
      { text: { text: 'Parley Labs, Inc.', options: { x: 0.6, y: 7.0, w: 4, h: 0.3, fontSize: 10, color: '888888' } } },
    ],
    slideNumber: { x: 12.4, y: 7.0, fontSize: 10, color: '888888' },
  });
  for (const content of onboardingDeck) {
    const slide = deck.addSlide({ masterName: 'PARLEY' });
    slide.addText(content.title, { placeholder: 'title' });
    if (content.subtitle) slide.addText(content.subtitle, { placeholder: 'body', bullet: false, fontSize: 24, color: accent });
    if (content.bullets) {
      slide.addText(
        content.bullets.map((bullet) =>
          typeof bullet === 'string'
            ? { text: bullet, options: { bullet: true, breakLine: true } }
            : { text: bullet.text, options: { bullet: { indent: 18 }, indentLevel: bullet.indent, breakLine: true } },
        ),
        { placeholder: 'body' },
      );
    }
    if (content.table) {
      const [header = [], ...rows] = content.table;
      slide.addTable(
        [header.map((text) => ({ text, options: { bold: true, color: 'FFFFFF', fill: { color: accent } } })), ...rows.map((row) => row.map((text) => ({ text })))],
        { x: 0.6, y: 1.7, w: 12.1, colW: [1.6, 6.2, 4.3], fontSize: 16, color: ink, border: { type: 'solid', pt: 0.5, color: 'BBBBBB' } },
      );
    }
    slide.addNotes(content.notes);
  }
  return (await deck.write({ outputType: 'uint8array' })) as Uint8Array;
}

await write('billing/enterprise-agreement-summary.pdf', await makeAgreementSummaryPdf());
await write('sdk/migration-guide-v3-to-v4.docx', await makeMigrationGuideDocx());
await write('billing/price-list-2026.xlsx', await makePriceListXlsx());
await write('sdk/onboarding-webinar.pptx', await makeOnboardingDeckPptx());
