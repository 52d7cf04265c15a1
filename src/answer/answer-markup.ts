import { isWebUrl } from '../core/index.ts';
import { rewriteOutsideCode } from './code-spans.ts';

/**
 * Answers are Markdown that a widget renders, written by a model or quoted from
 * documents: neither may put a script or a forged link in front of a reader. Outside
 * code spans and blocks (which every renderer shows as text, so they are left as
 * written):
 * - a link or image whose destination is not an http(s) URL becomes its text (an
 *   image its alt text): `[click](javascript:alert(1))` → "click";
 * - an autolink to another scheme becomes its bare text: `<javascript:x>` → "javascript:x";
 * - a link reference definition to another scheme is removed;
 * - raw HTML never passes: a `<` that would open a tag, comment or declaration is
 *   written `&lt;` (Markdown shows "<"), so `<img src=x onerror=…>` reads as text. A
 *   `<` before a space or digit ("a < b", "<5 ms") opens nothing and stays.
 */
export function safeMarkdown(text: string): string {
  return rewriteOutsideCode(text, safeProse);
}

// Link text may hold one level of brackets ("[see [1]]"); a destination may hold one level of parentheses ("alert(1)").
const linkLabel = String.raw`\[((?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]`;
const linkDestination = String.raw`(<[^<>\n]*>|(?:[^\s()]|\([^\s()]*\))*)`;
const linkTitle = String.raw`(?:\s+(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\)))?`;
const inlineLink = new RegExp(String.raw`(?<!\\)(!?)${linkLabel}\(\s*${linkDestination}${linkTitle}\s*\)`, 'gu');
const inlineLinkHere = new RegExp(String.raw`!?${linkLabel}\(\s*${linkDestination}${linkTitle}\s*\)`, 'uy');
const referenceDefinition = /^ {0,3}\[[^\]\n]+\]:[ \t]*(<[^<>\n]*>|\S+).*$\n?/gmu;
// An autolink (<https://…>, <javascript:…>), or a `<` that opens a tag, comment, declaration or processing instruction.
const autolinkOrTag = /<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*)>|<(?=[A-Za-z/!?])/gu;

function safeProse(prose: string): string {
  return prose
    .replace(inlineLink, (link: string, _bang: string, label: string, destination: string) =>
      isWebUrl(unbracketed(destination)) ? link : label,
    )
    .replace(referenceDefinition, (definition: string, destination: string) => (isWebUrl(unbracketed(destination)) ? definition : ''))
    .replace(autolinkOrTag, (match: string, autolink: string | undefined) => {
      if (autolink === undefined) return '&lt;';
      return isWebUrl(autolink) ? match : autolink;
    });
}

function unbracketed(destination: string): string {
  return destination.startsWith('<') && destination.endsWith('>') ? destination.slice(1, -1) : destination;
}

/**
 * Text held back while it may still become a link, tag or code span is released anyway
 * past this length; a `[` or `<` released unresolved is escaped, so nothing after it
 * can turn it into a link or tag.
 */
const maxHeldCharacters = 2000;

/**
 * safeMarkdown for streamed text: each push returns the safe form of what can be
 * decided, holding back a link, autolink, tag or code span that is not complete yet
 * (`[click](javascript:` waits for its `)`), so a delta never shows what the final
 * answer removes, and the deltas together are the final text.
 */
export function createMarkupSanitizer() {
  let pending = '';
  return {
    push(text: string): string {
      pending += text;
      const { cut, escapeAt } = undecidedStart(pending);
      if (escapeAt !== undefined) {
        const escaped = pending[escapeAt] === '[' ? '\\[' : '&lt;';
        const released = safeMarkdown(pending.slice(0, escapeAt)) + escaped;
        pending = pending.slice(escapeAt + 1);
        return released + this.push('');
      }
      const released = safeMarkdown(pending.slice(0, cut));
      pending = pending.slice(cut);
      return released;
    },
    /** Releases held-back text at the end of the stream. */
    flush(): string {
      const released = safeMarkdown(pending);
      pending = '';
      return released;
    },
  };
}

/**
 * Where the undecided tail of `text` starts (`cut`, text.length when all is decided), or
 * the position of a `[` or `<` held too long, which is released escaped (`escapeAt`).
 */
function undecidedStart(text: string): { cut: number; escapeAt?: number } {
  let position = 0;
  while (position < text.length) {
    const character = text[position]!;
    // A backtick run may grow into a fence, "!" into an image, "\\" escapes what comes next: wait for it.
    if ('`!\\'.includes(character) && /^(?:`+|!|\\)$/u.test(text.slice(position))) return { cut: position };
    if (text.startsWith('```', position)) {
      const close = text.indexOf('```', position + 3);
      if (close < 0) return { cut: position };
      position = close + 3;
    } else if (character === '`') {
      const close = text.slice(position + 1).search(/[`\n]/u);
      if (close < 0) return { cut: position };
      position += close + 2;
    } else if (character === '\\') {
      position += 2;
    } else if (character === '[' || character === '<') {
      const decided = character === '[' ? linkDecidedAt(text, position) : tagDecidedAt(text, position);
      if (decided !== undefined) {
        position = decided;
        continue;
      }
      const start = character === '[' && text[position - 1] === '!' ? position - 1 : position;
      if (text.length - position > maxHeldCharacters) return { cut: start, escapeAt: position };
      return { cut: start };
    } else {
      position += 1;
    }
  }
  return { cut: text.length };
}

/** Where the text after a `[` at `start` is decided (past a whole link, or just past the `[`); undefined while it may still become a link. */
function linkDecidedAt(text: string, start: number): number | undefined {
  inlineLinkHere.lastIndex = start;
  if (inlineLinkHere.test(text)) return inlineLinkHere.lastIndex;
  const labelEnd = /\](.?)/su.exec(text.slice(start));
  if (!labelEnd) return undefined;
  const after = labelEnd[1];
  const rest = text.slice(start + labelEnd.index + 1);
  if (after === '') return undefined;
  // "[label](…" is decided once its parentheses close or its line ends; "[ref]: url" once its line ends.
  if (after === '(') return parenthesesClose(rest) ? start + 1 : undefined;
  if (after === ':') return rest.includes('\n') ? start + 1 : undefined;
  return start + 1;
}

/** Where the text after a `<` at `start` is decided; undefined while it may still be an autolink or a tag's name. */
function tagDecidedAt(text: string, start: number): number | undefined {
  return /^<[^\s<>]*$/u.test(text.slice(start)) ? undefined : start + 1;
}

/** Whether the parenthesis opening `text` is closed (counting nested ones), or a line break ends the attempt. */
function parenthesesClose(text: string): boolean {
  let depth = 0;
  for (const character of text) {
    if (character === '\n') return true;
    if (character === '(') depth += 1;
    else if (character === ')' && --depth === 0) return true;
  }
  return false;
}
