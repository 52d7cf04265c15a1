import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliTargets, oriole } from '../helpers/cli.ts';

const sample = path.resolve('examples/help-center/billing');

describe.each(cliTargets('oriole_cli_curated'))('oriole curated import|export on $name', { timeout: 180_000 }, (target) => {
  let environment: Record<string, string>;
  let folder: string;
  const run = (args: string[]) => oriole(args, { ...environment, ORIOLE_EMBEDDER: 'none' }, 120_000);

  beforeAll(async () => {
    environment = await target.setUp();
    folder = await mkdtemp(path.join(tmpdir(), 'oriole-curated-'));
    const ingested = await run(['ingest', sample, '--kb', 'help']);
    expect(ingested.code, ingested.stderr).toBe(0);
  }, 180_000);
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
    await target.tearDown();
  });

  it('imports a CSV FAQ (rows with the same answer grouped), shows conflicts in a dry run, and is idempotent', async () => {
    const csv = path.join(folder, 'faq.csv');
    await writeFile(
      csv,
      [
        'question,answer',
        '"What is the refund policy?","Full refund within 30 days, written to billing@parley.example."',
        '"Can I get a refund?","Full refund within 30 days, written to billing@parley.example."',
        '"How much does the Growth plan cost?","$499 a month, billed monthly."',
        // Conflicts with the refund answer: a question would match both.
        '"What is your refund policy?","Refunds are handled by your reseller."',
        '',
      ].join('\n'),
    );
    const dryRun = await run(['curated', 'import', csv, '--kb', 'help', '--dry-run']);
    expect(dryRun.code, dryRun.stderr).toBe(0);
    expect(dryRun.stdout).toContain("Would add 3 curated answer(s) to 'help'; 0 already present.");
    expect(dryRun.stdout).toContain('+ What is the refund policy? (2 phrasing(s), rows 2, 3)');
    expect(dryRun.stderr).toContain('1 conflict(s)');
    expect(dryRun.stderr).toContain('"What is your refund policy?" (row 5) and "What is the refund policy?" (rows 2, 3)');
    // Nothing was written.
    const emptyExport = path.join(folder, 'empty.jsonl');
    expect((await run(['curated', 'export', emptyExport, '--kb', 'help'])).stdout).toContain('Exported 0 curated answer(s)');

    const imported = await run(['curated', 'import', csv, '--kb', 'help']);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toContain('Added 3 curated answer(s).');
    const again = await run(['curated', 'import', csv, '--kb', 'help']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain("Adding 0 curated answer(s) to 'help'; 3 already present.");

    // The imported answer serves.
    const asked = await run(['ask', 'Can I get a refund?', '--kb', 'help', '--json']);
    expect(asked.code, asked.stderr).toBe(0);
    expect(JSON.parse(asked.stdout)).toMatchObject({ mode: 'curated', answer: 'Full refund within 30 days, written to billing@parley.example.' });
  });

  it('exports JSONL in the API shape and CSV one row a phrasing; a JSONL export imports into another KB as it is', async () => {
    const jsonl = path.join(folder, 'export.jsonl');
    const exported = await run(['curated', 'export', jsonl, '--kb', 'help']);
    expect(exported.code, exported.stderr).toBe(0);
    const lines = (await readFile(jsonl, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({
      id: expect.any(String),
      kb: 'help',
      questions: ['What is the refund policy?', 'Can I get a refund?'],
      enabled: true,
      hits: 1,
    });
    const csv = path.join(folder, 'export.csv');
    expect((await run(['curated', 'export', csv, '--kb', 'help'])).code).toBe(0);
    const rows = (await readFile(csv, 'utf8')).trim().split('\n');
    expect(rows[0]).toBe('question,answer');
    expect(rows).toHaveLength(5);

    // With a cited source: into a KB that has the document.
    const withCitation = path.join(folder, 'cited.jsonl');
    await writeFile(withCitation, `${JSON.stringify({ questions: ['Where are invoices?'], answer: 'Billing → Invoices.', citations: [{ source: 'invoices.md' }] })}\n`);
    const cited = await run(['curated', 'import', withCitation, '--kb', 'help']);
    expect(cited.code, cited.stderr).toBe(0);

    expect((await run(['kb', 'create', 'copy'])).code).toBe(0);
    const copied = await run(['curated', 'import', jsonl, '--kb', 'copy']);
    expect(copied.code, copied.stderr).toBe(0);
    expect(copied.stdout).toContain('Added 3 curated answer(s).');
  });

  it('refuses a bad file whole, naming the line, and a source the KB does not have', async () => {
    const bad = path.join(folder, 'bad.jsonl');
    await writeFile(bad, `${JSON.stringify({ questions: ['One?'], answer: 'One.' })}\n${JSON.stringify({ questions: [], answer: 'Two.' })}\n`);
    const refused = await run(['curated', 'import', bad, '--kb', 'copy']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('line 2: questions');
    const unknownSource = path.join(folder, 'unknown-source.jsonl');
    await writeFile(
      unknownSource,
      `${JSON.stringify({ questions: ['Brand new?'], answer: 'Yes.' })}\n${JSON.stringify({ questions: ['Cited?'], answer: 'See.', citations: [{ source: 'nope.md' }] })}\n`,
    );
    const missing = await run(['curated', 'import', unknownSource, '--kb', 'help']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('line 2');
    expect(missing.stderr).toContain("no document 'nope.md'");
    // All or nothing: the first entry was not added either.
    const dryRun = await run(['curated', 'import', unknownSource, '--kb', 'help', '--dry-run']);
    expect(dryRun.stdout).toContain('Would add 2 curated answer(s)');
    const wrongType = await run(['curated', 'import', path.join(folder, 'faq.txt'), '--kb', 'help']);
    expect(wrongType.code).not.toBe(0);
    expect(wrongType.stderr).toContain('.jsonl or .csv');
  });

  it('names a file it cannot read or write instead of printing a stack trace (exit 2)', async () => {
    const absent = await run(['curated', 'import', path.join(folder, 'absent.jsonl'), '--kb', 'help']);
    expect(absent.code).toBe(2);
    expect(absent.stderr).toContain('cannot read the curated answers file');
    expect(absent.stderr).toContain('no such file or folder');
    expect(absent.stderr).not.toMatch(/\n\s+at /);
    const folderNamed = path.join(folder, 'a-folder.jsonl');
    await mkdir(folderNamed);
    const isFolder = await run(['curated', 'import', folderNamed, '--kb', 'help']);
    expect(isFolder.code).toBe(2);
    expect(isFolder.stderr).toContain('it is a folder');
    const unwritable = await run(['curated', 'export', path.join(folder, 'no-such-folder', 'out.jsonl'), '--kb', 'help']);
    expect(unwritable.code).toBe(2);
    expect(unwritable.stderr).toContain('cannot write the export');
    expect(unwritable.stderr).not.toMatch(/\n\s+at /);
  });
});
