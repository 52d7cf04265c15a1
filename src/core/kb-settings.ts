import type { AnswerLanguage } from './answers.ts';
import type { SearchFilters } from './retrieval.ts';

/**
 * A knowledge base's answer settings (docs/kb-settings.md), as stored in
 * `knowledge_bases.settings` and edited with `PATCH /kbs/:name/settings` or
 * `oriole kb settings`. Every field is optional: an unset field keeps the server's
 * behaviour. The zod schema that validates them is KbSettingsSchema (src/api/schemas.ts);
 * nothing is stored without passing it.
 */
export interface KbSettings {
  /** A short instruction appended to the grounded prompt (tone, name, audience); it never replaces the prompt's rules. */
  persona?: string;
  /** The text of an abstention, per answer language, instead of the built-in one. */
  abstentionMessage?: Partial<Record<AnswerLanguage, string>>;
  /** Where a person who needs a human is sent: on an abstention and on a request for a human. */
  handoff?: KbHandoff;
  /** `question`: answer in the question's language (the default); or always in this language. */
  answerLanguage?: 'question' | AnswerLanguage;
  /** Passages an answer is grounded in when the request names no topK. */
  topK?: number;
  /** Filters applied when the request sends none (a request's own filters replace them). */
  filters?: SearchFilters;
  /** How close a question must be to a curated answer's phrasing for it to win (0–1). */
  curatedThreshold?: number;
  /** Below this answer `confidence` (0–1) an answer is withheld with reason `low_confidence` (src/answer/confidence.ts). */
  minConfidence?: number;
}

export interface KbHandoff {
  /** An http(s) page where a person takes over (a contact form, a chat). */
  url?: string;
  email?: string;
  /** The link's text, e.g. "Chat with our team". */
  label?: string;
}

export type KbSettingsField = keyof KbSettings;

export const kbSettingsFields = [
  'persona',
  'abstentionMessage',
  'handoff',
  'answerLanguage',
  'topK',
  'filters',
  'curatedThreshold',
  'minConfidence',
] as const satisfies readonly KbSettingsField[];

/** A PATCH: each field named is replaced whole; null removes it; fields not named are kept. */
export type KbSettingsPatch = { [Field in KbSettingsField]?: KbSettings[Field] | null };

/** Bounds of the settings, enforced by KbSettingsSchema (and docs/kb-settings.md). */
export const kbSettingsLimits = {
  /** A persona is a short instruction, not a second prompt. A chat `system` message is held to the same bound. */
  personaChars: 1_000,
  abstentionMessageChars: 1_000,
  handoffLabelChars: 100,
  handoffUrlChars: 2_048,
  handoffEmailChars: 254,
  /** The same bound as a request's topK (requestLimits.answerTopK). */
  maxTopK: 20,
} as const;

/** The KB's settings after `patch`: a field set to null is removed, one not named is kept. */
export function mergeKbSettings(current: KbSettings, patch: KbSettingsPatch): KbSettings {
  const merged: Record<string, unknown> = { ...current };
  for (const [field, value] of Object.entries(patch)) {
    if (value === null) delete merged[field];
    else if (value !== undefined) merged[field] = value;
  }
  return merged as KbSettings;
}
