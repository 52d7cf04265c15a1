import { bm25Defaults } from '../core/index.ts';
import {
  documentsMatchingFilters,
  readKnowledgeBaseVersion,
  readLexicalSize,
  readLexicalSnapshot,
  searchLexical,
  termsPresentInKnowledgeBase,
  type Database,
  type LexicalFilters,
  type LexicalMatch,
} from '../db/index.ts';
import {
  buildBm25Index,
  chunksMissingFrom,
  patchBm25Index,
  searchBm25Index,
  termsInIndex,
  type Bm25Index,
} from './lexical/bm25-index.ts';

/** One lexical lookup of the retriever: the BM25 search and which query terms the KB holds. */
export interface LexicalLookup {
  /** The KB, with its version when the caller already read it (saves the index a round trip). */
  kb: { id: string; version?: number };
  /** Terms to search; none skips the search. */
  terms: readonly string[];
  /** Terms whose presence in the KB is reported (the question's terms). */
  presence: readonly string[];
  limit: number;
  filters?: LexicalFilters;
}

export interface LexicalLookupResult {
  matches: LexicalMatch[];
  presentTerms: Set<string>;
}

/**
 * The lexical leg as the retriever sees it. Two implementations give the same
 * results: BM25 in SQL (`sqlLexicalSearcher`, the source of truth, what the Workers
 * entry uses) and an in-process index per KB kept exact by the KB's version
 * (`createInProcessLexicalSearcher`, what Node compositions use).
 */
export interface LexicalSearcher {
  lookup(request: LexicalLookup): Promise<LexicalLookupResult>;
}

/** BM25 scored in SQL on every query (src/db/lexical-index.ts). */
export function sqlLexicalSearcher(database: Database): LexicalSearcher {
  return {
    async lookup(request) {
      const [matches, presentTerms] = await Promise.all([
        request.terms.length > 0
          ? searchLexical(database, {
              kbId: request.kb.id,
              terms: [...request.terms],
              limit: request.limit,
              ...(request.filters ? { filters: request.filters } : {}),
            })
          : Promise.resolve([]),
        termsPresentInKnowledgeBase(database, request.kb.id, request.presence),
      ]);
      return { matches, presentTerms };
    },
  };
}

export interface InProcessLexicalOptions {
  database: Database;
  /**
   * Bytes the indexes of all KBs may take together (estimated); the least recently
   * searched KBs are dropped beyond it, and a KB whose index alone would exceed it is
   * searched in SQL. 1 GiB holds ~2M chunks of ~50 terms (docs/lexical-retrieval.md).
   */
  budgetBytes?: number;
  /**
   * What a search does while its KB's index is loaded or patched to the version it
   * asks for: 'sql' (the default) searches in SQL, which is exact at every version, so
   * a KB's first search and a search right after a change never wait for a load;
   * 'wait' waits for the index (tests that compare the two paths).
   */
  whileLoading?: 'sql' | 'wait';
  /** Told when loading or patching an index failed; the next search tries again. */
  onLoadError?: (error: unknown) => void;
}

/** 1 GiB: an index takes ~50 bytes per posting and chunk together (measured: docs/lexical-retrieval.md). */
export const defaultLexicalBudgetBytes = 1024 ** 3;
/** Estimated index bytes per term occurrence of a KB (postings take 8, plus chunks and the term table), before loading it. */
const estimatedBytesPerTerm = 10;
/** Filtered searches whose allowed documents one index remembers. */
const filtersRemembered = 64;

interface KbEntry {
  index: Bm25Index | null;
  /** The version at which the KB was found too large to hold; searched in SQL until it changes. */
  tooLargeAt: number | null;
  loading: Promise<void> | null;
  /** The KB no longer exists. */
  gone: boolean;
  /** Allowed-document masks of recent filters, for `index` only. */
  filterMasks: Map<string, Uint8Array>;
}

/**
 * BM25 from an in-process index per KB: loaded from the database on the KB's first
 * search, then kept exact by the KB's version (bumped in the transaction of every
 * change of its chunks). Each search reads the version (or takes the caller's); when
 * it moved, the index is patched with the chunks added and removed since, read in one
 * snapshot, and SQL answers until the patch is in. Concurrent searches share one load.
 * Filters select documents with the SQL path's own conditions, so both paths return
 * the same chunks and scores.
 */
