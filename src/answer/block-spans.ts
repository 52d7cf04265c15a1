import { announcesBlock, startsWithConnective, withoutConnective } from './discourse.ts';
import type { TextUnit } from './sentences.ts';

/** How much of a block a quoted span keeps; each value is explained where it is used. */
export const blockSpanDefaults = {
  /** A code block, list or table is quoted whole up to this many lines… */
  maxBlockLines: 25,
  /** …and this many characters; a longer one is cut at a line boundary and ends with "…". */
  maxBlockCharacters: 1500,
  /** The whole span (introductions and blocks); an earlier step that would pass it is left out. */
  maxSpanCharacters: 2000,
  /** Sentences of the paragraph before a block taken as its introduction. */
  maxIntroSentences: 2,
};
export type BlockSpanLimits = typeof blockSpanDefaults;

/** One part of a quoted span, as Markdown: prose, a list, a table or a fenced code block. */
export interface SpanPart {
  kind: 'prose' | 'list' | 'table' | 'code';
  text: string;
}

/**
 * A block of a passage (a code block, list or table) with the sentences that introduce
 * it: what a how-to answer quotes. When its introduction opens with a connective
 * ("Then use it:"), the step before it (its introduction and block) comes first.
 */
export interface BlockSpan {
  parts: SpanPart[];
  /** Position of the span's first unit in the passage. */
  position: number;
  /** The introducing prose of every step in the span, joined. */
  intro: string;
  /** The blocks' own text (code, items, rows), joined. */
  body: string;
  /** Whether the introduction announces the block (ends with ":" or "as follows"). */
  announced: boolean;
  /**
   * Whether the block shows what the reader sees (an error message, a log, a command's
   * output) rather than what to write or run: it illustrates the problem, it is not the answer.
   */
  showsOutput: boolean;
}

interface Group {
  kind: TextUnit['kind'];
  units: TextUnit[];
  position: number;
}

