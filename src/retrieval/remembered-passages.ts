import type { StoredPassage } from '../db/index.ts';

/**
 * Stored passages kept between retrievals, per KB and per KB version.
 *
 * Reading the ~50 lexical candidates' texts is the one database read of a search that
 * grows with the answer (9 ms of PGlite's single thread per query at 10k chunks, most
 * of a search's cost there), and popular chunks come back query after query. A chunk's
 * text never changes in place (an edit replaces the document's chunks), but a chunk can
 * be deleted and its document's title or URL can change; every such change bumps the
 * KB's version in the same transaction. So entries serve only retrievals at the version
 * they were kept for: a retrieval at a newer version empties the KB's entries first, and
 * one at an older version (a request that read the KB just before a change) neither
 * reads nor fills them.
 */
export interface RememberedPassages {
  /** The passages `chunkIds` already kept for the KB at `version`, and the ids still to load. */
  recall(kbId: string, version: number, chunkIds: readonly string[]): { found: Map<string, StoredPassage>; missing: string[] };
  /** Keeps passages loaded for the KB at `version`; ignored when the KB is kept at a newer one. */
  keep(kbId: string, version: number, passages: Iterable<StoredPassage>): void;
  /** Passages held across KBs (tests, the bench). */
  size(): number;
}

interface KbPassages {
  version: number;
  /** Map order is recency order. */
  byChunkId: Map<string, StoredPassage>;
}

/**
 * At most `capacity` passages across all KBs (~1–2 kB each: 20,000 are ~30 MB); the least
 * recently used KB gives up its least recently used passages first.
 */
export function createRememberedPassages(capacity: number): RememberedPassages {
  // Map order is recency order here too: a KB moves to the end when it is used.
  const kbs = new Map<string, KbPassages>();
  let total = 0;

  /** The KB's entries when they serve `version`: emptied first when the KB moved to a newer one. */
  const entriesAt = (kbId: string, version: number): KbPassages | null => {
    let entry = kbs.get(kbId);
    if (entry && entry.version > version) return null; // a retrieval that read an older version
    if (entry) kbs.delete(kbId);
    if (!entry || entry.version < version) {
      total -= entry?.byChunkId.size ?? 0;
      entry = { version, byChunkId: new Map() };
    }
    kbs.set(kbId, entry);
    return entry;
  };

  const evictBeyondCapacity = () => {
    for (const [kbId, entry] of kbs) {
      if (total <= capacity) return;
      for (const chunkId of entry.byChunkId.keys()) {
        if (total <= capacity) break;
        entry.byChunkId.delete(chunkId);
        total -= 1;
      }
      if (entry.byChunkId.size === 0) kbs.delete(kbId);
    }
  };

  return {
    recall(kbId, version, chunkIds) {
      const found = new Map<string, StoredPassage>();
      const entry = capacity > 0 ? entriesAt(kbId, version) : null;
      if (!entry) return { found, missing: [...chunkIds] };
      const missing: string[] = [];
      for (const chunkId of chunkIds) {
        const passage = entry.byChunkId.get(chunkId);
        if (!passage) {
          missing.push(chunkId);
          continue;
        }
        entry.byChunkId.delete(chunkId);
        entry.byChunkId.set(chunkId, passage);
        found.set(chunkId, passage);
      }
      return { found, missing };
    },
    keep(kbId, version, passages) {
      const entry = capacity > 0 ? entriesAt(kbId, version) : null;
      if (!entry) return;
      for (const passage of passages) {
        if (!entry.byChunkId.has(passage.chunkId)) total += 1;
        entry.byChunkId.set(passage.chunkId, passage);
      }
      evictBeyondCapacity();
    },
    size: () => total,
  };
}
