/**
 * How a sentence leans on its neighbours: one that announces what follows ("Install
 * with:", "…is written as follows.", "配置如下：") says nothing without the block after
 * it, and one that opens with a connective ("Then…", "However…", "相比之下…", "此外…")
 * says little without the sentence before it. The extractive reader quotes neither
 * alone.
 */

// "Install with:", "…as follows.", "…the following:", "…like this:", "如下：", "以下命令。"
const announcingEnd =
  /(?:[:：]|\b(?:as follows|the following(?: \w+){0,2}|like (?:this|so)|below|this way)\s*[.:。]?|(?:如下|以下|下面|下列)[\p{Script=Han}]{0,6}[。：:]?)\s*$/iu;

/** Whether `sentence` announces a block that follows it ("Install with:", "…as follows."). */
export function announcesBlock(sentence: string): boolean {
  return announcingEnd.test(sentence.trim());
}

const englishConnectives = [
  'additionally', 'afterwards', 'after that', 'alternatively', 'also', 'and', 'as a result', 'besides', 'but',
  'by contrast', 'consequently', 'conversely', 'finally', 'for this reason', 'furthermore', 'hence', 'however',
  'in addition', 'in contrast', 'in that case', 'in this case', 'instead', 'likewise', 'meanwhile', 'moreover',
  'nevertheless', 'next', 'nonetheless', 'on the other hand', 'or', 'otherwise', 'similarly', 'so', 'still',
  'then', 'therefore', 'thus', 'yet',
];
const chineseConnectives = [
  '相比之下', '与此相反', '除此之外', '另一方面', '此外', '然而', '但是', '不过', '另外', '因此', '所以', '然后', '接着',
  '同时', '而且', '并且', '否则', '反之', '因而', '于是', '其次', '最后', '同样', '但', '而',
];
const englishConnective = `(?:${englishConnectives.map((word) => word.replace(/ /g, '\\s+')).join('|')})`;
const chineseConnective = `(?:${chineseConnectives.join('|')})`;
const connectiveStart = new RegExp(`^(?:${englishConnective}\\b[,\\s]|${chineseConnective})`, 'iu');
const setOffConnective = new RegExp(`^(?:${englishConnective},|${chineseConnective}[，,])\\s*`, 'iu');

/** Whether `sentence` opens with a connective that points back at the sentence before it ("Then", "However", "此外"). */
export function startsWithConnective(sentence: string): boolean {
  return connectiveStart.test(sentence.trim());
}

/**
 * `sentence` without a connective set off by a comma ("However, the token…" → "The
 * token…", "此外，…" → "…"): what it states, for when the sentence it points back at
 * cannot be quoted. Undefined when the connective is part of the clause ("Then run…").
 */
export function withoutConnective(sentence: string): string | undefined {
  const match = setOffConnective.exec(sentence.trim());
  if (!match) return undefined;
  const rest = sentence.trim().slice(match[0].length);
  return rest.length === 0 ? undefined : rest[0]!.toLocaleUpperCase() + rest.slice(1);
}
