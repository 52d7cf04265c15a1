import { lexicalTerms } from '../retrieval/index.ts';

/**
 * Words of help questions that name no topic ("Is it possible to…", "How long does it
 * take…", "Do you support…"): a passage lacking them still answers the question, so
 * they weigh this much against a topic word's 1.
 */
export const genericTermWeight = 0.25;

const genericEnglishWords = [
  'able', 'allow', 'anyway', 'available', 'do', 'doe', 'find', 'get', 'go', 'happen', 'hello', 'help', 'hi',
  'know', 'let', 'long', 'make', 'many', 'much', 'need', 'now', 'ok', 'okay', 'option', 'please', 'possible',
  'see', 'something', 'still', 'support', 'take', 'tell', 'thank', 'thanks', 'thing', 'use', 'want', 'way',
  'work', 'there', 'happens', 'again', 'anything', 'someone', 'somebody', 'everything', 'set', 'up', 'turn',
  'start', 'offer', 'provide', 'exist', 'anyone',
];

/**
 * Words that ask for a comparison, a meaning or an example ("difference", "mean",
 * "区别", "意思") name no topic either: "What is the difference between ref and
 * reactive?" is about ref and reactive.
 */
const questionFrameWords = [
  'difference', 'different', 'compare', 'comparison', 'versus', 'vs', 'mean', 'meaning', 'explain', 'example',
  'best', 'correct', 'right', 'properly', 'recommended',
];

/**
 * Verbs of the action asked about ("protect", "add", "enable"): they say less about
 * the topic than its nouns and identifiers, and the page that answers often uses
 * another verb for it, so they weigh this much against a topic word's 1.
 */
export const actionTermWeight = 0.5;
const actionVerbs = [
  'access', 'add', 'allow', 'apply', 'call', 'change', 'check', 'choose', 'create', 'define', 'delete', 'disable',
  'display', 'edit', 'enable', 'fix', 'handle', 'implement', 'modify', 'pass', 'prevent', 'protect', 'put', 'read',
  'remove', 'return', 'run', 'select', 'send', 'show', 'stop', 'update', 'write',
];

/**
 * A code identifier in a question (`app.use`, `import.meta.env`, `max_retries`) names
 * exactly what is asked about: it weighs this much against a plain topic word's 1.
 */
export const identifierTermWeight = 1.5;
// The tokenizer keeps '.' and '_' only inside compounds such as `app.use` or `max_retries`.
const identifier = /[._]/u;

/** Chinese characters of the same kind: particles, pronouns, "can", "support", "please". */
const genericHanCharacters = new Set(Array.from('的了吗呢吧啊呀是我你您他她它们在有和与要就都也还可以能会请个这那么一下得地支持用使想需怎办'));

/**
 * Chinese words of the question's frame (the bigrams the tokenizer makes of them):
 * comparisons, meanings, ways and steps. They weigh as generic words, and their
 * characters count only where a topic word has them too.
 */
export const genericHanWords: ReadonlySet<string> = new Set([
  '区别', '不同', '差异', '差别', '对比', '比较', '意思', '含义', '作用', '用途', '用法', '方法', '方式', '办法', '步骤',
  '问题', '情况', '可以', '需要', '应该', '为何', '能否', '正确', '推荐',
]);

export const genericTerms: ReadonlySet<string> = new Set(
  [...genericEnglishWords, ...questionFrameWords].flatMap((word) => lexicalTerms(word)),
);
const actionTerms: ReadonlySet<string> = new Set(actionVerbs.flatMap((word) => lexicalTerms(word)));

const hanCharacter = /\p{Script=Han}/u;

export function isHanTerm(term: string): boolean {
  return hanCharacter.test(term);
}

export function isGenericHanCharacter(character: string): boolean {
  return genericHanCharacters.has(character);
}

/**
 * How much a question term says what the question is about: generic question words
 * little, action verbs half, code identifiers more, other terms (topic nouns) 1.
 */
export function topicWeight(term: string): number {
  if (genericTerms.has(term) || genericHanWords.has(term)) return genericTermWeight;
  if (isHanTerm(term) && Array.from(term).every(isGenericHanCharacter)) return genericTermWeight;
  if (actionTerms.has(term)) return actionTermWeight;
  if (identifier.test(term)) return identifierTermWeight;
  return 1;
}

/**
 * A misspelled question term ("disconect", "plugn", "envirn") occurs in no chunk of the
 * KB; one within this many edits of a passage term, per this many characters of its
 * length, is taken as that term. Terms shorter than minMisspeltTermLength are too short
 * to tell a typo from another word ("ios" and "io").
 */
export const misspellingEditsPerCharacters = 6;
export const minMisspeltTermLength = 5;

/**
 * The term of `vocabulary` that `term` most likely misspells: the closest within
 * misspellingEdits edits sharing its first letter, or undefined. Han terms are not
 * spelled, so never match.
 */
export function correctedSpelling(term: string, vocabulary: Iterable<string>): string | undefined {
  if (term.length < minMisspeltTermLength || isHanTerm(term)) return undefined;
  const maxEdits = Math.max(1, Math.floor(term.length / misspellingEditsPerCharacters));
  let best: string | undefined;
  let bestEdits = maxEdits + 1;
  for (const candidate of vocabulary) {
    if (candidate[0] !== term[0] || Math.abs(candidate.length - term.length) > maxEdits) continue;
    const edits = editDistance(term, candidate, bestEdits);
    if (edits < bestEdits) [best, bestEdits] = [candidate, edits];
  }
  return best;
}

/** Edits (insertions, deletions, substitutions, swaps of neighbours) from one to the other, or `bound` once it is known to reach it. */
function editDistance(left: string, right: string, bound: number): number {
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let row = 1; row <= left.length; row++) {
    const current = [row];
    let rowMinimum = row;
    for (let column = 1; column <= right.length; column++) {
      const substitution = previous[column - 1]! + (left[row - 1] === right[column - 1] ? 0 : 1);
      let value = Math.min(substitution, previous[column]! + 1, current[column - 1]! + 1);
      const swapped = row > 1 && column > 1 && left[row - 1] === right[column - 2] && left[row - 2] === right[column - 1];
      if (swapped) value = Math.min(value, beforePrevious[column - 2]! + 1);
      current.push(value);
      rowMinimum = Math.min(rowMinimum, value);
    }
    if (rowMinimum >= bound) return bound;
    beforePrevious = previous;
    previous = current;
  }
  return Math.min(previous[right.length]!, bound);
}
