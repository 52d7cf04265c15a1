/**
 * One KB's BM25 index held in memory: the postings of every chunk in typed arrays,
 * scored exactly as `searchLexical` (src/db/lexical-index.ts) scores them in SQL: the
 * same idf, length normalisation, rounding to 1e-9 and chunk-id tie-break. Pure:
 * built from what src/db/lexical-snapshot.ts reads, never touching storage itself.
 * docs/lexical-retrieval.md ("In-process index") has the design and its figures.
 */

/** A chunk of the index's input: its id, document and length in terms. */
export interface Bm25Chunk {
  id: number;
  documentId: string;
  termCount: number;
}

/** One term's postings among the chunks given: parallel arrays. */
export interface Bm25TermPostings {
  term: string;
  chunkIds: Float64Array;
  frequencies: Int32Array;
}

/** What the index holds: a snapshot of one KB at one version. Immutable; a change builds a new one. */
export interface Bm25Index {
  readonly version: number;
  /** Chunks, by slot. */
  readonly chunkCount: number;
  readonly chunkIds: Float64Array;
  readonly termCounts: Int32Array;
  /** Each slot's document, as an index into `documentIds`. */
  readonly documentOf: Int32Array;
  readonly documentIds: readonly string[];
  readonly termTotal: number;
  /** Term → its row in the CSR arrays: postings of term t are [offsets[t], offsets[t + 1]). */
  readonly terms: ReadonlyMap<string, number>;
  readonly offsets: Int32Array;
  readonly postingSlots: Int32Array;
  readonly postingFrequencies: Int32Array;
  /** Bytes the typed arrays and strings take, roughly: what the cache's budget counts. */
  readonly estimatedBytes: number;
}

export interface Bm25Query {
  /** Repeats count once. */
  terms: readonly string[];
  limit: number;
  k1: number;
  b: number;
  /** Only chunks of these documents (indexes into `documentIds`) are returned; statistics stay the KB's. */
  allowedDocuments?: Uint8Array;
}

export interface Bm25Match {
  chunkId: string;
  documentId: string;
  score: number;
}

/** As in src/db/lexical-index.ts: identical chunks tie exactly, whatever order the sum ran in. */
const scoreScale = 1e9;

/** The index of every chunk and posting of a KB at `version`. */
export function buildBm25Index(version: number, chunks: readonly Bm25Chunk[], postings: readonly Bm25TermPostings[]): Bm25Index {
  return assemble(version, chunks, null, postings);
}

/**
 * The index of the KB at `version` from an older index of it: `chunks` are all the KB's
 * chunks now, `added` the postings of those the older index does not hold (a chunk whose
 * length changed counts as new). Chunks gone from `chunks` leave; the rest keep their
 * postings, so only what changed is read from the database.
 */
export function patchBm25Index(
  previous: Bm25Index,
  version: number,
  chunks: readonly Bm25Chunk[],
  added: readonly Bm25TermPostings[],
): Bm25Index {
  return assemble(version, chunks, previous, added);
}

/** Chunks of `chunks` whose postings `index` does not hold (new, or rewritten with another length). */
export function chunksMissingFrom(index: Bm25Index | null): (chunk: Bm25Chunk) => boolean {
  if (!index) return () => true;
  const held = heldLengths(index);
  return (chunk) => held.get(chunk.id) !== chunk.termCount;
}

function heldLengths(index: Bm25Index): Map<number, number> {
  const held = new Map<number, number>();
  for (let slot = 0; slot < index.chunkCount; slot++) held.set(index.chunkIds[slot]!, index.termCounts[slot]!);
  return held;
}

