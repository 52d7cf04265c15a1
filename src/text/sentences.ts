/**
 * The one sentence splitter: the chunker cuts chunks between these sentences and the
 * answer stage checks citations sentence by sentence, so both must agree on where a
 * sentence ends.
 *
 * Sentence boundaries come from `Intl.Segmenter` (Unicode UAX #29 through Node's ICU),
 * which already keeps decimals, versions, URLs, file names and e-mail addresses whole,
 * keeps closing quotes and brackets with their sentence, and splits Chinese after
 * 。！？ with no spaces. Node's ICU ignores the abbreviation-suppression locale option,
 * so three fixes are applied on top: no break after a known abbreviation ("Mr.",
 * "e.g.") or an inline list number ("Steps: 1."), and a break after the Chinese
 * semicolon ；, which UAX #29 does not treat as a sentence end.
 */
const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });

/**
 * Segmenting one long string takes time quadratic in its length on Node 20 (a 400 kB
 * paragraph takes seconds), so text is fed to the segmenter in windows of about this
 * many characters, cut where a sentence visibly ends.
 */
const windowCharacters = 2000;
const likelySentenceEnd = /[.!?]['"”’)\]]*\s+(?=[\p{Lu}\p{Lo}"'“‘([])|[。！？；][”’」』）》】]*\s*(?=\S)/gu;

/**
 * Words that end with a period but almost never end a sentence (lower-cased, without
 * the final period). "No." and "p." are left out: before a number UAX #29 already keeps
 * them, and "The answer is no." does end a sentence. "etc." is left out too: it ends
 * sentences as often as not.
 */
const abbreviations = new Set([
  'mr', 'mrs', 'ms', 'dr', 'prof', 'sr', 'jr', 'st', 'mt',
  'e.g', 'i.e', 'eg', 'ie', 'cf', 'vs', 'viz', 'approx', 'incl', 'esp', 'fig', 'figs', 'vol', 'dept',
]);

const openingPunctuation = /^[("'“‘[]+/u;
const inlineEnumerator = /(?:^|:)\s*(?:\d{1,2}|[A-Za-z])\.$/u;
// After ； and any closing quotes or brackets that follow it, never between them.
const afterChineseSemicolon = /(?<=；[”’」』）》】"')\]]*\s*)(?=[^\s”’」』）》】"')\]])/u;

/** The sentences of `text`, trimmed, each keeping its closing punctuation. */
export function splitSentences(text: string): string[] {
  return sentenceSlices(text)
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence.length > 0);
}

/** The sentences of `text` with the whitespace that follows each: they concatenate back to `text`. */
export function sentenceSlices(text: string): string[] {
  const prepared = softenLineBreaks(text);
  const slices: string[] = [];
  for (let start = 0; start < text.length; ) {
    const end = windowEnd(prepared, start);
    for (const { index, segment } of segmenter.segment(prepared.slice(start, end))) {
      slices.push(...text.slice(start + index, start + index + segment.length).split(afterChineseSemicolon));
    }
    start = end;
  }
  return joinFalseBreaks(slices);
}

/**
 * Where the window starting at `start` ends: after the last likely sentence end in it,
 * else after its last space. A false cut (after "Mr.") is mended by joinFalseBreaks;
 * a text with no sentence end or space for 2000 characters is cut anyway, which only
 * matters to a "sentence" far longer than any chunk.
 */
function windowEnd(text: string, start: number): number {
  if (text.length - start <= windowCharacters) return text.length;
  const window = text.slice(start, start + windowCharacters);
  const ends = Array.from(window.matchAll(likelySentenceEnd), (match) => match.index + match[0].length);
  const cut = ends.at(-1) ?? window.search(/\s\S*$/) + 1;
  return start + (cut > 0 ? cut : windowCharacters);
}

/**
 * UAX #29 breaks at every line break, but a single line break inside a paragraph is
 * usually a soft wrap; only a blank line is kept as a boundary. Same length, so the
 * segmenter's offsets index the original text.
 */
function softenLineBreaks(text: string): string {
  return text
    .replace(/\r/g, ' ')
    .replace(/[ \t]*\n(?:[ \t]*\n)*/g, (run) => (run.indexOf('\n') === run.lastIndexOf('\n') ? run.replace('\n', ' ') : run));
}

function joinFalseBreaks(slices: string[]): string[] {
  const sentences: string[] = [];
  let pending = '';
  for (const slice of slices) {
    pending += slice;
    if (!continuesAfter(pending)) {
      sentences.push(pending);
      pending = '';
    }
  }
  if (pending.length > 0) sentences.push(pending);
  return sentences;
}

function continuesAfter(sentence: string): boolean {
  const trimmed = sentence.trimEnd();
  if (!trimmed.endsWith('.')) return false;
  if (inlineEnumerator.test(trimmed)) return true;
  const lastWord = (trimmed.split(/\s/).at(-1) ?? '').replace(openingPunctuation, '').slice(0, -1);
  return abbreviations.has(lastWord.toLowerCase());
}
