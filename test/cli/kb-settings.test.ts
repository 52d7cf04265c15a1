import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.ts';
import { cliTargets, oriole, withCliDatabase } from '../helpers/cli.ts';

describe.each(cliTargets('oriole_kb_settings'))('oriole kb settings on $name', { timeout: 240_000 }, (target) => {
  let environment: Record<string, string>;
  beforeAll(async () => {
    environment = await target.setUp();
    expect((await oriole(['kb', 'create', 'support', '--embedder', 'none'], environment)).code).toBe(0);
  });
  afterAll(() => target.tearDown());

  const withDatabase = <T>(work: (database: Database) => Promise<T>) => withCliDatabase(environment, work);

  it('prints the settings, sets JSON and text values, unsets one, and stores them where the API reads them', async () => {
    const empty = await oriole(['kb', 'settings', 'support'], environment);
    expect(empty.code, empty.stderr).toBe(0);
    expect(JSON.parse(empty.stdout)).toEqual({ kb: 'support', settings: {}, version: 0 });

    const set = await oriole(
      [
        'kb', 'settings', 'support',
        '--set', 'topK=4',
        '--set', 'handoff={"url":"https://help.example.com/contact","label":"Chat with us"}',
        '--set', 'persona=Be warm and brief.',
        '--set', 'answerLanguage=zh',
      ],
      environment,
    );
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toEqual({
      kb: 'support',
      version: 1,
      settings: {
        topK: 4,
        handoff: { url: 'https://help.example.com/contact', label: 'Chat with us' },
        persona: 'Be warm and brief.',
        answerLanguage: 'zh',
      },
    });

    const unset = await oriole(['kb', 'settings', 'support', '--unset', 'topK', '--set', 'persona=null'], environment);
    expect(unset.code, unset.stderr).toBe(0);
    expect(JSON.parse(unset.stdout)).toMatchObject({ version: 2, settings: { answerLanguage: 'zh', handoff: { label: 'Chat with us' } } });
    expect(JSON.parse(unset.stdout).settings).not.toHaveProperty('topK');
    expect(JSON.parse(unset.stdout).settings).not.toHaveProperty('persona');

    const stored = await withDatabase(async (database) =>
      (await database.query<{ settings: unknown; settings_version: string }>(`SELECT settings, settings_version FROM knowledge_bases WHERE name = 'support'`)).rows[0],
    );
    expect(stored).toEqual({
      settings: { answerLanguage: 'zh', handoff: { url: 'https://help.example.com/contact', label: 'Chat with us' } },
      settings_version: '2',
    });
  });

  it('refuses a bad value naming the field (exit 2), an unknown field, and an unknown KB; nothing is stored', async () => {
    const badTopK = await oriole(['kb', 'settings', 'support', '--set', 'topK=0'], environment);
    expect(badTopK.code).toBe(2);
    expect(badTopK.stderr).toContain('topK');
    const badUrl = await oriole(['kb', 'settings', 'support', '--set', 'handoff={"url":"javascript:alert(1)"}'], environment);
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toContain('handoff.url');
    const unknown = await oriole(['kb', 'settings', 'support', '--set', 'colour=blue'], environment);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown setting 'colour'");
    const missing = await oriole(['kb', 'settings', 'nowhere', '--set', 'topK=3'], environment);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nowhere/);
    const after = await oriole(['kb', 'settings', 'support'], environment);
    expect(JSON.parse(after.stdout).version).toBe(2);
  });
});
