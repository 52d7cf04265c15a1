/**
 * Citation markers, the one place that knows what they look like. Oriole writes `[n]`
 * (n the citation's 1-based index); models write a marker group in any of the forms
 * below, which the answer stage reads and rewrites to `[n]`. Everything that finds,
 * strips or renumbers markers (the answer stage, the chat route, the evals, the bench)
 * calls these functions, so all of them agree on what is a marker.
 *
 * A marker holds one to three digits: no answer has a thousand passages, and "[2024]"
 * in a sentence is a year, not a citation. An escaped bracket (`\[1\]`, which Markdown
 * renders as "[1]") is never a marker: that is how a bracketed number quoted from a
 * document is written, so a document cannot cite another document.
 */

// [1], [1, 2], [^1], [1，2], [1、2] and 【1】, 【1, 2】; not \[1\].
const bracketMarker = String.raw`(?<!\\)\[\^?\d{1,3}(?:\s*[,，、]\s*\^?\d{1,3})*\]`;
const lenticularMarker = String.raw`(?<!\\)【\d{1,3}(?:\s*[,，、]\s*\d{1,3})*】`;
const oneMarker = `(?:${bracketMarker}|${lenticularMarker})`;

const markerPattern = new RegExp(oneMarker, 'gu');
const anyMarker = new RegExp(oneMarker, 'u');
// A run of markers with the horizontal space before and between them: "text [1] [2]", "text[1][2]".
const markerGroupPattern = new RegExp(String.raw`([^\S\n]*)((?:[^\S\n]*${oneMarker})+)`, 'gu');
const markerWithSpaceBefore = new RegExp(String.raw`\s*${oneMarker}`, 'gu');
const wholeMarker = new RegExp(`^${oneMarker}$`, 'u');
// Markers opening a text, with the horizontal space around them: "[1] [2] Next…".
const leadingMarkers = new RegExp(String.raw`^(?:[^\S\n]*${oneMarker})+[^\S\n]*`, 'u');
// A beginning that can still grow into a marker: "[", "[1", "[1, ", "【2".
const markerBeginning = /^(?:\[\^?(?:\d{1,3}(?:\s*[,，、]\s*\^?\d{0,3})*)?|【(?:\d{1,3}(?:\s*[,，、]\s*\d{0,3})*)?)$/u;
// "text.[1] Next": Oriole's markers after the punctuation that ends their sentence.
const markersAfterSentenceEnd = /(\S)([.!?。！？]+)[^\S\n]*((?:\[\d{1,3}\])+)/gu;
const hanCharacter = /\p{Script=Han}/u;

/** The longest text a marker can be ("[^123, 45, 6]" and some slack for spaces). */
export const maxMarkerLength = 24;

/** The marker Oriole writes for citation (or passage) `index`: "[3]". */
export function citationMarker(index: number): string {
  return `[${index}]`;
}

/** Oriole's markers for several citations, side by side: "[1][3]". */
export function citationMarkers(indexes: readonly number[]): string {
  return indexes.map(citationMarker).join('');
}

/** The numbers of every marker in `text`, in order, repeats kept: "a [1, 2]. b【1】" → [1, 2, 1]. */
export function markerNumbers(text: string): number[] {
  return Array.from(text.matchAll(markerPattern), (match) => numbersIn(match[0])).flat();
}

/** Whether `text` contains a marker in any form. */
export function hasMarker(text: string): boolean {
  return anyMarker.test(text);
}

/** `text` without its markers and the whitespace before each: "Refunds take a week [1]." → "Refunds take a week.". */
export function stripMarkers(text: string): string {
  return text.replace(markerWithSpaceBefore, '');
}

/** Whether `text` is exactly one marker. */
export function isMarker(text: string): boolean {
  return wholeMarker.test(text);
}

/**
 * `text` with every marker-like bracketed number escaped so that it is not a marker:
 * "Sources: [1]" → "Sources: \[1\]", "见【2】" → "见\[2\]". Markdown shows "[1]"; for text
 * quoted from a document, which the service did not number.
 */
export function escapeMarkers(text: string): string {
  return text.replace(markerPattern, (marker) => `\\[${marker.slice(1, -1)}\\]`);
}

/** How many characters of `text` are markers (and the space around them) before anything else: "[1] Next" → 4. */
export function leadingMarkersLength(text: string): number {
  return leadingMarkers.exec(text)?.[0].length ?? 0;
}

/** Whether `text` may be the start of a marker still being streamed ("[1", "【"). */
export function couldBeginMarker(text: string): boolean {
  return markerBeginning.test(text);
}

/** The numbers inside one marker or group of markers: "[1, 2][5]" → [1, 2, 5]. */
export function numbersIn(markers: string): number[] {
  return Array.from(markers.matchAll(/\d+/g), (match) => Number(match[0]));
}

/**
 * Rewrites each run of markers ("[1] [2]", "[1, 2]", "【3】") with what `rewrite` makes of
 * its numbers; `spaced` tells whether the run was preceded by horizontal space.
 */
export function replaceMarkerGroups(text: string, rewrite: (numbers: number[], spaced: boolean) => string): string {
  return text.replace(markerGroupPattern, (_group, leading: string, markers: string) =>
    rewrite(numbersIn(markers), leading.length > 0),
  );
}

/** Rewrites each of Oriole's `[n]` markers with what `rewrite` makes of its number and text. */
export function replaceMarkers(text: string, rewrite: (index: number, marker: string) => string): string {
  return text.replace(/(?<!\\)\[(\d{1,3})\]/g, (marker, index: string) => rewrite(Number(index), marker));
}

/**
 * Moves Oriole's markers before the punctuation that ends their sentence, so a marker
 * stays with its sentence: "text.[1] Next" → "text [1]. Next", "有效。[1]" → "有效[1]。".
 */
export function markersBeforeSentenceEnd(text: string): string {
  return text.replace(markersAfterSentenceEnd, (_match, before: string, end: string, markers: string) =>
    `${before}${hanCharacter.test(before) ? '' : ' '}${markers}${end}`,
  );
}
