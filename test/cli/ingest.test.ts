import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres, quoteIdentifier, type Database } from '../../src/db/index.ts';
import { openPglite } from '../../src/db/pglite.ts';
import { backendSelected, testDatabaseUrl, uniqueName, withAdminClient } from '../helpers/databases.ts';
import { pdfOfPages, scannedPage, textImage } from '../helpers/ocr-fixtures.ts';
import { flateBombPdf, pageTreePdf, repeatedText } from '../helpers/poison-files.ts';

const binary = path.resolve('bin/oriole.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function oriole(args: string[], environment: Record<string, string>, killAfterLines?: number): Promise<Run> {
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [binary, ...args], {
      env: { ...inherited, ORIOLE_LOG_LEVEL: 'warn', ORIOLE_EMBEDDER: 'none', ...environment },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => {
      stdout += data.toString();
      // kill -9 in the middle of a run: no chance to finish a transaction or clean up.
      if (killAfterLines !== undefined && stdout.split('\n').length > killAfterLines) child.kill('SIGKILL');
    });
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface Target {
  name: string;
  environment: Record<string, string>;
  setUp(): Promise<void>;
  open(): Promise<Database>;
  tearDown(): Promise<void>;
}

function pgliteTarget(): Target {
  const target: Target = {
    name: 'pglite',
    environment: {},
    async setUp() {
      target.environment.ORIOLE_DATA_DIR = await mkdtemp(path.join(tmpdir(), 'oriole-ingest-cli-'));
    },
    open: () => openPglite({ dataDir: target.environment.ORIOLE_DATA_DIR! }),
    tearDown: () => rm(target.environment.ORIOLE_DATA_DIR!, { recursive: true, force: true }),
  };
  return target;
}

function postgresTarget(url: string): Target {
  const database = uniqueName('oriole_ingest_cli');
  const target = new URL(url);
  target.pathname = `/${database}`;
  return {
    name: 'postgres',
    environment: { DATABASE_URL: target.toString() },
    async setUp() {
      await withAdminClient(url, (client) => client.query(`CREATE DATABASE ${quoteIdentifier(database)}`));
    },
    open: async () => openPostgres({ url: target.toString() }),
    async tearDown() {
      await withAdminClient(url, (client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(database)} WITH (FORCE)`));
    },
  };
}

const targets = [
  ...(backendSelected('pglite') ? [pgliteTarget()] : []),
  ...(backendSelected('postgres') ? [postgresTarget(testDatabaseUrl!)] : []),
];

describe.each(targets)('oriole ingest on $name', { timeout: 180_000 }, (target) => {
  let corpus: string;
  beforeAll(async () => {
    await target.setUp();
    corpus = await mkdtemp(path.join(tmpdir(), 'oriole-corpus-'));
    // Enough articles that a kill lands mid-run.
    for (let index = 0; index < 120; index++) {
      const folder = path.join(corpus, `section-${index % 6}`);
      await mkdir(folder, { recursive: true });
      await writeFile(
        path.join(folder, `article-${index}.md`),
        `# Article ${index}\n\n## Overview\n\n${'This article explains feature number ' + index + '. '.repeat(1)}`.repeat(1) +
          `\n\n${Array.from({ length: 12 }, (_, line) => `Step ${line + 1} of setting up feature ${index}: open the console and press the button labelled ${line}.`).join(' ')}\n`,
      );
    }
  });
  afterAll(async () => {
    await target.tearDown();
    await rm(corpus, { recursive: true, force: true });
  });

  it('ingests the sample help docs, then finds them unchanged', async () => {
    const first = await oriole(['ingest', 'test/fixtures/help-docs', '--kb', 'help'], target.environment);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Ingested into 'help': [1-9]\d* added, 0 updated, 0 unchanged, 0 deleted, 0 failed/);
    const second = await oriole(['ingest', 'test/fixtures/help-docs', '--kb', 'help'], target.environment);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/0 added, 0 updated, [1-9]\d* unchanged, 0 deleted, 0 failed/);
    expect(second.stdout).toContain('0 embedded');
  });

  it('exits 1 when a file fails, naming it, while the others land', async () => {
    const run = await oriole(['ingest', 'test/fixtures/broken/corrupt.pdf', 'test/fixtures/help-docs/getting-started.md', '--kb', 'mixed'], target.environment);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('failed: corrupt.pdf');
    expect(run.stdout).toMatch(/1 added, .* 1 failed/);
  });

  it('skips an empty file with the reason and exits 0', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'oriole-empty-file-'));
    await writeFile(path.join(folder, 'empty.md'), '');
    await writeFile(path.join(folder, 'article.md'), '# Article\n\nSome text worth finding.\n');
    try {
      const run = await oriole(['ingest', folder, '--kb', 'with-empty'], target.environment);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/1 added, 0 updated, 0 unchanged, 0 deleted, 0 failed, 1 skipped/);
      expect(run.stdout).toContain('Skipped, no text to index: empty.md');
      expect(run.stdout).not.toContain('OCR');
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('ingests the Excel price list and the PowerPoint deck itself; a legacy .doc is skipped in a folder and fails, saying what to do, when named', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'oriole-office-'));
    const legacy = path.join(folder, 'old-terms.doc');
    try {
      await copyFile('examples/help-center/billing/price-list-2026.xlsx', path.join(folder, 'price-list-2026.xlsx'));
      await copyFile('examples/help-center/sdk/onboarding-webinar.pptx', path.join(folder, 'onboarding-webinar.pptx'));
      await writeFile(legacy, new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, ...new Array(504).fill(0)]));
      const run = await oriole(['ingest', folder, '--kb', 'office'], target.environment);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/Ingested into 'office': 2 added, 0 updated, 0 unchanged, 0 deleted, 0 failed, 1 skipped/);
      expect(run.stdout).toContain('Skipped, not a supported document type: old-terms.doc');
      const named = await oriole(['ingest', legacy, '--kb', 'office'], target.environment);
      expect(named.code).toBe(1);
      expect(named.stderr).toContain(
        'failed: old-terms.doc: old-terms.doc is application/msword, which Oriole cannot parse: a Word 97–2003 file (.doc); save it as .docx, or set UNSTRUCTURED_API_URL',
      );
      const database = await target.open();
      try {
        const chunks = await database.query<{ source: string; heading_path: string[]; metadata: { pages?: number[] } }>(
          `SELECT d.source, c.heading_path, c.metadata FROM chunks c JOIN documents d ON d.id = c.document_id
             JOIN knowledge_bases kb ON kb.id = d.kb_id WHERE kb.name = 'office' ORDER BY d.source, c.ordinal`,
        );
        const deck = chunks.rows.filter((row) => row.source === 'onboarding-webinar.pptx');
        expect(deck.map((row) => row.metadata.pages)).toEqual([[1], [2], [3], [4], [5], [5], [6]]);
        const sheets = chunks.rows.filter((row) => row.source === 'price-list-2026.xlsx').map((row) => row.heading_path);
        expect(sheets).toEqual([['Plans'], ['Add-ons'], ['Price changes']]);
      } finally {
        await database.close();
      }
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('reads scanned PDFs and screenshots with OCR; with ORIOLE_OCR=off the scan fails saying why and the image is skipped', { timeout: 240_000 }, async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'oriole-ocr-'));
    try {
      await writeFile(path.join(folder, 'signed-policy.pdf'), await pdfOfPages([{ image: scannedPage(['Signed refund policy', 'Refunds for annual plans are prorated to the day.']) }]));
      await writeFile(path.join(folder, 'quiet-hours.png'), textImage(['Turn on quiet hours to mute push alerts between 22:00 and 07:00.']));
      await writeFile(path.join(folder, 'article.md'), '# Notifications\n\nPush alerts can be muted.\n');
      const off = await oriole(['ingest', folder, '--kb', 'scans'], { ...target.environment, ORIOLE_OCR: 'off' });
      expect(off.code).toBe(1);
      expect(off.stderr).toContain('failed: signed-policy.pdf: signed-policy.pdf contains no text to index (its pages are images: with ORIOLE_OCR=off they are not read)');
      expect(off.stdout).toMatch(/Ingested into 'scans': 1 added, 0 updated, 0 unchanged, 0 deleted, 1 failed, 1 skipped/);
      expect(off.stdout).toContain('Skipped, not a supported document type: quiet-hours.png');
      const on = await oriole(['ingest', folder, '--kb', 'scans'], target.environment, undefined);
      expect(on.stderr).toBe('');
      expect(on.code).toBe(0);
      // The OCR mode is part of every document's fingerprint: the article is parsed again (its vectors would be reused).
      expect(on.stdout).toMatch(/Ingested into 'scans': 2 added, 1 updated, 0 unchanged, 0 deleted, 0 failed, 0 skipped/);
      const found = await oriole(['search', 'annual plans prorated', '--kb', 'scans'], target.environment);
      expect(found.stdout).toMatch(/1\.\s+\S+\s+signed-policy\.pdf/);
      const screenshot = await oriole(['search', 'mute push alerts quiet hours', '--kb', 'scans'], target.environment);
      expect(screenshot.stdout).toMatch(/1\.\s+\S+\s+quiet-hours\.png/);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('parses in worker threads within the configured budgets: poison files fail, the others land', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'oriole-poison-'));
    try {
      await writeFile(path.join(folder, 'quotes.md'), repeatedText('>', 1024 * 1024));
      await writeFile(path.join(folder, 'bomb.pdf'), await flateBombPdf(100 * 1024 * 1024));
      await writeFile(path.join(folder, 'pages.pdf'), pageTreePdf(1_000));
      await writeFile(path.join(folder, 'fine.md'), '# Fine\n\nAn ordinary article.\n');
      const run = await oriole(['ingest', folder, '--kb', 'poison'], {
        ...target.environment,
        ORIOLE_PARSE_TIMEOUT_MS: '3000',
        ORIOLE_PARSE_MAX_HEAP_MB: '128',
        ORIOLE_MAX_DECOMPRESSED_MB: '20',
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('failed: quotes.md: quotes.md took longer than 3000 ms to parse (ORIOLE_PARSE_TIMEOUT_MS)');
      expect(run.stderr).toContain('failed: bomb.pdf: bomb.pdf inflates to more than the 20 MB allowed (ORIOLE_MAX_DECOMPRESSED_MB)');
      expect(run.stderr).toContain('failed: pages.pdf: pages.pdf claims 1000000 pages');
      expect(run.stdout).toMatch(/Ingested into 'poison': 1 added, .* 3 failed/);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('leaves no duplicate or half-written document after kill -9, and the rerun repairs it', async () => {
    const killed = await oriole(['ingest', corpus, '--kb', 'crash', '--verbose'], target.environment, 15);
    expect(killed.code).toBeNull();
    expect(killed.stdout).not.toContain('Ingested into');

    const rerun = await oriole(['ingest', corpus, '--kb', 'crash'], target.environment);
    expect(rerun.code).toBe(0);
    const [, added, unchanged] = /(\d+) added, 0 updated, (\d+) unchanged/.exec(rerun.stdout) ?? [];
    expect(Number(added) + Number(unchanged)).toBe(120);
    expect(Number(unchanged)).toBeGreaterThanOrEqual(14);

    const database = await target.open();
    try {
      const documents = await database.query<{ n: string; ready: string; hashed: string }>(
        `SELECT count(*) AS n, count(*) FILTER (WHERE status = 'ready') AS ready, count(content_hash) AS hashed
           FROM documents d JOIN knowledge_bases kb ON kb.id = d.kb_id WHERE kb.name = 'crash'`,
      );
      expect(documents.rows[0]).toEqual({ n: '120', ready: '120', hashed: '120' });
      const inconsistent = await database.query(
        `SELECT d.source FROM documents d
           LEFT JOIN chunks c ON c.document_id = d.id
          GROUP BY d.id, d.source, d.chunk_count
         HAVING count(c.id) <> d.chunk_count OR count(c.id) = 0`,
      );
      expect(inconsistent.rows).toEqual([]);
      const duplicates = await database.query(
        `SELECT document_id, ordinal FROM chunks GROUP BY document_id, ordinal HAVING count(*) > 1`,
      );
      expect(duplicates.rows).toEqual([]);
    } finally {
      await database.close();
    }
  });
});
