import { en, type Messages } from './en.ts';
import { zh } from './zh.ts';

export type { Messages } from './en.ts';

/**
 * The UI language: an explicit choice (the widget's `data-lang`) first, else the first of
 * the browser's languages we have; English otherwise. `zh`, `zh-CN`, `zh-Hans`… → Chinese.
 */
export function pickMessages(preferred: readonly string[], explicit?: string | null): Messages {
  for (const tag of explicit ? [explicit] : preferred) {
    const language = tag.toLowerCase().split('-')[0];
    if (language === 'zh') return zh;
    if (language === 'en') return en;
  }
  return en;
}

/** Fills `{name}` placeholders. */
export function format(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

/** The text for an abstention reason code; an unknown code is shown as it is. */
export function reasonText(messages: Messages, reason: string | undefined): string | undefined {
  if (!reason) return undefined;
  return messages.reasons[reason] ?? reason;
}
