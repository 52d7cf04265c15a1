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

/** Chinese characters of the same kind: particles, pronouns, "can", "support", "please". */
const genericHanCharacters = new Set(Array.from('的了吗呢吧啊呀是我你您他她它们在有和与要就都也还可以能会请个这那么一下得地支持用使想需怎办'));

export const genericTerms: ReadonlySet<string> = new Set(genericEnglishWords.flatMap((word) => lexicalTerms(word)));

const hanCharacter = /\p{Script=Han}/u;

export function isHanTerm(term: string): boolean {
  return hanCharacter.test(term);
}

export function isGenericHanCharacter(character: string): boolean {
  return genericHanCharacters.has(character);
}

/** How much a question term says what the question is about: generic question words little, others 1. */
export function topicWeight(term: string): number {
  if (genericTerms.has(term)) return genericTermWeight;
  if (isHanTerm(term) && Array.from(term).every(isGenericHanCharacter)) return genericTermWeight;
  return 1;
}
