/**
 * OCR accuracy and speed on generated pages (`npm run bench:ocr`; docs/ingestion-formats.md):
 * help-center pages drawn with @napi-rs/canvas at 150 and 300 dpi (English, Simplified
 * Chinese, the English page turned sideways and skewed 2°, a price table), a screenshot
 * at 1× and 2×, and a five-page scanned PDF, read by the OCR pool as ingestion reads them.
 *
 * Character accuracy is 1 − Levenshtein(reference, output) / reference length, both sides
 * normalised (whitespace collapsed; full-width and typographic punctuation mapped to
 * ASCII; for Chinese, whitespace removed), the output first tidied by
 * `recognizedParagraphs(...).join(' ')`. "Found" is the share of the reference's words (for
 * Chinese, characters) that appear anywhere in the output: a low accuracy with a high
 * "found" is reading order (table columns, screen regions), not misread characters.
 *
 * Times exclude the engine's start (reported apart): each pool reads a small warm-up
 * image first. Everything is generated in memory; nothing is downloaded. BENCH_OCR_PNG_DIR
 * set: the generated pictures are also written there, to look at.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { createCanvas, GlobalFonts, type Canvas, type SKRSContext2D } from '@napi-rs/canvas';
import { PDFDocument } from 'pdf-lib';
import { createOcrPool, ocrLanguages, recognizedParagraphs, type OcrJob, type TextRecognizer } from '../ingest/ocr/index.ts';

type Language = 'en' | 'zh';
type Block = { kind: 'heading' | 'paragraph'; text: string } | { kind: 'item'; number: number; text: string };

const englishArticle: Block[] = [
  { kind: 'heading', text: 'Reset your password' },
  {
    kind: 'paragraph',
    text:
      'If you forget your password, you can reset it from the sign-in page at any time. The reset link we send by email is ' +
      'valid for 30 minutes and can be used only once. For security reasons, our support team cannot see or change your password for you.',
  },
  { kind: 'paragraph', text: 'To reset your password:' },
  { kind: 'item', number: 1, text: 'Open the sign-in page and select "Forgot password?".' },
  { kind: 'item', number: 2, text: 'Enter the email address linked to your account.' },
  { kind: 'item', number: 3, text: 'Open the message from Acme Support and click the reset link.' },
  { kind: 'item', number: 4, text: 'Choose a new password of at least 12 characters.' },
  {
    kind: 'paragraph',
    text:
      "If the email does not arrive within five minutes, check your spam folder and make sure the address is spelled correctly. " +
      "Accounts managed by your company's single sign-on (SSO) provider must be reset by your IT administrator instead.",
  },
  {
    kind: 'paragraph',
    text: 'After a reset, you are signed out on every device. API keys you created stay active until you revoke them under Settings > Security.',
  },
];

const chineseArticle: Block[] = [
  { kind: 'heading', text: '如何重置密码' },
  {
    kind: 'paragraph',
    text:
      '如果您忘记了密码，可以随时在登录页面重置。我们通过电子邮件发送的重置链接在三十分钟内有效，并且只能使用一次。' +
      '出于安全考虑，客服团队无法查看或替您修改密码。',
  },
  { kind: 'paragraph', text: '重置密码的步骤如下：' },
  { kind: 'item', number: 1, text: '打开登录页面，点击“忘记密码”。' },
  { kind: 'item', number: 2, text: '输入与您的账户关联的电子邮件地址。' },
  { kind: 'item', number: 3, text: '打开来自客服中心的邮件，点击其中的重置链接。' },
  { kind: 'item', number: 4, text: '设置一个至少包含十二个字符的新密码。' },
  {
    kind: 'paragraph',
    text:
      '如果五分钟内没有收到邮件，请检查垃圾邮件文件夹，并确认邮箱地址拼写正确。' +
      '由公司单点登录统一管理的账户，需要由您所在企业的系统管理员重置密码。',
  },
  { kind: 'paragraph', text: '重置完成后，您的账户会在所有设备上退出登录。您已创建的接口密钥仍然有效，直到您在“设置”中将其撤销。' },
];

const priceTable = {
  title: 'Plans and prices',
  header: ['Plan', 'Seats', 'Monthly', 'Yearly'],
  rows: [
    ['Starter', '1', '$9.00', '$90.00'],
    ['Team', '10', '$49.00', '$490.00'],
    ['Business', '50', '$199.00', '$1,990.00'],
    ['Education', '100', '$99.00', '$990.00'],
    ['Enterprise', '250', '$799.00', '$7,990.00'],
  ],
};

const fonts = {
  en: "'DejaVu Sans'",
  zh: "'Noto Sans CJK SC', 'Noto Sans CJK JP', 'Noto Sans CJK'",
};
const cjkFontFile = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';

/** A rendered test picture and the text a perfect reading gives. */
interface Sample {
  name: string;
  resolution: string;
  language: Language;
  width: number;
  height: number;
  png: Uint8Array;
  reference: string;
}

