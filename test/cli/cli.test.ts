import path from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliTargets, oriole } from '../helpers/cli.ts';

const targets = cliTargets('oriole_cli');

describe.each(targets)('the oriole CLI on $name', { timeout: 120_000 }, (target) => {
  let environment: Record<string, string>;
  beforeAll(async () => {
    environment = await target.setUp();
  });
  afterAll(() => target.tearDown());

  it('migrates once, then reports the schema up to date', async () => {
    const first = await oriole(['migrate'], environment);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Applied \d+ migration\(s\): 001_initial_schema, /);
    const second = await oriole(['migrate'], environment);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('Schema is up to date');
  });

  it('creates, lists and deletes knowledge bases', async () => {
    expect((await oriole(['kb', 'create', 'help-center', '--embedder', 'none'], environment)).code).toBe(0);
    const listed = await oriole(['kb', 'list', '--json'], environment);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ name: 'help-center', embedder: 'none', documentCount: 0, chunkCount: 0 }),
    ]);
    const human = await oriole(['kb', 'list'], environment);
    expect(human.stdout).toContain('help-center');

    const deleted = await oriole(['kb', 'delete', 'help-center'], environment);
    expect(deleted.code).toBe(0);
    expect((await oriole(['kb', 'list'], environment)).stdout).toContain('No knowledge bases yet');
  });

  it('answers and searches from the command line, as text and as JSON', async () => {
    const withoutModel = { ...environment, ORIOLE_EMBEDDER: 'none' };
    expect((await oriole(['ingest', 'test/fixtures/help-docs', '--kb', 'cli-answers'], withoutModel)).code).toBe(0);

    const asked = await oriole(['ask', 'How do I reset my password?', '--kb', 'cli-answers'], withoutModel);
    expect(asked.code).toBe(0);
    expect(asked.stdout).toMatch(/\[1\]/);
    expect(asked.stdout).toMatch(/Sources:\n {2}\[1\] .*reset-password/);

    const json = JSON.parse((await oriole(['ask', 'How do I reset my password?', '--kb', 'cli-answers', '--json'], withoutModel)).stdout);
    expect(json).toMatchObject({ abstained: false, mode: 'extractive' });
    expect(json.citations[0].source).toMatch(/reset-password/);

    const searched = await oriole(['search', 'refund', '--kb', 'cli-answers', '--k', '2', '--json'], withoutModel);
    const results = JSON.parse(searched.stdout).results as Array<{ source: string; score: number }>;
    expect(results).toHaveLength(2);
    expect(results[0]!.source).toBe('billing/refunds.html');

    const badK = await oriole(['search', 'refund', '--k', '500'], withoutModel);
    expect(badK.code).not.toBe(0);
    expect(badK.stderr).toContain('1 to 50');
  });

  it('fails clearly on an unknown KB, without a stack trace', async () => {
    const result = await oriole(['kb', 'delete', 'never-was'], environment);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("kb 'never-was' does not exist");
    expect(result.stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });
});

describe('the oriole CLI with a bad configuration value', { timeout: 120_000 }, () => {
  it('refuses to start and names the variable', async () => {
    const result = await oriole(['kb', 'list'], { PORT: 'eighty', ORIOLE_DATA_DIR: path.join(tmpdir(), 'unused') });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('PORT');
    expect(result.stderr).toContain('Invalid configuration');
  });

  it('shows --help for every command', async () => {
    for (const command of [[], ['serve'], ['ingest'], ['ask'], ['search'], ['eval'], ['migrate'], ['kb', 'list']]) {
      const result = await oriole([...command, '--help'], {});
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Usage: oriole');
    }
  });
});
