/**
 * GitBook's Liquid tags (`{% hint style="info" %}` … `{% endhint %}`) and Hugo's
 * shortcodes (`{{< note >}}` … `{{< /note >}}`, `{{% tab "npm" %}}`) rewritten, outside
 * fenced code, into what the rest of the Markdown loader already reads, so no tag
 * reaches a passage:
 *
 * - a paired tag becomes a container directive: notes and hints `:::info`, tabs a
 *   grouping with each tab `:::tab[npm]`, GitBook's code titles `:::code[index.js]`,
 *   Hugo's details `:::details[Title]`, steps numbered; any other pair keeps only its
 *   content. Outer containers get more colons than the ones they hold.
 * - Hugo's `{{< highlight go >}}` pair becomes a fenced code block in that language.
 * - a tag standing alone becomes its text: `{{< ref "x.md" >}}` its path (so
 *   `[Setup]({{< ref "setup.md" >}})` stays a link), `{% embed url="…" %}` the URL, a
 *   figure its caption; anything else (`{{< youtube id >}}`, `{% include %}`) nothing.
 */
export function templateTagsToContainers(lines: readonly string[]): string[] {
  const tags = pairTags(findTags(lines));
  const output: string[] = [];
  const counter: StepCounter = { step: 0 };
  for (const [index, line] of lines.entries()) {
    const onLine = tags.byLine.get(index);
    if (onLine === undefined) {
      output.push(line);
      continue;
    }
    let text = '';
    let from = 0;
    for (const tag of onLine) {
      text += line.slice(from, tag.start);
      from = tag.end;
      const partner = tags.partners.get(tag);
      if (partner === undefined) {
        text += inlineText(tag);
        continue;
      }
      // A container's tag stands on lines of its own, whatever shared its line.
      if (text.trim() !== '') output.push(text);
      text = '';
      output.push(...containerFence(tag, partner, tags.heights, counter));
    }
    text += line.slice(from);
    if (text.trim() !== '' || onLine.every((tag) => !tags.partners.has(tag))) output.push(text);
  }
  return output;
}

interface StepCounter {
  step: number;
}

interface Tag {
  line: number;
  start: number;
  end: number;
  family: 'liquid' | 'hugo';
  /** Lowercased, without `/` or `end`. */
  name: string;
  closing: boolean;
  /** Positional arguments, then `key="value"` ones by key. */
  positional: string[];
  named: Map<string, string>;
}

// `{% name args %}` / `{%- … -%}`, `{{< name args >}}`, `{{% name args %}}`, `{{< /name >}}`, `{{< name />}}`.
const tagPattern = /\{%-?\s*([\w-]+)((?:[^%]|%(?!\}))*?)-?%\}|\{\{([<%])\s*(\/?)\s*([\w.-]+)(.*?)\s*\/?\s*[>%]\}\}/g;
const argumentPattern = /([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|(\S+))|"([^"]*)"|'([^']*)'|(\S+)/g;

/** Names that are never containers, even when a closing tag follows (`{% embed %}caption{% endembed %}`). */
const inlineNames = new Set(['ref', 'relref', 'embed', 'param', 'figure', 'include', 'youtube', 'vimeo', 'gist', 'tweet', 'x', 'instagram', 'img', 'image']);

function findTags(lines: readonly string[]): Tag[] {
  const tags: Tag[] = [];
  const fenceOf = fenceTracker();
  for (const [line, text] of lines.entries()) {
    if (fenceOf(text)) continue;
    for (const match of text.matchAll(tagPattern)) {
      const liquid = match[1] !== undefined;
      const rawName = (liquid ? match[1] : match[5])?.toLowerCase() ?? '';
      const closing = liquid ? /^end(?!$)/.test(rawName) : match[4] === '/';
      const name = liquid && closing ? rawName.slice(3) : rawName;
      const { positional, named } = parseArguments((liquid ? match[2] : match[6]) ?? '');
      tags.push({ line, start: match.index, end: match.index + match[0].length, family: liquid ? 'liquid' : 'hugo', name, closing, positional, named });
    }
  }
  return tags;
}

function parseArguments(text: string): { positional: string[]; named: Map<string, string> } {
  const positional: string[] = [];
  const named = new Map<string, string>();
  for (const match of text.matchAll(argumentPattern)) {
    if (match[1] !== undefined) named.set(match[1].toLowerCase(), match[2] ?? match[3] ?? match[4] ?? '');
    else positional.push(match[5] ?? match[6] ?? match[7] ?? '');
  }
  return { positional, named };
}

interface PairedTags {
  byLine: Map<number, Tag[]>;
  /** Each container's opening tag with its closing one, and the closing with its opening. */
  partners: Map<Tag, Tag>;
  /** How many containers deep an opening tag's content goes (0: it holds none). */
  heights: Map<Tag, number>;
}