export interface AccuracyRow {
  name: string;
  resolution: string;
  languages: string;
  pixels: string;
  accuracy: number;
  found: number;
  confidence: number;
  quarterTurns: number;
  seconds: number;
  /** CPU time of the whole process (every thread) over the page. */
  cpuSeconds: number;
}

export interface ThroughputRow {
  threads: number;
  pages: number;
  seconds: number;
  pagesPerSecond: number;
  cpuSeconds: number;
}

export interface OcrBenchResult {
  cases: AccuracyRow[];
  pdf: AccuracyRow[];
  throughput: ThroughputRow[];
  languages: AccuracyRow[];
  /**
   * Seconds from a pool's first page to its engines' first answers, the process's RSS
   * then, and the most it reached (sampled every 100 ms) while the pool worked.
   */
  pools: { name: string; startSeconds: number; rssMb: number; peakRssMb: number }[];
  baseRssMb: number;
  peakRssMb: number;
  cores: number;
  /** 1-minute load average before and after: other work on the machine slows the figures. */
  load: { before: number; after: number };
}

const pageTimeoutMs = 120_000;

export async function benchOcr(): Promise<OcrBenchResult> {
  if (!GlobalFonts.families.some(({ family }) => family.startsWith('Noto Sans CJK'))) GlobalFonts.registerFromPath(cjkFontFile, 'Noto Sans CJK SC');
  const samples: Sample[] = [];
  for (const dpi of [150, 300]) {
    const english = renderArticle(englishArticle, 'en', dpi);
    samples.push(await sample('English help article', english, 'en', `${dpi} dpi`, articleText(englishArticle, 'en')));
    samples.push(await sample('English, turned 90° (sideways scan)', rotated(english, 90), 'en', `${dpi} dpi`, articleText(englishArticle, 'en')));
    samples.push(await sample('English, skewed 2°', skewed(english, 2), 'en', `${dpi} dpi`, articleText(englishArticle, 'en')));
    samples.push(await sample('Price table, 4 × 6 with grid', renderTable(dpi), 'en', `${dpi} dpi`, tableText()));
    samples.push(await sample('Simplified Chinese help article', renderArticle(chineseArticle, 'zh', dpi), 'zh', `${dpi} dpi`, articleText(chineseArticle, 'zh')));
  }
  for (const scale of [1, 2]) {
    const { canvas, reference } = renderScreenshot(scale);
    samples.push(await sample('Screenshot, 1280 × 800, 14–16 px UI text', canvas, 'en', `${scale}× (${canvas.width} × ${canvas.height})`, reference));
  }
  await savePictures(samples, process.env.BENCH_OCR_PNG_DIR);
  const english = samples.filter((entry) => entry.language === 'en');
  const pools: OcrBenchResult['pools'] = [];
  const baseRssMb = rssMb();
  const loadBefore = round(loadavg()[0]!, 1);

  // One thread, default languages: every case, one page at a time.
  const cases: AccuracyRow[] = [];
  const pdf: AccuracyRow[] = [];
  const throughput: ThroughputRow[] = [];
  const single = createOcrPool({ concurrency: 1, pageTimeoutMs });
  await withPool(`1 thread, ${ocrLanguages.join('+')}`, single, pools, async () => {
    for (const entry of samples) cases.push(await read(single, entry, ocrLanguages.join('+')));
    pdf.push(...(await readScannedPdf(single, samples.find((entry) => entry.name === 'English help article' && entry.resolution === '150 dpi')!)));
    throughput.push(await readAll(single, english));
  });

  // Two threads: the same English pages, all queued at once.
  const double = createOcrPool({ concurrency: 2, pageTimeoutMs });
  await withPool(`2 threads, ${ocrLanguages.join('+')}`, double, pools, async () => {
    throughput.push(await readAll(double, english));
  });

  // English only: does loading the Chinese model cost English pages anything?
  const languages: AccuracyRow[] = [];
  const englishOnly = createOcrPool({ concurrency: 1, pageTimeoutMs, languages: ['eng'] });
  await withPool('1 thread, eng', englishOnly, pools, async () => {
    for (const entry of english.filter((entry) => entry.name === 'English help article' || entry.name.startsWith('Screenshot'))) {
      languages.push(cases.find((row) => row.name === entry.name && row.resolution === entry.resolution)!);
      languages.push(await read(englishOnly, entry, 'eng'));
    }
  });
  return {
    cases,
    pdf,
    throughput,
    languages,
    pools,
    baseRssMb,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    cores: cpus().length,
    load: { before: loadBefore, after: round(loadavg()[0]!, 1) },
  };
}