function assemble(
  version: number,
  chunks: readonly Bm25Chunk[],
  previous: Bm25Index | null,
  added: readonly Bm25TermPostings[],
): Bm25Index {
  // Slots in ascending chunk id, so a scan in slot order meets ties in tie-break order.
  const ordered = [...chunks].sort((left, right) => left.id - right.id);
  const chunkCount = ordered.length;
  const chunkIds = new Float64Array(chunkCount);
  const termCounts = new Int32Array(chunkCount);
  const documentOf = new Int32Array(chunkCount);
  const documentIndex = new Map<string, number>();
  const documentIds: string[] = [];
  const slotOf = new Map<number, number>();
  let termTotal = 0;
  for (const [slot, chunk] of ordered.entries()) {
    chunkIds[slot] = chunk.id;
    termCounts[slot] = chunk.termCount;
    termTotal += chunk.termCount;
    let document = documentIndex.get(chunk.documentId);
    if (document === undefined) {
      document = documentIds.length;
      documentIndex.set(chunk.documentId, document);
      documentIds.push(chunk.documentId);
    }
    documentOf[slot] = document;
    slotOf.set(chunk.id, slot);
  }

  // Old slot → new slot, or -1 for a chunk that left or was rewritten (its postings come again in `added`).
  const kept = new Int32Array(previous?.chunkCount ?? 0).fill(-1);
  if (previous) {
    const current = new Map(ordered.map((chunk) => [chunk.id, chunk.termCount]));
    for (let slot = 0; slot < previous.chunkCount; slot++) {
      const id = previous.chunkIds[slot]!;
      if (current.get(id) === previous.termCounts[slot]) kept[slot] = slotOf.get(id)!;
    }
  }

  // Count each term's postings first (CSR), then fill.
  const counts = new Map<string, number>();
  if (previous) {
    for (const [term, row] of previous.terms) {
      let count = 0;
      for (let at = previous.offsets[row]!; at < previous.offsets[row + 1]!; at++) if (kept[previous.postingSlots[at]!]! >= 0) count++;
      if (count > 0) counts.set(term, count);
    }
  }
  for (const postings of added) {
    let count = 0;
    for (const id of postings.chunkIds) if (slotOf.has(id)) count++;
    if (count > 0) counts.set(postings.term, (counts.get(postings.term) ?? 0) + count);
  }
  const terms = new Map<string, number>();
  const offsets = new Int32Array(counts.size + 1);
  let total = 0;
  for (const [term, count] of counts) {
    offsets[terms.size] = total;
    terms.set(term, terms.size);
    total += count;
  }
  offsets[terms.size] = total;
  const postingSlots = new Int32Array(total);
  const postingFrequencies = new Int32Array(total);
  const filled = offsets.slice(0, terms.size);
  if (previous) {
    for (const [term, row] of previous.terms) {
      const into = terms.get(term);
      if (into === undefined) continue;
      for (let at = previous.offsets[row]!; at < previous.offsets[row + 1]!; at++) {
        const slot = kept[previous.postingSlots[at]!]!;
        if (slot < 0) continue;
        postingSlots[filled[into]!] = slot;
        postingFrequencies[filled[into]!++] = previous.postingFrequencies[at]!;
      }
    }
  }
  for (const postings of added) {
    const into = terms.get(postings.term);
    if (into === undefined) continue;
    for (let at = 0; at < postings.chunkIds.length; at++) {
      const slot = slotOf.get(postings.chunkIds[at]!);
      if (slot === undefined) continue;
      postingSlots[filled[into]!] = slot;
      postingFrequencies[filled[into]!++] = postings.frequencies[at]!;
    }
  }

  let termBytes = 0;
  for (const term of terms.keys()) termBytes += 2 * term.length + 64;
  const estimatedBytes =
    chunkCount * (8 + 4 + 4) + documentIds.length * 100 + offsets.byteLength + postingSlots.byteLength + postingFrequencies.byteLength + termBytes;
  return { version, chunkCount, chunkIds, termCounts, documentOf, documentIds, termTotal, terms, offsets, postingSlots, postingFrequencies, estimatedBytes };
}

/** Which of `terms` occur in at least one chunk of the index. */
export function termsInIndex(index: Bm25Index, terms: readonly string[]): Set<string> {
  return new Set(terms.filter((term) => index.terms.has(term)));
}

/** Scratch arrays reused across searches of one index: searching is synchronous, so one set serves all. */
const scratch = new WeakMap<Bm25Index, { scores: Float64Array; touched: Int32Array }>();
/** Each slot's k1 · (1 − b + b · dl / avgdl) for one (k1, b), computed once per index: the same float the SQL computes per row. */
const lengthPenalties = new WeakMap<Bm25Index, { k1: number; b: number; values: Float64Array }>();

function lengthPenaltiesOf(index: Bm25Index, k1: number, b: number): Float64Array {
  const known = lengthPenalties.get(index);
  if (known && known.k1 === k1 && known.b === b) return known.values;
  const averageLength = index.termTotal / index.chunkCount;
  const values = new Float64Array(index.chunkCount);
  for (let slot = 0; slot < index.chunkCount; slot++) {
    values[slot] = k1 * (1 - b + b * (averageLength > 0 ? index.termCounts[slot]! / averageLength : 1));
  }
  lengthPenalties.set(index, { k1, b, values });
  return values;
}

/**
 * The `limit` best chunks for `query`, best first, ties by chunk id: exhaustive BM25
 * over the postings of the query's terms (a few hundred thousand additions at 100k
 * chunks), then a bounded heap. The formula and its float operations are the SQL's:
 *   idf   = ln(1 + (max(N, df) − df + 0.5) / (df + 0.5))
 *   score = round(Σ idf · tf · (k1 + 1) / (tf + k1 · (1 − b + b · dl / avgdl)), 1e-9)
 */
