import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evalSetDirectory, givenEvalSetsDirectory, materializeSet } from '../../bench/eval-sets.ts';

/**
 * The benches read the public eval sets from a directory the caller names; the repository
 * never holds them. A contributor without them gets an error that says how to give them,
 * not a path outside the checkout. The set here is a two-line stand-in written per run.
 */

describe('where the benches find the public eval sets', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'oriole-eval-sets-'));
    await mkdir(path.join(root, 'tiny-set'));
    await writeFile(
      path.join(root, 'tiny-set', 'docs.jsonl'),
      `${JSON.stringify({ id: 'guide one', title: 'Guide one', text: 'Refunds take 5 days.' })}\n` +
        `${JSON.stringify({ id: 'guide-2', title: 'Guide two', text: '# Already titled\n\nText.' })}\n`,
    );
    await writeFile(
      path.join(root, 'tiny-set', 'cases.jsonl'),
      `${JSON.stringify({ id: 'q1', question: 'How long do refunds take?', reference_answer: '5 days', gold_doc_ids: ['guide one'], answerable: true })}\n` +
        `${JSON.stringify({ id: 'q2', question: 'Second?', reference_answer: 'x', gold_doc_ids: ['guide-2'], answerable: true })}\n`,
    );
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('takes --eval-sets DIR over ORIOLE_EVAL_SETS_DIR, and neither means none', () => {
    const environment = { ORIOLE_EVAL_SETS_DIR: '/from/environment' };
    expect(givenEvalSetsDirectory(['--eval-sets', '/from/flag', '--limit', '3'], environment)).toBe(path.resolve('/from/flag'));
    expect(givenEvalSetsDirectory(['--eval-sets=/from/flag'], environment)).toBe(path.resolve('/from/flag'));
    expect(givenEvalSetsDirectory(['--limit', '3'], environment)).toBe(path.resolve('/from/environment'));
    expect(givenEvalSetsDirectory([], { ORIOLE_EVALSETS_DIR: '/older/name' })).toBe(path.resolve('/older/name'));
    expect(givenEvalSetsDirectory([], {})).toBeUndefined();
    expect(() => givenEvalSetsDirectory(['--eval-sets'], {})).toThrow('--eval-sets takes a directory');
    expect(() => givenEvalSetsDirectory(['--eval-sets', '--limit', '3'], {})).toThrow('--eval-sets takes a directory');
  });

  it('says how to give the sets when none were given, and which file is missing when a set is not there', () => {
    expect(() => evalSetDirectory('tiny-set', undefined)).toThrow(/pass --eval-sets DIR or set ORIOLE_EVAL_SETS_DIR.*docs\/public-eval-sets\.md/);
    expect(() => evalSetDirectory('other-set', root)).toThrow(`no eval set 'other-set' in ${root}: ${path.join(root, 'other-set', 'docs.jsonl')} does not exist`);
    expect(evalSetDirectory('tiny-set', root)).toBe(path.join(root, 'tiny-set'));
  });

  it('writes a set as oriole ingest and oriole eval take it: one Markdown file a document, gold sources naming them', async () => {
    const out = path.join(root, 'out');
    expect(await materializeSet('tiny-set', out, 1, root)).toEqual({ documents: 2, cases: 1 });
    expect((await readdir(path.join(out, 'docs'))).sort()).toEqual(['guide-2.md', 'guide_one.md']);
    expect(await readFile(path.join(out, 'docs', 'guide_one.md'), 'utf8')).toBe('# Guide one\n\nRefunds take 5 days.\n');
    expect(await readFile(path.join(out, 'docs', 'guide-2.md'), 'utf8')).toBe('# Already titled\n\nText.\n');
    expect(await readFile(path.join(out, 'cases.jsonl'), 'utf8')).toBe(
      `${JSON.stringify({ id: 'q1', question: 'How long do refunds take?', reference_answer: '5 days', gold_sources: ['guide_one.md'], answerable: true })}\n`,
    );
  });
});