/** Starts the pool's threads on a warm-up picture, runs `work`, closes the pool; its figures go to `pools`. */
async function withPool(name: string, recognizer: TextRecognizer, pools: OcrBenchResult['pools'], work: () => Promise<void>): Promise<void> {
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb())), 100);
  try {
    const pool = { name, startSeconds: await warmUp(recognizer, recognizer.concurrency), rssMb: rssMb(), peakRssMb: 0 };
    pools.push(pool);
    await work();
    pool.peakRssMb = Math.max(peak, rssMb());
  } finally {
    clearInterval(sampler);
    await recognizer.close();
  }
}

const rssMb = () => Math.round(process.memoryUsage().rss / 1024 / 1024);

/** Seconds of CPU the process (all its threads) has used. */
const cpuNow = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

async function sample(name: string, canvas: Canvas, language: Language, resolution: string, reference: string): Promise<Sample> {
  return { name, resolution, language, width: canvas.width, height: canvas.height, png: new Uint8Array(await canvas.encode('png')), reference };
}

async function savePictures(samples: readonly Sample[], directory: string | undefined): Promise<void> {
  if (!directory) return;
  await mkdir(directory, { recursive: true });
  for (const [index, entry] of samples.entries()) {
    const name = `${String(index + 1).padStart(2, '0')}-${entry.name}-${entry.resolution}`.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    await writeFile(path.join(directory, `${name}.png`), entry.png);
  }
}

async function read(recognizer: TextRecognizer, entry: Sample, languages: string): Promise<AccuracyRow> {
  const started = performance.now();
  const cpu = cpuNow();
  const recognition = await recognizer.recognize({ kind: 'image', bytes: entry.png }, entry.name);
  const seconds = (performance.now() - started) / 1000;
  const cpuSeconds = cpuNow() - cpu;
  return {
    name: entry.name,
    resolution: entry.resolution,
    languages,
    pixels: `${entry.width} × ${entry.height}`,
    ...score(entry.reference, recognition.text, entry.language),
    confidence: Math.round(recognition.confidence),
    quarterTurns: recognition.quarterTurns,
    seconds: round(seconds, 2),
    cpuSeconds: round(cpuSeconds, 2),
  };
}

