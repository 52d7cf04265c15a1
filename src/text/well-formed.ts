/**
 * Text a database and a JSON encoder can hold. PostgreSQL `text` and `jsonb` refuse a
 * NUL, and a lone UTF-16 surrogate (JSON's `"\ud800"`) is not a character at all: it
 * cannot be encoded as UTF-8, so the driver or the database fails on it later.
 */

// Without the `u` flag a regex sees UTF-16 code units, so unpaired halves can be matched.
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const loneSurrogates = new RegExp(loneSurrogate.source, 'g');
// eslint-disable-next-line no-control-regex -- NUL is exactly what is removed
const nuls = /\u0000/g;

export type TextFlaw = 'nul' | 'lone_surrogate';

/** Why this text cannot be stored as it is, or null when it can. */
export function textFlaw(text: string): TextFlaw | null {
  if (text.includes('\u0000')) return 'nul';
  if (loneSurrogate.test(text)) return 'lone_surrogate';
  return null;
}

export const textFlawDescriptions: Record<TextFlaw, string> = {
  nul: 'must not contain NUL characters',
  lone_surrogate: 'must not contain a lone UTF-16 surrogate (not a character; send valid Unicode)',
};

export interface RepairedText {
  text: string;
  /** Lone surrogates replaced by U+FFFD. */
  replacedSurrogates: number;
  /** NUL characters removed. */
  removedNuls: number;
}

/** For document text, which is indexed rather than refused: lone surrogates become U+FFFD, NULs go. */
export function repairText(text: string): RepairedText {
  let replacedSurrogates = 0;
  let removedNuls = 0;
  const repaired = text
    .replace(loneSurrogates, () => {
      replacedSurrogates += 1;
      return '\ufffd';
    })
    .replace(nuls, () => {
      removedNuls += 1;
      return '';
    });
  return { text: repaired, replacedSurrogates, removedNuls };
}
