/**
 * Percent-decoding for names written by people and tools, not only by URL encoders:
 * a `%` not followed by two hex digits (`60%-off.md`) is a literal percent sign, where
 * `decodeURIComponent` would throw "URI malformed".
 */
export function keepStrayPercents(text: string): string {
  return text.replace(/%(?![0-9a-f]{2})/gi, '%25');
}

/** Decoded text, or null when the escapes are not valid UTF-8 (`%ED%A0%80`, `%FF`). */
export function decodePercentsStrictly(text: string): string | null {
  try {
    return decodeURIComponent(keepStrayPercents(text));
  } catch {
    return null;
  }
}

/** Decoded text; escapes that are not valid UTF-8 are kept as written. */
export function decodePercents(text: string): string {
  return decodePercentsStrictly(text) ?? text;
}