export function searchBm25Index(index: Bm25Index, query: Bm25Query): Bm25Match[] {
  const { k1, b, limit, allowedDocuments } = query;
  const rows = [...new Set(query.terms)].map((term) => index.terms.get(term)).filter((row): row is number => row !== undefined);
  if (rows.length === 0 || index.chunkCount === 0) return [];
  let buffers = scratch.get(index);
  if (!buffers) {
    buffers = { scores: new Float64Array(index.chunkCount), touched: new Int32Array(index.chunkCount) };
    scratch.set(index, buffers);
  }
  const { scores, touched } = buffers;
  const chunkCount = index.chunkCount;
  const penalties = lengthPenaltiesOf(index, k1, b);
  const k1PlusOne = k1 + 1;
  let touchedCount = 0;
  try {
    for (const row of rows) {
      const start = index.offsets[row]!;
      const end = index.offsets[row + 1]!;
      const documentFrequency = end - start;
      const idf = Math.log(1 + (Math.max(chunkCount, documentFrequency) - documentFrequency + 0.5) / (documentFrequency + 0.5));
      for (let at = start; at < end; at++) {
        const slot = index.postingSlots[at]!;
        if (allowedDocuments && allowedDocuments[index.documentOf[slot]!] !== 1) continue;
        const frequency = index.postingFrequencies[at]!;
        const lengthPenalty = penalties[slot]!;
        const sum = scores[slot]!;
        if (sum === 0) touched[touchedCount++] = slot;
        scores[slot] = sum + (idf * frequency * k1PlusOne) / (frequency + lengthPenalty);
      }
    }
    return topChunks(index, scores, touched, touchedCount, limit);
  } finally {
    for (let at = 0; at < touchedCount; at++) scores[touched[at]!] = 0;
  }
}

/** The best `limit` of the touched slots by rounded score, then chunk id: a min-heap of slots. */
function topChunks(index: Bm25Index, scores: Float64Array, touched: Int32Array, touchedCount: number, limit: number): Bm25Match[] {
  const heap = new Int32Array(Math.min(limit, touchedCount));
  const heapScores = new Float64Array(heap.length);
  let size = 0;
  // a ranks below b: a lower score, or the same score and a higher chunk id.
  const below = (scoreA: number, slotA: number, scoreB: number, slotB: number) =>
    scoreA < scoreB || (scoreA === scoreB && slotA > slotB);
  const siftDown = (from: number) => {
    let at = from;
    for (;;) {
      const left = 2 * at + 1;
      const right = left + 1;
      let lowest = at;
      if (left < size && below(heapScores[left]!, heap[left]!, heapScores[lowest]!, heap[lowest]!)) lowest = left;
      if (right < size && below(heapScores[right]!, heap[right]!, heapScores[lowest]!, heap[lowest]!)) lowest = right;
      if (lowest === at) return;
      [heap[at], heap[lowest]] = [heap[lowest]!, heap[at]!];
      [heapScores[at], heapScores[lowest]] = [heapScores[lowest]!, heapScores[at]!];
      at = lowest;
    }
  };
  for (let at = 0; at < touchedCount; at++) {
    const slot = touched[at]!;
    const score = roundScore(scores[slot]!);
    if (size < heap.length) {
      let child = size++;
      heap[child] = slot;
      heapScores[child] = score;
      while (child > 0) {
        const parent = (child - 1) >> 1;
        if (!below(heapScores[child]!, heap[child]!, heapScores[parent]!, heap[parent]!)) break;
        [heap[child], heap[parent]] = [heap[parent]!, heap[child]!];
        [heapScores[child], heapScores[parent]] = [heapScores[parent]!, heapScores[child]!];
        child = parent;
      }
    } else if (size > 0 && below(heapScores[0]!, heap[0]!, score, slot)) {
      heap[0] = slot;
      heapScores[0] = score;
      siftDown(0);
    }
  }
  const found: Bm25Match[] = [];
  for (let at = 0; at < size; at++) {
    const slot = heap[at]!;
    found.push({ chunkId: String(index.chunkIds[slot]!), documentId: index.documentIds[index.documentOf[slot]!]!, score: heapScores[at]! });
  }
  // Slots ascend with chunk ids, so the slot is the tie-break.
  const slots = new Map(found.map((match, at) => [match, heap[at]!]));
  return found.sort((left, right) => right.score - left.score || slots.get(left)! - slots.get(right)!);
}

/** PostgreSQL's round(x · 1e9) / 1e9 on float8: round half to even (rint), as SQL does. */
function roundScore(score: number): number {
  const scaled = score * scoreScale;
  const floor = Math.floor(scaled);
  const fraction = scaled - floor;
  const rounded = fraction > 0.5 ? floor + 1 : fraction < 0.5 ? floor : floor % 2 === 0 ? floor : floor + 1;
  return rounded / scoreScale;
}
