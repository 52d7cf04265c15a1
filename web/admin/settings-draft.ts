import {
  abstentionLanguages,
  type AbstentionLanguage,
  type AnswerLanguageSetting,
  type KbFiltersSetting,
  type KbHandoffSetting,
  type KbSettings,
  type KbSettingsPatch,
} from '../shared/admin-api-types.ts';

/**
 * The answer-settings form's text fields and the PATCH they make (docs/kb-settings.md):
 * only the fields whose value changed are sent, an emptied field is sent as `null` (which
 * unsets it), and objects (`abstentionMessage`, `handoff`, `filters`) are sent whole, as
 * the API replaces them whole. DOM-free: the validation stays the server's, except what a
 * text field cannot say in JSON (a number, a `name=value` tag), which is caught here.
 */
export interface SettingsDraft {
  persona: string;
  abstentionMessage: Record<AbstentionLanguage, string>;
  handoffUrl: string;
  handoffEmail: string;
  handoffLabel: string;
  answerLanguage: AnswerLanguageSetting;
  topK: string;
  curatedThreshold: string;
  minConfidence: string;
  /** One source per line. */
  filterSources: string;
  /** One `name=value` per line. */
  filterTags: string;
}

/** A value a field holds that cannot be sent: `path` names the field as the server's issues do (`topK`, `filters.tags`). */
export type DraftProblem = { path: string; problem: 'notANumber' } | { path: string; problem: 'badTag'; line: string };

export function draftFrom(settings: KbSettings): SettingsDraft {
  const numberText = (value: number | undefined) => (value === undefined ? '' : String(value));
  return {
    persona: settings.persona ?? '',
    abstentionMessage: Object.fromEntries(
      abstentionLanguages.map((language) => [language, settings.abstentionMessage?.[language] ?? '']),
    ) as Record<AbstentionLanguage, string>,
    handoffUrl: settings.handoff?.url ?? '',
    handoffEmail: settings.handoff?.email ?? '',
    handoffLabel: settings.handoff?.label ?? '',
    answerLanguage: settings.answerLanguage ?? 'question',
    topK: numberText(settings.topK),
    curatedThreshold: numberText(settings.curatedThreshold),
    minConfidence: numberText(settings.minConfidence),
    filterSources: (settings.filters?.sources ?? []).join('\n'),
    filterTags: Object.entries(settings.filters?.tags ?? {})
      .map(([name, value]) => `${name}=${value}`)
      .join('\n'),
  };
}

/** The PATCH that takes `stored` to what `draft` says, and the fields that cannot be sent as they are. */
export function patchFrom(stored: KbSettings, draft: SettingsDraft): { patch: KbSettingsPatch; problems: DraftProblem[] } {
  const problems: DraftProblem[] = [];
  const number = (path: string, text: string): number | undefined => {
    const trimmed = text.trim();
    if (trimmed === '') return undefined;
    const value = Number(trimmed);
    if (!Number.isFinite(value)) {
      problems.push({ path, problem: 'notANumber' });
      return undefined;
    }
    return value;
  };
  const wanted: KbSettings = {
    persona: nonEmpty(draft.persona),
    abstentionMessage: objectOf(
      Object.fromEntries(abstentionLanguages.map((language) => [language, nonEmpty(draft.abstentionMessage[language])])),
    ),
    handoff: objectOf<KbHandoffSetting>({ url: nonEmpty(draft.handoffUrl), email: nonEmpty(draft.handoffEmail), label: nonEmpty(draft.handoffLabel) }),
    // 'question' is the built-in behaviour: choosing it unsets the field, unless it was stored so.
    answerLanguage: draft.answerLanguage === 'question' && stored.answerLanguage !== 'question' ? undefined : draft.answerLanguage,
    topK: number('topK', draft.topK),
    curatedThreshold: number('curatedThreshold', draft.curatedThreshold),
    minConfidence: number('minConfidence', draft.minConfidence),
    filters: filtersFrom(draft, problems),
  };
  const patch: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(wanted) as [keyof KbSettings, unknown][]) {
    if (!sameValue(value, stored[field])) patch[field] = value ?? null;
  }
  return { patch: patch as KbSettingsPatch, problems };
}

function filtersFrom(draft: SettingsDraft, problems: DraftProblem[]): KbFiltersSetting | undefined {
  const sources = lines(draft.filterSources);
  const tags: Record<string, string> = {};
  for (const line of lines(draft.filterTags)) {
    const equals = line.indexOf('=');
    if (equals <= 0) problems.push({ path: 'filters.tags', problem: 'badTag', line });
    else tags[line.slice(0, equals).trim()] = line.slice(equals + 1).trim();
  }
  return objectOf<KbFiltersSetting>({
    sources: sources.length > 0 ? sources : undefined,
    tags: Object.keys(tags).length > 0 ? tags : undefined,
  });
}

function lines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}

function nonEmpty(text: string): string | undefined {
  const trimmed = text.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** The object without its undefined entries; undefined when none is left (an empty object unsets the field). */
function objectOf<T extends object>(entries: Record<string, unknown>): T | undefined {
  const kept = Object.entries(entries).filter(([, value]) => value !== undefined);
  return kept.length === 0 ? undefined : (Object.fromEntries(kept) as T);
}

/** Equal as JSON, whatever the key order (the database keeps jsonb keys in an order of its own). */
export function sameValue(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, entry]) => entry !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${canonical(entry)}`).join(',')}}`;
}