/** Starts every thread's engine with a small picture each; returns the seconds that took. */
async function warmUp(recognizer: TextRecognizer, threads: number): Promise<number> {
  const canvas = createCanvas(600, 120);
  const context = canvas.getContext('2d');
  context.fillStyle = '#fff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.fillStyle = '#000';
  context.font = `40px ${fonts.en}`;
  context.fillText('Warming up the engine', 20, 75);
  const job: OcrJob = { kind: 'image', bytes: new Uint8Array(await canvas.encode('png')) };
  const started = performance.now();
  await Promise.all(Array.from({ length: threads }, (_, index) => recognizer.recognize(job, `warm-up ${index + 1}`)));
  return round((performance.now() - started) / 1000, 2);
}

/**
 * Five pages, each the 150-dpi English page as a full-page PNG (as a scanner makes
 * them), read through `{ kind: 'pdf_page' }`: pdf.js renders each at 300 dpi first.
 */
async function readScannedPdf(recognizer: TextRecognizer, page: Sample): Promise<AccuracyRow[]> {
  const pdf = await PDFDocument.create();
  const image = await pdf.embedPng(page.png);
  for (let index = 0; index < 5; index++) {
    pdf.addPage([612, 792]).drawImage(image, { x: 0, y: 0, width: 612, height: 792 });
  }
  const bytes = await pdf.save();
  const rows: AccuracyRow[] = [];
  for (let number = 1; number <= 5; number++) {
    const started = performance.now();
    const cpu = cpuNow();
    const recognition = await recognizer.recognize({ kind: 'pdf_page', pdf: bytes, page: number }, `page ${number} of scan.pdf`);
    rows.push({
      name: `Scanned PDF, page ${number}`,
      resolution: '150 dpi scan, rendered at 300 dpi',
      languages: ocrLanguages.join('+'),
      pixels: '2550 × 3300',
      ...score(page.reference, recognition.text, 'en'),
      confidence: Math.round(recognition.confidence),
      quarterTurns: recognition.quarterTurns,
      seconds: round((performance.now() - started) / 1000, 2),
      cpuSeconds: round(cpuNow() - cpu, 2),
    });
  }
  return rows;
}

/** Every picture queued at once on a warmed pool: pages per second of wall time. */
async function readAll(recognizer: TextRecognizer, samples: readonly Sample[]): Promise<ThroughputRow> {
  const started = performance.now();
  const cpu = cpuNow();
  await Promise.all(samples.map((entry) => recognizer.recognize({ kind: 'image', bytes: entry.png }, entry.name)));
  const seconds = (performance.now() - started) / 1000;
  return {
    threads: recognizer.concurrency,
    pages: samples.length,
    seconds: round(seconds, 1),
    pagesPerSecond: round(samples.length / seconds, 3),
    cpuSeconds: round(cpuNow() - cpu, 1),
  };
}

// ---------------------------------------------------------------------------------------
// Scoring

function score(reference: string, output: string, language: Language): { accuracy: number; found: number } {
  const expected = normalise(reference, language);
  const actual = normalise(recognizedParagraphs(output).join(' '), language);
  const accuracy = Math.max(0, 1 - levenshtein([...expected], [...actual]) / [...expected].length);
  const units = (text: string) => (language === 'zh' ? [...text].filter((char) => /[\p{L}\p{N}]/u.test(char)) : text.split(' ').filter(Boolean));
  const available = new Map<string, number>();
  for (const unit of units(actual)) available.set(unit, (available.get(unit) ?? 0) + 1);
  let found = 0;
  const wanted = units(expected);
  for (const unit of wanted) {
    const left = available.get(unit) ?? 0;
    if (left > 0) {
      found += 1;
      available.set(unit, left - 1);
    }
  }
  return { accuracy: round(accuracy, 3), found: round(found / Math.max(1, wanted.length), 3) };
}

const asciiPunctuation: Record<string, string> = {
  '\u3000': ' ', '。': '.', '、': ',', '“': '"', '”': '"', '‘': "'", '’': "'", '《': '<', '》': '>', '「': '"', '」': '"', '—': '-', '–': '-', '…': '...',
};