const numberedItem = /^\s*[（(]?(\d{1,3})[.)、）．]/u;
const fenceLine = /^\s*(`{3,}|~{3,})/;
const hanEnd = /[\p{Script=Han}。！？；：，]$/u;

/**
 * The spans of a passage: each code block, list (two items or more, or one announced)
 * and table, with the prose that introduces it. A list that starts mid-way ("6. Click
 * Save") is skipped: half a procedure misleads.
 */
export function blockSpans(units: readonly TextUnit[], limits: BlockSpanLimits = blockSpanDefaults): BlockSpan[] {
  const groups = groupUnits(units);
  const spans: BlockSpan[] = [];
  groups.forEach((group, index) => {
    if (group.kind === 'sentence') return;
    const step = stepAt(groups, index, limits);
    if (!step) return;
    const { intro, announced } = step;
    const listItems = group.kind === 'list-item' ? group.units.length : 0;
    if (group.kind === 'list-item' && (startsMidList(group) || (listItems < 2 && !announced))) return;
    let parts = step.parts;
    let position = step.position;
    let introText = intro;
    // An introduction that opens with "Then…" needs the step before it.
    if (intro && startsWithConnective(intro)) {
      const before = step.introGroup > 0 ? stepAt(groups, step.introGroup - 1, limits) : undefined;
      const combined = before ? [...before.parts, ...parts] : undefined;
      const paragraph = step.introGroup > 0 ? groups[step.introGroup - 1] : undefined;
      if (before && length(combined!) <= limits.maxSpanCharacters) {
        parts = combined!;
        position = before.position;
        introText = [before.intro, intro].filter(Boolean).join(' ');
      } else if (!before && paragraph?.kind === 'sentence') {
        // "To re-enable counting, open the console." ¶ "Then paste the following command:": the paragraph before says what "Then" follows.
        const lead = paragraph.units.slice(-limits.maxIntroSentences);
        introText = joinProse([...lead.map((unit) => unit.text), intro]);
        parts = [{ kind: 'prose', text: introText }, ...parts.filter((part) => part.kind !== 'prose')];
        position = paragraph.position + paragraph.units.length - lead.length;
      } else {
        // No room for what "Then" points back to: the introduction without its connective, or none.
        const stated = withoutConnective(intro);
        parts = stated ? [{ kind: 'prose', text: stated }, ...parts.filter((part) => part.kind !== 'prose')] : parts.filter((part) => part.kind !== 'prose');
        introText = stated ?? '';
      }
    }
    if (length(parts) > limits.maxSpanCharacters) return;
    spans.push({
      parts,
      position,
      intro: introText,
      body: parts.filter((part) => part.kind !== 'prose').map((part) => part.text).join('\n'),
      announced: announced && introText.length > 0,
      showsOutput: group.kind === 'code' && showsOutput(group.units[0]!.text, intro),
    });
  });
  return spans;
}

/** The block of group `index` with the prose right before it: its parts, where it starts, its introduction. */
function stepAt(groups: readonly Group[], index: number, limits: BlockSpanLimits) {
  const group = groups[index]!;
  if (group.kind === 'sentence') return undefined;
  const block = renderBlock(group, limits);
  if (!block) return undefined;
  const previous = groups[index - 1];
  const introUnits = previous?.kind === 'sentence' ? introSentences(previous.units, limits.maxIntroSentences) : [];
  const intro = joinProse(introUnits.map((unit) => unit.text));
  const parts: SpanPart[] = intro ? [{ kind: 'prose', text: intro }, block] : [block];
  return {
    parts,
    intro,
    announced: introUnits.length > 0 && announcesBlock(introUnits.at(-1)!.text),
    position: intro ? previous!.position + previous!.units.length - introUnits.length : group.position,
    introGroup: intro ? index - 1 : index,
  };
}

/** The last sentence of a paragraph, and the one before it when the last leans on it ("Then run:"). */
function introSentences(sentences: readonly TextUnit[], maxSentences: number): TextUnit[] {
  const chosen = [sentences.at(-1)!];
  while (chosen.length < maxSentences && startsWithConnective(chosen[0]!.text)) {
    const before = sentences[sentences.length - chosen.length - 1];
    if (!before) break;
    chosen.unshift(before);
  }
  return chosen;
}

// Units of one paragraph, list or table form a group; every code block is one.
function groupUnits(units: readonly TextUnit[]): Group[] {
  const groups: Group[] = [];
  units.forEach((unit, position) => {
    const last = groups.at(-1);
    if (last && unit.kind !== 'code' && last.kind === unit.kind && last.units.at(-1)!.block === unit.block) last.units.push(unit);
    else groups.push({ kind: unit.kind, units: [unit], position });
  });
  return groups;
}

/** Fence labels of a block that holds no program: output, logs, plain text. */
const plainFence = /^\s*(?:`{3,}|~{3,})\s*(?:text|txt|log|logs|plain|plaintext|output|console|sh-session)?\s*(?:\S*=\S*\s*)*$/iu;
/** An introduction presenting what the reader will see: "you'll see an error like", "会出现…的报错", "输出如下". */
const presentsOutput = /\b(?:errors?|warnings?|output|you(?:'ll| will)? see)\b|报错|错误|出错|警告|输出|日志/iu;
/** Lines only output holds: an error, a failure, a stack frame, a progress message. */
const outputLine = /\b(?:error|failed|failure|warning|exception|not found|cannot|can't|completed|disconnected)\b|^\s*(?:at\s+\S+\s+\(|[»➜✔✖⚠]|ERR!)/imu;

/**
 * Whether a code block shows output rather than code: an unlabelled or plain-text
 * fence whose introduction presents what the reader sees, or whose lines are errors and
 * progress messages. A labelled block (```js, ```bash) is code even when it prints.
 */
export function showsOutput(code: string, intro: string): boolean {
  const lines = code.split('\n');
  if (!plainFence.test(lines[0]!) || !fenceLine.test(lines[0]!)) return false;
  return presentsOutput.test(intro) || outputLine.test(lines.slice(1).join('\n'));
}

function startsMidList(group: Group): boolean {
  const number = numberedItem.exec(group.units[0]!.text)?.[1];
  return number !== undefined && Number(number) > 1;
}

function renderBlock(group: Group, limits: BlockSpanLimits): SpanPart | undefined {
  switch (group.kind) {
    case 'code': {
      const code = renderCode(group.units[0]!.text, limits);
      return code === undefined ? undefined : { kind: 'code', text: code };
    }
    case 'table-row': {
      const rows = group.units.map((unit) => unit.text);
      const header = rows[0]!;
      const columns = Math.max(1, header.replace(/^\s*\||\|\s*$/g, '').split('|').length);
      const separator = `|${' --- |'.repeat(columns)}`;
      const kept = linesWithin(rows.slice(1), limits, header.length + separator.length);
      return { kind: 'table', text: [header, separator, ...kept].join('\n') + (kept.length < rows.length - 1 ? '\n\n…' : '') };
    }
    default: {
      const items = group.units.map((unit) => unit.text);
      const kept = linesWithin(items, limits, 0);
      return { kind: 'list', text: kept.join('\n') + (kept.length < items.length ? '\n…' : '') };
    }
  }
}

/**
 * A fenced block as quoted: whole when it fits, else its first lines and a "…" line
 * inside the fence, which is closed even when the chunk cut it off.
 */
function renderCode(text: string, limits: BlockSpanLimits): string | undefined {
  const lines = text.split('\n');
  const opening = fenceLine.exec(lines[0]!);
  if (!opening) return text; // a shell line ("$ npm install …") outside a fence
  const closed = lines.length > 1 && fenceLine.test(lines.at(-1)!);
  const body = lines.slice(1, closed ? -1 : undefined);
  if (body.every((line) => line.trim() === '')) return undefined;
  const kept = linesWithin(body, limits, 0);
  const cut = kept.length < body.length || !closed;
  return [lines[0]!, ...kept, ...(cut ? ['…'] : []), closed ? lines.at(-1)! : opening[1]!].join('\n');
}

/** The leading lines that fit in maxBlockLines and maxBlockCharacters (at least one). */
function linesWithin(lines: readonly string[], limits: BlockSpanLimits, used: number): string[] {
  const kept: string[] = [];
  let characters = used;
  for (const line of lines) {
    if (kept.length > 0 && (kept.length >= limits.maxBlockLines || characters + line.length + 1 > limits.maxBlockCharacters)) break;
    kept.push(line);
    characters += line.length + 1;
  }
  return kept;
}

function joinProse(sentences: readonly string[]): string {
  return sentences.reduce((text, sentence) => (text === '' ? sentence : `${text}${hanEnd.test(text) ? '' : ' '}${sentence}`), '');
}

function length(parts: readonly SpanPart[]): number {
  return parts.reduce((sum, part) => sum + part.text.length + 2, 0);
}
