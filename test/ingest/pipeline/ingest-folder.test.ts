import { appendFile, cp, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectInputs, ingestInputs, planInputs, type IngestContext } from '../../../ingest/pipeline/index.ts';
import { ensureKnowledgeBase, searchLexical, type Database, type KnowledgeBase } from '../../../src/db/index.ts';
import { createEmbedder } from '../../../src/embedders/index.ts';
import { lexicalTerms } from '../../../src/retrieval/lexical/index.ts';
import { openMigrated, testBackends } from '../../helpers/databases.ts';
import { copyOfHelpDocs, countingEmbedder, testCollectDependencies, testIngestContext } from '../../helpers/ingestion.ts';
import { writeTinyBertModel } from '../../helpers/tiny-bert-model.ts';

const modelId = 'oriole-test/tiny-bert';

describe.each(testBackends())('ingesting a folder on $name', (backend) => {
  let database: Database;
  let folder: string;
  let modelsDir: string;
  let context: IngestContext;
  let embedder: Awaited<ReturnType<typeof countingEmbedder>>;
  let kb: KnowledgeBase;

  const ingest = async (options: { prune?: boolean; targets?: string[] } = {}) => {
    const plan = await planInputs(options.targets ?? [folder]);
    return ingestInputs(context, kb, collectInputs(plan, testCollectDependencies(), {}), { prune: Boolean(options.prune) });
  };
  const documentCount = async () =>
    Number((await database.query<{ n: string }>('SELECT count(*) AS n FROM documents WHERE kb_id = $1', [kb.id])).rows[0]!.n);

  beforeAll(async () => {
    database = await openMigrated(backend);
    folder = await copyOfHelpDocs();
    modelsDir = await mkdtemp(path.join(tmpdir(), 'oriole-models-'));
    await writeTinyBertModel(modelsDir, modelId);
    const tiny = await createEmbedder(`transformers:${modelId}`, { modelsDir });
    embedder = countingEmbedder(tiny!);
    context = testIngestContext(database, embedder);
    kb = await ensureKnowledgeBase(database, { name: 'help', embedder: embedder.id });
  });
  afterAll(async () => {
    await backend.cleanup();
    await rm(folder, { recursive: true, force: true });
    await rm(modelsDir, { recursive: true, force: true });
  });

  it('lands every supported file, with chunks, vectors and lexical postings', async () => {
    const summary = await ingest();
    expect(summary.failures).toEqual([]);
    expect(summary.added).toBeGreaterThanOrEqual(6);
    expect(summary.chunks).toBeGreaterThan(summary.added);
    expect(summary.embedded).toBeGreaterThan(0);
    const sources = await database.query<{ source: string; content_type: string; status: string }>(
      'SELECT source, content_type, status FROM documents WHERE kb_id = $1 ORDER BY source',
      [kb.id],
    );
    expect(sources.rows.map((row) => row.source)).toEqual(
      expect.arrayContaining(['account/reset-password.pdf', 'billing/refunds.html', 'getting-started.md', 'sdk/setup.docx']),
    );
    expect(sources.rows.every((row) => row.status === 'ready')).toBe(true);
    const missingVectors = await database.query<{ n: string }>(
      'SELECT count(*) AS n FROM chunks WHERE kb_id = $1 AND embedding IS NULL',
      [kb.id],
    );
    expect(Number(missingVectors.rows[0]!.n)).toBe(0);
    const found = await searchLexical(database, { kbId: kb.id, terms: lexicalTerms('refund'), limit: 3 });
    expect(found.length).toBeGreaterThan(0);
  });

  it('reports everything unchanged on a second run and embeds nothing', async () => {
    const before = embedder.embeddedTexts.length;
    const version = await kbVersion(database, kb.id);
    const summary = await ingest();
    expect(summary).toMatchObject({ added: 0, updated: 0, deleted: 0, failed: 0, embedded: 0 });
    expect(summary.unchanged).toBeGreaterThanOrEqual(6);
    expect(embedder.embeddedTexts.length).toBe(before);
    expect(await kbVersion(database, kb.id)).toBe(version);
  });

  it('updates only the edited document and re-embeds only its changed chunks', async () => {
    await appendFile(path.join(folder, 'getting-started.md'), '\n\n## Uninstalling\n\nRemove the SDK package and its configuration file.\n');
    const before = embedder.embeddedTexts.length;
    const version = await kbVersion(database, kb.id);
    const summary = await ingest();
    expect(summary).toMatchObject({ added: 0, updated: 1, failed: 0 });
    const newlyEmbedded = embedder.embeddedTexts.slice(before);
    expect(newlyEmbedded.length).toBeGreaterThan(0);
    expect(newlyEmbedded.length).toBeLessThan(summary.chunks);
    expect(newlyEmbedded.some((text) => text.includes('Uninstalling') || text.includes('Remove the SDK'))).toBe(true);
    expect(await kbVersion(database, kb.id)).toBe(version + 1);
  });

  it('removes a deleted file from search with --prune', async () => {
    await unlink(path.join(folder, 'billing/refunds.html'));
    const withoutPrune = await ingest();
    expect(withoutPrune.deleted).toBe(0);
    const count = await documentCount();
    const pruned = await ingest({ prune: true });
    expect(pruned.deleted).toBe(1);
    expect(await documentCount()).toBe(count - 1);
    const stillThere = await database.query(
      `SELECT 1 FROM documents WHERE kb_id = $1 AND source = 'billing/refunds.html'`,
      [kb.id],
    );
    expect(stillThere.rowCount).toBe(0);
  });

  it('reports a corrupt file as failed while the others land', async () => {
    const mixed = await copyOfHelpDocs();
    await cp(path.resolve('test/fixtures/broken/corrupt.pdf'), path.join(mixed, 'broken-manual.pdf'));
    const other = await ensureKnowledgeBase(database, { name: 'mixed', embedder: embedder.id });
    const plan = await planInputs([mixed]);
    const summary = await ingestInputs(context, other, collectInputs(plan, testCollectDependencies(), {}), { prune: false });
    expect(summary.failed).toBe(1);
    expect(summary.failures[0]).toMatchObject({ source: 'broken-manual.pdf' });
    expect(summary.failures[0]!.message).toMatch(/PDF/i);
    expect(summary.added).toBeGreaterThanOrEqual(6);
    await rm(mixed, { recursive: true, force: true });
  });

  it('skips files with no text, saying why, and still fails a PDF without a text layer when OCR is not there to read it', async () => {
    const mixed = await mkdtemp(path.join(tmpdir(), 'oriole-textless-'));
    await writeFile(path.join(mixed, 'empty.md'), '');
    await writeFile(path.join(mixed, 'blank.txt'), ' \n\t\n   \n');
    // A docs page that only renders a component has no text of its own: skipped, never a failed ingest.
    await writeFile(path.join(mixed, 'playground.mdx'), "import Playground from '@site/src/Playground';\n\n<Playground />\n");
    await writeFile(path.join(mixed, 'real.md'), '# Real\n\nThis article has text to index.\n');
    const scan = await PDFDocument.create();
    scan.addPage([595, 842]);
    await writeFile(path.join(mixed, 'scan.pdf'), await scan.save());
    const other = await ensureKnowledgeBase(database, { name: 'textless', embedder: embedder.id });
    const plan = await planInputs([mixed]);

    const summary = await ingestInputs(context, other, collectInputs(plan, testCollectDependencies(), {}), { prune: false });

    expect(summary).toMatchObject({ added: 1, skipped: 3, failed: 1 });
    expect(summary.skips).toEqual([
      { source: 'blank.txt', reason: 'no text to index' },
      { source: 'empty.md', reason: 'no text to index' },
      { source: 'playground.mdx', reason: 'no text to index' },
    ]);
    expect(summary.failures).toEqual([{ source: 'scan.pdf', message: expect.stringContaining('its pages are images: with ORIOLE_OCR=off they are not read') }]);
    const stored = await database.query<{ source: string }>('SELECT source FROM documents WHERE kb_id = $1 ORDER BY source', [other.id]);
    expect(stored.rows.map((row) => row.source)).toEqual(['real.md']);
    await rm(mixed, { recursive: true, force: true });
  });

  it('removes with --prune what a file held before it was emptied', async () => {
    const emptied = await mkdtemp(path.join(tmpdir(), 'oriole-emptied-'));
    await writeFile(path.join(emptied, 'kept.md'), '# Kept\n\nThis article stays.\n');
    await writeFile(path.join(emptied, 'emptied.md'), '# Emptied\n\nThis article goes.\n');
    const other = await ensureKnowledgeBase(database, { name: 'emptied', embedder: embedder.id });
    const run = async () =>
      ingestInputs(context, other, collectInputs(await planInputs([emptied]), testCollectDependencies(), {}), { prune: true });
    expect(await run()).toMatchObject({ added: 2, skipped: 0 });

    await writeFile(path.join(emptied, 'emptied.md'), '');
    const second = await run();

    expect(second).toMatchObject({ unchanged: 1, skipped: 1, deleted: 1, failed: 0 });
    const stored = await database.query<{ source: string }>('SELECT source FROM documents WHERE kb_id = $1', [other.id]);
    expect(stored.rows.map((row) => row.source)).toEqual(['kept.md']);
    await rm(emptied, { recursive: true, force: true });
  });

  it('refuses to prune everything when nothing was found', async () => {
    const empty = await mkdtemp(path.join(tmpdir(), 'oriole-empty-'));
    await expect(ingest({ targets: [empty], prune: true })).rejects.toMatchObject({ code: 'invalid_request' });
    expect(await documentCount()).toBeGreaterThan(0);
    await rm(empty, { recursive: true, force: true });
  });
});

async function kbVersion(database: Database, kbId: string): Promise<number> {
  const result = await database.query<{ version: string }>('SELECT version FROM knowledge_bases WHERE id = $1', [kbId]);
  return Number(result.rows[0]!.version);
}

describe('which files of a folder are documents', () => {
  const supports = () => true;
  it('takes documents and .txt or extensionless text, and leaves scripts and data alone', async () => {
    const { isDocumentFile } = await import('../../../ingest/pipeline/index.ts');
    expect(isDocumentFile('guide.md', 'text/markdown', supports)).toBe(true);
    expect(isDocumentFile('manual.pdf', 'application/pdf', supports)).toBe(true);
    expect(isDocumentFile('notes.txt', 'text/plain', supports)).toBe(true);
    expect(isDocumentFile('README', 'text/plain', supports)).toBe(true);
    expect(isDocumentFile('scripts/build.ts', 'text/plain', supports)).toBe(false);
    expect(isDocumentFile('config.yaml', 'text/plain', supports)).toBe(false);
    expect(isDocumentFile('logo.png', 'image/png', () => false)).toBe(false);
    expect(isDocumentFile('blob.bin', null, supports)).toBe(false);
  });
});