function pairTags(tags: readonly Tag[]): PairedTags {
  const partners = new Map<Tag, Tag>();
  const heights = new Map<Tag, number>();
  const open: Tag[] = [];
  for (const tag of tags) {
    if (inlineNames.has(tag.name)) continue;
    if (!tag.closing) {
      open.push(tag);
      continue;
    }
    const at = open.findLastIndex((candidate) => candidate.name === tag.name && candidate.family === tag.family);
    if (at === -1) continue;
    const opening = open[at]!;
    // Tags opened inside and never closed (`{{< youtube id >}}`) were single tags after all.
    open.length = at;
    partners.set(opening, tag).set(tag, opening);
    const height = heights.get(opening) ?? 0;
    heights.set(opening, height);
    const parent = open.at(-1);
    if (parent) heights.set(parent, Math.max(heights.get(parent) ?? 0, height + 1));
  }
  const byLine = new Map<number, Tag[]>();
  for (const tag of tags) byLine.set(tag.line, [...(byLine.get(tag.line) ?? []), tag]);
  return { byLine, partners, heights };
}

const noteNames = new Set(['note', 'tip', 'info', 'warning', 'caution', 'danger', 'important', 'success', 'error', 'check']);
const kindNames = new Set(['hint', 'notice', 'alert', 'callout', 'admonition']);
const tabsNames = new Set(['tabs', 'tabpane', 'tabbed', 'tabgroup', 'code-group']);
const detailsNames = new Set(['details', 'expand', 'collapse', 'accordion', 'spoiler']);
const stepsNames = new Set(['stepper', 'steps']);

/** The lines a container's opening or closing tag becomes. */
function containerFence(tag: Tag, partner: Tag, heights: ReadonlyMap<Tag, number>, counter: StepCounter): string[] {
  const opening = tag.closing ? partner : tag;
  if (opening.name === 'highlight') return tag.closing ? ['```'] : ['', `\`\`\`${opening.positional[0] ?? ''}`];
  const colons = ':'.repeat(3 + (heights.get(opening) ?? 0));
  if (tag.closing) return ['', colons, ''];
  const { name, label } = directiveFor(opening, counter);
  return ['', `${colons}${name}${label ? `[${label.replace(/[[\]\\]/g, (character) => `\\${character}`)}]` : ''}`, ''];
}

function directiveFor(tag: Tag, counter: StepCounter): { name: string; label?: string } {
  const title = tag.named.get('title') ?? tag.named.get('header') ?? tag.named.get('name') ?? tag.named.get('summary');
  if (noteNames.has(tag.name)) return { name: tag.name, ...labelOf(title ?? tag.positional[0]) };
  if (kindNames.has(tag.name)) {
    const kind = tag.named.get('style') ?? tag.named.get('type') ?? tag.named.get('color') ?? tag.positional[0] ?? 'note';
    return { name: directiveName(kind), ...labelOf(title ?? tag.positional[1]) };
  }
  if (tabsNames.has(tag.name)) return { name: 'tabs' };
  if (tag.name === 'tab') return { name: 'tab', ...labelOf(title ?? tag.positional[0]) };
  if (tag.name === 'code') return { name: 'code', ...labelOf(title) };
  if (detailsNames.has(tag.name)) return { name: 'details', ...labelOf(title ?? tag.positional[0]) };
  if (tag.name === 'step') {
    counter.step += 1;
    return { name: 'tab', label: title ?? `Step ${counter.step}` };
  }
  if (stepsNames.has(tag.name)) counter.step = 0;
  return { name: 'tabs' };
}

function labelOf(title: string | undefined): { label?: string } {
  return title !== undefined && title.trim() !== '' ? { label: title.trim() } : {};
}

function directiveName(kind: string): string {
  const name = kind.toLowerCase().replace(/[^\w-]/g, '');
  return /^[a-z]/.test(name) ? name : 'note';
}

/** A tag that is not a container: its text (a ref's path, an embed's URL, a figure's caption) or nothing. */
function inlineText(tag: Tag): string {
  if (tag.closing) return '';
  switch (tag.name) {
    case 'ref':
    case 'relref':
      return tag.named.get('path') ?? tag.positional[0] ?? '';
    case 'embed': {
      const url = tag.named.get('url') ?? tag.positional[0] ?? '';
      return /^https?:\/\/\S+$/i.test(url) ? `<${url}>` : url;
    }
    default:
      return tag.named.get('caption') ?? tag.named.get('title') ?? tag.named.get('alt') ?? '';
  }
}

/** A line-by-line reader of fenced code: true for a line that opens, is inside or closes a fence. */
function fenceTracker(): (line: string) => boolean {
  let fence: string | null = null;
  return (line) => {
    const opening = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence !== null) {
      if (opening?.startsWith(fence) && line.trim() === opening) fence = null;
      return true;
    }
    if (opening !== undefined) {
      fence = opening;
      return true;
    }
    return false;
  };
}