/** Full-width forms to ASCII, typographic quotes and dashes to plain ones, whitespace collapsed (removed for Chinese). */
export function normalise(text: string, language: Language): string {
  const mapped = [...text.normalize('NFC')]
    .map((char) => {
      const code = char.codePointAt(0)!;
      if (code >= 0xff01 && code <= 0xff5e) return String.fromCodePoint(code - 0xfee0);
      return asciiPunctuation[char] ?? char;
    })
    .join('');
  return language === 'zh' ? mapped.replace(/\s+/gu, '') : mapped.replace(/\s+/gu, ' ').trim();
}

/** Edit distance over code points, two rows of the O(n·m) table. */
export function levenshtein(a: readonly string[], b: readonly string[]): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
    }
    [previous, current] = [current, previous];
  }
  return previous[b.length]!;
}

// ---------------------------------------------------------------------------------------
// Pages

/** The text of an article as it reads: heading, paragraphs, numbered items "1. …". */
function articleText(blocks: readonly Block[], language: Language): string {
  return blocks.map((block) => (block.kind === 'item' ? `${block.number}. ${block.text}` : block.text)).join(language === 'zh' ? '' : ' ');
}

/** A US-letter page: 1-inch margins, an 18-pt bold heading, 11-pt body text at 1.45 line spacing. */
function renderArticle(blocks: readonly Block[], language: Language, dpi: number): Canvas {
  const { canvas, context } = letterPage(dpi);
  const point = dpi / 72;
  const margin = dpi;
  const width = canvas.width - 2 * margin;
  let y = margin;
  for (const [index, block] of blocks.entries()) {
    const size = (block.kind === 'heading' ? 18 : 11) * point;
    context.font = `${block.kind === 'heading' ? 'bold ' : ''}${Math.round(size)}px ${fonts[language]}`;
    const indent = block.kind === 'item' ? 0.3 * dpi : 0;
    if (block.kind === 'item') context.fillText(`${block.number}.`, margin, y + size);
    for (const line of wrap(context, block.text, width - indent, language)) {
      context.fillText(line, margin + indent, y + size);
      y += size * 1.45;
    }
    y += block.kind === 'item' && blocks[index + 1]?.kind === 'item' ? size * 0.25 : size * 0.8;
  }
  return canvas;
}

