import { pickMessages, type Messages } from '../shared/i18n/index.ts';

/** What the widget's tag says: `data-kb`, `data-key`, and the optional `data-lang`, `data-title`, `data-accent`, `data-position`. */
export interface WidgetSettings {
  /** The API's origin: where widget.js itself was loaded from. */
  apiOrigin: string;
  kb: string | undefined;
  key: string | undefined;
  messages: Messages;
  title: string;
  accent: { color: string; ink: string } | undefined;
  position: 'bottom-right' | 'bottom-left';
}

export function readWidgetSettings(script: HTMLScriptElement, languages: readonly string[]): WidgetSettings {
  const data = script.dataset;
  const messages = pickMessages(languages, data.lang);
  return {
    apiOrigin: new URL(script.src, document.baseURI).origin,
    kb: data.kb || undefined,
    key: data.key || undefined,
    messages,
    title: data.title?.trim() || messages.widget.title,
    accent: accentOf(data.accent),
    position: data.position === 'bottom-left' ? 'bottom-left' : 'bottom-right',
  };
}

/** `#rgb` or `#rrggbb` only (anything else is ignored), with black or white text, whichever reads better on it. */
function accentOf(value: string | undefined): WidgetSettings['accent'] {
  const match = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(value?.trim() ?? '');
  if (!match) return undefined;
  const hex = match[1]!.length === 3 ? [...match[1]!].map((digit) => digit + digit).join('') : match[1]!;
  const channels = [0, 2, 4].map((offset) => {
    const channel = parseInt(hex.slice(offset, offset + 2), 16) / 255;
    return channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  });
  const luminance = 0.2126 * channels[0]! + 0.7152 * channels[1]! + 0.0722 * channels[2]!;
  // WCAG contrast against white (1.05 / (L + 0.05)) vs against black ((L + 0.05) / 0.05).
  const ink = 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.05 ? '#ffffff' : '#000000';
  return { color: `#${hex}`, ink };
}
