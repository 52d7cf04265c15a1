/**
 * Code spans and fenced blocks are quoted verbatim: `items[1]` is not a citation, and
 * `<div>` in a code block is shown as text by any Markdown renderer. An unclosed fence
 * (a stream cut off, a truncated chunk) runs to the end of the text.
 */
const codePattern = /```[\s\S]*?(?:```|$)|`[^`\n]*`/g;

/** `text` with `rewrite` applied to each stretch of prose between code spans and blocks, code untouched. */
export function rewriteOutsideCode(text: string, rewrite: (prose: string) => string): string {
  let result = '';
  let last = 0;
  for (const match of text.matchAll(codePattern)) {
    result += rewrite(text.slice(last, match.index)) + match[0];
    last = match.index + match[0].length;
  }
  return result + rewrite(text.slice(last));
}
