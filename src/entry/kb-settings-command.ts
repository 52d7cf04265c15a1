import { kbSettingsFields, mergeKbSettings, OrioleError, type KbSettingsPatch } from '../core/index.ts';
import { getKnowledgeBase, updateKbSettings, type Database, type StoredKbSettings } from '../db/index.ts';
import { KbSettingsPatchSchema } from '../api/schemas.ts';

/**
 * `oriole kb settings NAME [--set key=value …] [--unset key …]` (docs/kb-settings.md):
 * prints the KB's answer settings, after changing them when asked. Validated by the same
 * schema as PATCH /kbs/:name/settings.
 */
export async function runKbSettings(
  database: Database,
  name: string,
  options: { set: string[]; unset: string[] },
  out: (text: string) => void,
): Promise<StoredKbSettings> {
  const patch = settingsPatch(options.set, options.unset);
  const stored =
    Object.keys(patch).length === 0
      ? await currentSettings(database, name)
      : await changeKbSettings(database, name, patch);
  out(JSON.stringify(stored, null, 2));
  return stored;
}

/** Merges a checked patch (settingsPatch) into a KB's stored settings: how `kb settings` and `calibrate` change them. */
export function changeKbSettings(database: Database, name: string, patch: KbSettingsPatch): Promise<StoredKbSettings> {
  return updateKbSettings(database, name, (current) => mergeKbSettings(current, patch));
}

async function currentSettings(database: Database, name: string): Promise<StoredKbSettings> {
  const kb = await getKnowledgeBase(database, name);
  return { kb: kb.name, settings: kb.settings, version: kb.settingsVersion };
}

/**
 * `--set key=value`: the value is read as JSON when it is JSON (`topK=4`,
 * `handoff={"url":"…"}`, `persona=null`), else taken as text (`answerLanguage=zh`,
 * `persona=Be brief.`). `--unset key` is `--set key=null`.
 */
export function settingsPatch(assignments: readonly string[], removals: readonly string[]): KbSettingsPatch {
  const raw: Record<string, unknown> = {};
  for (const assignment of assignments) {
    const separator = assignment.indexOf('=');
    if (separator <= 0) throw new OrioleError('invalid_request', `--set expects key=value; got '${assignment.slice(0, 80)}'`);
    const field = knownField(assignment.slice(0, separator).trim());
    raw[field] = jsonOrText(assignment.slice(separator + 1));
  }
  for (const removal of removals) raw[knownField(removal.trim())] = null;
  const parsed = KbSettingsPatchSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
    throw new OrioleError('invalid_request', `Invalid settings: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`, {
      details: { issues },
    });
  }
  return parsed.data;
}

function knownField(field: string): string {
  if ((kbSettingsFields as readonly string[]).includes(field)) return field;
  throw new OrioleError('invalid_request', `Unknown setting '${field.slice(0, 80)}': one of ${kbSettingsFields.join(', ')}`);
}

function jsonOrText(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
