import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evalSetName, knowledgeBaseName, loadConfig } from '../../src/core/index.ts';
import { KnowledgeBaseNameSchema } from '../../src/api/schemas.ts';

/** The pattern of the `CHECK (name ~ '...')` constraint in a migration. */
function checkedPattern(migration: string): string {
  const sql = readFileSync(new URL(`../../migrations/${migration}`, import.meta.url), 'utf8');
  const match = /name text NOT NULL[^\n]*CHECK \(name ~ '([^']+)'\)/.exec(sql);
  if (!match) throw new Error(`no name CHECK in ${migration}`);
  return match[1]!;
}

describe('knowledge-base names', () => {
  it('are the names the database accepts', () => {
    expect(knowledgeBaseName.pattern.source).toBe(checkedPattern('001_initial_schema.sql'));
  });

  it.each(['default', 'help-center.v2', 'A_1', 'x'.repeat(64)])('accept %s in the API and the config', (name) => {
    expect(knowledgeBaseName.pattern.test(name)).toBe(true);
    expect(KnowledgeBaseNameSchema.safeParse(name).success).toBe(true);
    expect(loadConfig({ ORIOLE_DEFAULT_KB: name }).defaultKb).toBe(name);
  });

  it.each(['-leading-dash', '.hidden', 'has space', 'x'.repeat(65), 'ünïcode'])('refuse %s in the API and the config', (name) => {
    expect(knowledgeBaseName.pattern.test(name)).toBe(false);
    const parsed = KnowledgeBaseNameSchema.safeParse(name);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toBe(knowledgeBaseName.description);
    expect(() => loadConfig({ ORIOLE_DEFAULT_KB: name })).toThrow(/ORIOLE_DEFAULT_KB/);
  });
});

describe('eval-set names', () => {
  it('are the names the database accepts', () => {
    expect(evalSetName.pattern.source).toBe(checkedPattern('005_eval_sets.sql'));
  });
});