export function createInProcessLexicalSearcher(options: InProcessLexicalOptions): LexicalSearcher & {
  /** The KBs held and their estimated bytes (tests, the bench). */
  held(): { kbId: string; version: number; chunks: number; bytes: number }[];
} {
  const { database } = options;
  const budgetBytes = options.budgetBytes ?? defaultLexicalBudgetBytes;
  const sql = sqlLexicalSearcher(database);
  // Map order is recency order: a search moves its KB to the end.
  const entries = new Map<string, KbEntry>();

  const entryFor = (kbId: string): KbEntry => {
    let entry = entries.get(kbId);
    if (entry) entries.delete(kbId);
    else entry = { index: null, tooLargeAt: null, loading: null, gone: false, filterMasks: new Map() };
    entries.set(kbId, entry);
    return entry;
  };

  const evictBeyondBudget = (keep: string): void => {
    let total = 0;
    for (const entry of entries.values()) total += entry.index?.estimatedBytes ?? 0;
    for (const [kbId, entry] of entries) {
      if (total <= budgetBytes) return;
      if (kbId === keep || !entry.index) continue;
      total -= entry.index.estimatedBytes;
      entries.delete(kbId);
    }
  };

  const load = async (kbId: string, entry: KbEntry): Promise<void> => {
    if (!entry.index) {
      const size = await readLexicalSize(database, kbId);
      const estimate = size.terms * estimatedBytesPerTerm;
      if (estimate > budgetBytes) {
        entry.tooLargeAt = await readKnowledgeBaseVersion(database, kbId);
        return;
      }
    }
    const snapshot = await readLexicalSnapshot(database, kbId, entry.index ? chunksMissingFrom(entry.index) : undefined);
    if (snapshot.version === null) {
      entry.gone = true;
      if (entries.get(kbId) === entry) entries.delete(kbId);
      return;
    }
    entry.index = entry.index
      ? patchBm25Index(entry.index, snapshot.version, snapshot.chunks, snapshot.postings)
      : buildBm25Index(snapshot.version, snapshot.chunks, snapshot.postings);
    entry.tooLargeAt = null;
    entry.filterMasks = new Map();
    evictBeyondBudget(kbId);
  };

  /** The KB's index at `version` or later; null when the KB is gone or searched in SQL. */
  const indexAt = async (kbId: string, version: number): Promise<{ index: Bm25Index | null; entry: KbEntry; sql: boolean }> => {
    for (;;) {
      const entry = entryFor(kbId);
      if (entry.index && entry.index.version >= version) return { index: entry.index, entry, sql: false };
      if (entry.tooLargeAt !== null && entry.tooLargeAt >= version) return { index: null, entry, sql: true };
      if (!entry.loading) {
        entry.loading = load(kbId, entry)
          .catch((error: unknown) => {
            // The next search tries again; meanwhile SQL answers.
            options.onLoadError?.(error);
            if (options.whileLoading === 'wait') throw error;
          })
          .finally(() => {
            entry.loading = null;
          });
      }
      // SQL is exact at every version: it answers until the index has caught up.
      if (options.whileLoading !== 'wait') return { index: null, entry, sql: true };
      await entry.loading;
      if (entry.gone) return { index: null, entry, sql: false };
      // Evicted meanwhile, or loaded at an older version than asked (a load already under
      // way when the version moved): the loop looks again.
      if (entry.index && entry.index.version >= version) return { index: entry.index, entry, sql: false };
    }
  };

  const allowedDocuments = async (index: Bm25Index, entry: KbEntry, kbId: string, filters: LexicalFilters | undefined) => {
    if (!filters || !(filters.documentIds || filters.sources || (filters.tags && Object.keys(filters.tags).length > 0))) return undefined;
    const key = JSON.stringify([filters.documentIds ?? null, filters.sources ?? null, filters.tags ?? null]);
    const remembered = entry.filterMasks.get(key);
    if (remembered && entry.index === index) return remembered;
    const allowed = new Set(await documentsMatchingFilters(database, kbId, filters));
    const mask = new Uint8Array(index.documentIds.length);
    index.documentIds.forEach((documentId, at) => (mask[at] = allowed.has(documentId) ? 1 : 0));
    if (entry.index === index) {
      if (entry.filterMasks.size >= filtersRemembered) entry.filterMasks.delete(entry.filterMasks.keys().next().value!);
      entry.filterMasks.set(key, mask);
    }
    return mask;
  };

  return {
    async lookup(request) {
      const { kb } = request;
      const version = kb.version ?? (await readKnowledgeBaseVersion(database, kb.id));
      if (version === null) {
        entries.delete(kb.id); // the KB was deleted: its index goes with it
        return { matches: [], presentTerms: new Set() };
      }
      const { index, entry, sql: inSql } = await indexAt(kb.id, version);
      if (inSql) return sql.lookup(request);
      if (!index) return { matches: [], presentTerms: new Set() };
      const presentTerms = termsInIndex(index, request.presence);
      if (request.terms.length === 0) return { matches: [], presentTerms };
      const allowed = await allowedDocuments(index, entry, kb.id, request.filters);
      const matches = searchBm25Index(index, {
        terms: request.terms,
        limit: request.limit,
        k1: bm25Defaults.k1,
        b: bm25Defaults.b,
        ...(allowed ? { allowedDocuments: allowed } : {}),
      });
      return { matches, presentTerms };
    },
    held() {
      return [...entries]
        .filter(([, entry]) => entry.index)
        .map(([kbId, entry]) => ({ kbId, version: entry.index!.version, chunks: entry.index!.chunkCount, bytes: entry.index!.estimatedBytes }));
    },
  };
}