/** Greedy line filling: at spaces for English, between any two characters for Chinese. */
function wrap(context: SKRSContext2D, text: string, width: number, language: Language): string[] {
  const units = language === 'zh' ? [...text] : text.split(' ');
  const joiner = language === 'zh' ? '' : ' ';
  const lines: string[] = [];
  let line = '';
  for (const unit of units) {
    const candidate = line === '' ? unit : line + joiner + unit;
    if (line !== '' && context.measureText(candidate).width > width) {
      lines.push(line);
      line = unit;
    } else {
      line = candidate;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

function letterPage(dpi: number): { canvas: Canvas; context: SKRSContext2D } {
  const canvas = createCanvas(Math.round(8.5 * dpi), Math.round(11 * dpi));
  const context = canvas.getContext('2d');
  context.fillStyle = '#fff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.fillStyle = '#111';
  context.textBaseline = 'alphabetic';
  return { canvas, context };
}

/** The page's pixels turned a quarter (clockwise), as a page fed into the scanner sideways. */
function rotated(page: Canvas, degrees: 90): Canvas {
  const canvas = createCanvas(page.height, page.width);
  const context = canvas.getContext('2d');
  context.translate(canvas.width, 0);
  context.rotate((degrees * Math.PI) / 180);
  context.drawImage(page, 0, 0);
  return canvas;
}

/** The page turned a little about its centre on a white sheet of the same size: a crooked scan. */
function skewed(page: Canvas, degrees: number): Canvas {
  const canvas = createCanvas(page.width, page.height);
  const context = canvas.getContext('2d');
  context.fillStyle = '#fff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.translate(canvas.width / 2, canvas.height / 2);
  context.rotate((degrees * Math.PI) / 180);
  context.drawImage(page, -page.width / 2, -page.height / 2);
  return canvas;
}

function tableText(): string {
  return [priceTable.title, ...priceTable.header, ...priceTable.rows.flat()].join(' ');
}

/** A heading, then the price table: header row in bold, 1-pt grid lines, cells padded. */
function renderTable(dpi: number): Canvas {
  const { canvas, context } = letterPage(dpi);
  const point = dpi / 72;
  const margin = dpi;
  const size = 11 * point;
  context.font = `bold ${Math.round(18 * point)}px ${fonts.en}`;
  context.fillText(priceTable.title, margin, margin + 18 * point);
  const top = margin + 40 * point;
  const columns = [2.2, 1.2, 1.5, 1.6].map((inches) => inches * dpi);
  const rowHeight = size * 2.2;
  const rows = [priceTable.header, ...priceTable.rows];
  context.lineWidth = Math.max(1, point);
  context.strokeStyle = '#111';
  const tableWidth = columns.reduce((sum, column) => sum + column, 0);
  for (let row = 0; row <= rows.length; row++) {
    context.beginPath();
    context.moveTo(margin, top + row * rowHeight);
    context.lineTo(margin + tableWidth, top + row * rowHeight);
    context.stroke();
  }
  let x = margin;
  for (const column of [0, ...columns]) {
    x += column;
    context.beginPath();
    context.moveTo(x, top);
    context.lineTo(x, top + rows.length * rowHeight);
    context.stroke();
  }
  rows.forEach((cells, row) => {
    context.font = `${row === 0 ? 'bold ' : ''}${Math.round(size)}px ${fonts.en}`;
    let left = margin;
    cells.forEach((cell, column) => {
      context.fillText(cell, left + 0.12 * dpi, top + row * rowHeight + rowHeight / 2 + size * 0.35);
      left += columns[column]!;
    });
  });
  return canvas;
}

/**
 * An app's settings screen: a top bar with the product name and navigation, a white card
 * with a title, three checkbox labels, a note and two buttons (one white on blue), on
 * light grey. `scale` 2 is the same screen from a HiDPI display.
 */
function renderScreenshot(scale: number): { canvas: Canvas; reference: string } {
  const canvas = createCanvas(1280 * scale, 800 * scale);
  const context = canvas.getContext('2d');
  context.scale(scale, scale);
  const texts: string[] = [];
  const text = (value: string, x: number, y: number, font: string, color: string) => {
    context.font = `${font} ${fonts.en}`;
    context.fillStyle = color;
    context.fillText(value, x, y);
    texts.push(value);
  };
  context.fillStyle = '#f3f4f6';
  context.fillRect(0, 0, 1280, 800);
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, 1280, 56);
  context.fillStyle = '#e5e7eb';
  context.fillRect(0, 56, 1280, 1);
  text('Acme Help Desk', 24, 35, 'bold 18px', '#111827');
  text('Inbox', 260, 34, '15px', '#374151');
  text('Reports', 340, 34, '15px', '#374151');
  text('Settings', 436, 34, '15px', '#2563eb');
  text('Dana Lee', 1160, 34, '15px', '#374151');
  context.fillStyle = '#ffffff';
  context.fillRect(240, 104, 800, 520);
  context.strokeStyle = '#d1d5db';
  context.lineWidth = 1;
  context.strokeRect(240.5, 104.5, 800, 520);
  text('Notification settings', 280, 160, 'bold 22px', '#111827');
  text('Choose which emails you receive about tickets.', 280, 194, '15px', '#4b5563');
  const options = [
    ['Email me when a ticket is assigned to me', true],
    ['Send a daily summary at 9:00 AM', false],
    ['Notify me about mentions in internal notes', true],
  ] as const;
  options.forEach(([label, checked], index) => {
    const y = 250 + index * 56;
    context.fillStyle = checked ? '#2563eb' : '#ffffff';
    context.fillRect(280, y - 15, 18, 18);
    context.strokeStyle = checked ? '#2563eb' : '#9ca3af';
    context.strokeRect(280.5, y - 14.5, 17, 17);
    text(label, 314, y, '16px', '#111827');
  });
  text('Changes apply to all of your workspaces.', 280, 440, '14px', '#6b7280');
  context.fillStyle = '#e5e7eb';
  context.fillRect(760, 540, 110, 40);
  text('Cancel', 790, 566, '15px', '#111827');
  context.fillStyle = '#2563eb';
  context.fillRect(884, 540, 136, 40);
  text('Save changes', 900, 566, 'bold 15px', '#ffffff');
  text('Last saved 2 minutes ago by Dana Lee', 280, 600, '14px', '#6b7280');
  return { canvas, reference: texts.join(' ') };
}

// ---------------------------------------------------------------------------------------
// Output

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

function accuracyTable(rows: readonly AccuracyRow[], withLanguages = false): string {
  const header = `| case | resolution | pixels |${withLanguages ? ' languages |' : ''} accuracy | found | confidence | turns | s/page | CPU s |`;
  const rule = `|---|---|---|${withLanguages ? '---|' : ''}---|---|---|---|---|---|`;
  const lines = rows.map(
    (row) =>
      `| ${row.name} | ${row.resolution} | ${row.pixels} |${withLanguages ? ` ${row.languages} |` : ''} ${percent(row.accuracy)} | ${percent(row.found)} | ` +
      `${row.confidence} | ${row.quarterTurns} | ${row.seconds.toFixed(2)} | ${row.cpuSeconds.toFixed(2)} |`,
  );
  return [header, rule, ...lines].join('\n');
}

export function formatOcrResult(result: OcrBenchResult): string {
  const pdfSeconds = result.pdf.reduce((sum, row) => sum + row.seconds, 0) / Math.max(1, result.pdf.length);
  const pdfAccuracy = result.pdf.reduce((sum, row) => sum + row.accuracy, 0) / Math.max(1, result.pdf.length);
  const pools = result.pools.map((pool) => `${pool.name}: ${pool.startSeconds} s, RSS ${pool.rssMb} MB, at most ${pool.peakRssMb} MB while reading`).join('; ');
  return [
    `## Accuracy and time per page (1 thread, languages ${ocrLanguages.join('+')})\n`,
    accuracyTable(result.cases),
    '\n"found": share of the reference\'s words (Chinese: characters) present anywhere in the output; "turns": quarter turns the reading needed.',
    '\n## Scanned PDF: 5 pages of the 150-dpi English page, rendered (300 dpi) and read per page\n',
    accuracyTable(result.pdf),
    `\nMean: ${pdfSeconds.toFixed(2)} s/page (render + recognise), accuracy ${percent(pdfAccuracy)}.`,
    '\n## Throughput over the English set (every non-Chinese case above, both resolutions)\n',
    '| threads | pages | seconds | pages/s | CPU s |',
    '|---|---|---|---|---|',
    ...result.throughput.map((row) => `| ${row.threads} | ${row.pages} | ${row.seconds} | ${row.pagesPerSecond} | ${row.cpuSeconds} |`),
    '\n## English with and without the Chinese model\n',
    accuracyTable(result.languages, true),
    `\nPool start (threads, engines and models, read on a small warm-up picture): ${pools}. RSS before any pool: ${result.baseRssMb} MB; peak: ${result.peakRssMb} MB.`,
    `Machine: ${result.cores} cores; 1-minute load average ${result.load.before} before, ${result.load.after} after. "CPU s": CPU time of the whole process, every thread.`,
  ].join('\n');
}

if (process.argv[1] !== undefined && import.meta.filename === path.resolve(process.argv[1])) {
  const started = performance.now();
  console.log(formatOcrResult(await benchOcr()));
  console.log(`\nBench time: ${((performance.now() - started) / 1000).toFixed(0)} s.`);
}
