/**
 * Answer text → a small tree the components render as text nodes: paragraphs, bullet and
 * numbered lists, **bold**, `code`, and citation markers `[n]` (also `[1, 2]`). Not a
 * Markdown renderer on purpose: answers are short, and anything richer (links, images,
 * HTML) is shown as the literal text it is. The server writes a would-be tag's `<` as
 * `&lt;` and a literal bracket as `\[`; both are shown as the character. DOM-free.
 */
export type Inline =
  | { kind: 'text'; text: string }
  | { kind: 'strong'; text: string }
  | { kind: 'code'; text: string }
  | { kind: 'cite'; index: number };

export type Block = { kind: 'paragraph'; inlines: Inline[] } | { kind: 'list'; ordered: boolean; items: Inline[][] };

const listItem = /^\s{0,3}(?:([-*+])|(\d{1,3})[.)])\s+(.*)$/;

export function parseAnswer(text: string): Block[] {
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  let list: { ordered: boolean; items: string[] } | undefined;
  const flush = () => {
    if (paragraph.length > 0) blocks.push({ kind: 'paragraph', inlines: parseInlines(paragraph.join('\n')) });
    if (list) blocks.push({ kind: 'list', ordered: list.ordered, items: list.items.map(parseInlines) });
    paragraph = [];
    list = undefined;
  };
  for (const line of text.split(/\r?\n/)) {
    const item = listItem.exec(line);
    if (item) {
      const ordered = item[2] !== undefined;
      if (paragraph.length > 0 || (list && list.ordered !== ordered)) flush();
      list ??= { ordered, items: [] };
      list.items.push(item[3] ?? '');
    } else if (line.trim() === '') {
      flush();
    } else if (list && /^\s+\S/.test(line)) {
      // A continuation line of the last item.
      list.items[list.items.length - 1] += ` ${line.trim()}`;
    } else {
      if (list) flush();
      paragraph.push(line.replace(/^\s{0,3}#{1,6}\s+/, ''));
    }
  }
  flush();
  return blocks;
}

// `code`, **bold**, or a citation marker: [1], [1, 2], [1，2], 【1】.
const inlineToken = /`([^`\n]+)`|\*\*([^*\n]+)\*\*|(?<!\\)(?:\[|【)(\d{1,3}(?:\s*[,，、]\s*\d{1,3})*)(?:\]|】)/gu;

export function parseInlines(text: string): Inline[] {
  const inlines: Inline[] = [];
  let last = 0;
  const pushText = (raw: string) => {
    const shown = unescapeText(raw);
    if (shown) inlines.push({ kind: 'text', text: shown });
  };
  for (const match of text.matchAll(inlineToken)) {
    pushText(text.slice(last, match.index));
    last = match.index + match[0].length;
    if (match[1] !== undefined) inlines.push({ kind: 'code', text: match[1] });
    else if (match[2] !== undefined) inlines.push({ kind: 'strong', text: unescapeText(match[2]) });
    else for (const index of match[3]!.split(/\s*[,，、]\s*/)) inlines.push({ kind: 'cite', index: Number(index) });
  }
  pushText(text.slice(last));
  return inlines;
}

function unescapeText(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/\\([[\]\\*`_#<>])/g, '$1');
}

/** The answer as plain text for "copy answer": markers kept as [n], markup removed. */
export function plainAnswer(text: string): string {
  return parseAnswer(text)
    .map((block) =>
      block.kind === 'paragraph'
        ? inlineText(block.inlines)
        : block.items.map((item, index) => `${block.ordered ? `${index + 1}.` : '-'} ${inlineText(item)}`).join('\n'),
    )
    .join('\n\n');
}

function inlineText(inlines: Inline[]): string {
  return inlines.map((inline) => (inline.kind === 'cite' ? `[${inline.index}]` : inline.text)).join('');
}

/** Links go out only to http(s) pages. */
export function isWebUrl(url: string | null | undefined): url is string {
  if (!url) return false;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:';
  } catch {
    return false;
  }
}
