import { performance } from 'node:perf_hooks';
import { OrioleError, assertEmbedderMatches } from '../core/index.ts';
import type {
  Embedder,
  Passage,
  Reranker,
  RetrievalKnowledgeBase,
  RetrievalMode,
  RetrievalRequest,
  RetrievalResult,
  Retriever,
  SearchFilters,
} from '../core/index.ts';
import { loadFollowingChunks, loadPassages, nearestChunks, type Database, type StoredPassage } from '../db/index.ts';
import { diversifyByDocument, reciprocalRankFusion } from './fusion.ts';
import { sqlLexicalSearcher, type LexicalSearcher } from './lexical-searcher.ts';
import { lexicalTerms } from './lexical/index.ts';
import { createRememberedPassages, type RememberedPassages } from './remembered-passages.ts';
import { rerankCandidates, rerankingDefaults, type RerankingSettings } from './ranking/index.ts';

export interface HybridRetrieverSettings {
  /** Chunks each leg returns before fusion. */
  candidatesPerLeg: number;
  /** RRF's k. */
  rrfK: number;
  /** Chunks of one document among the first picks (diversity). */
  maxChunksPerDocument: number;
  /**
   * A passage shorter than this many characters, or ending in ':' (a list's lead-in),
   * gets the next chunk of its document appended, so "To reset your password:" comes
   * with its steps.
   */
  expandBelowCharacters: number;
  /** Legs to run; both by default. Evaluations switch one off to measure the other. */
  legs: { lexical: boolean; vector: boolean };
  /**
   * How the lexical leg's candidates are reordered before fusion: phrase bonus,
   * breadcrumb boost and document aggregation (docs/lexical-retrieval.md, "Ranking
   * beyond BM25"); null keeps plain BM25 order.
   */
  lexicalRanking: RerankingSettings | null;
  /**
   * Fused hits the cross-encoder (when there is one) scores, at least topK: it reads
   * every pair in full, so it runs on the head of the fusion only. 20 pairs are two
   * model runs of a MiniLM-sized reranker.
   */
  crossEncoderCandidates: number;
  /**
   * Stored passages kept between retrievals, exact per KB version
   * (remembered-passages.ts); 0 reads every retrieval's passages from the database.
   */
  passagesRemembered: number;
}

export const defaultHybridRetrieverSettings: HybridRetrieverSettings = {
  candidatesPerLeg: 50,
  rrfK: 60,
  maxChunksPerDocument: 2,
  expandBelowCharacters: 160,
  legs: { lexical: true, vector: true },
  lexicalRanking: rerankingDefaults,
  crossEncoderCandidates: 20,
  passagesRemembered: 20_000,
};

export interface HybridRetrieverDependencies {
  database: Database;
  /**
   * The lexical leg: BM25 in SQL by default; Node compositions pass the in-process
   * index (`createInProcessLexicalSearcher`), which returns the same results.
   */
  lexical?: LexicalSearcher;
  /** The embedder for query vectors; null runs lexical-only. */
  embedder: Embedder | null;
  /** Why there is no embedder (the model could not be loaded), reported with each result. */
  embedderWarning?: string;
  /** A cross-encoder that reorders the best fused candidates; none keeps the fused order. */
  reranker?: Reranker | null;
  settings?: Partial<HybridRetrieverSettings>;
  /** Told when embedding a query failed (for metrics); the error still fails the retrieval. */
  onEmbedderError?: (error: unknown) => void;
}

interface LegHit {
  chunkId: string;
  documentId: string;
  score: number;
}

/**
 * The product's retriever: a lexical leg (BM25 over the KB's postings) and, when the
 * KB's embedder is loaded, a vector leg (HNSW cosine), run concurrently, fused by
 * reciprocal rank, optionally reranked by a cross-encoder, diversified per document,
 * with short lead-in passages expanded.
 */
export function createHybridRetriever(dependencies: HybridRetrieverDependencies): Retriever {
  const settings = { ...defaultHybridRetrieverSettings, ...dependencies.settings };
  const reranker = dependencies.reranker ?? null;
  const tokenizeChunk = memoizedTerms(tokenizedChunksCached);
  const lexicalSearcher = dependencies.lexical ?? sqlLexicalSearcher(dependencies.database);
  const remembered = createRememberedPassages(settings.passagesRemembered);
  return {
    async retrieve(request: RetrievalRequest): Promise<RetrievalResult> {
      const { kb, topK } = request;
      if (!Number.isInteger(topK) || topK < 1 || topK > 100) {
        throw new OrioleError('invalid_request', 'topK must be an integer from 1 to 100');
      }
      const embedder = settings.legs.vector ? usableEmbedder(dependencies.embedder, kb) : null;
      const queryTerms = [...new Set(lexicalTerms(request.query))];
      const searchedTerms = settings.legs.lexical ? queryTerms : [];
      const candidates = Math.max(settings.candidatesPerLeg, topK * 2);

      // The lexical lookup also says which of the question's terms the KB holds, so it runs either way.
      const lexicalLookup = timed(() =>
        lexicalSearcher.lookup({
          kb: { id: kb.id, ...(kb.version !== undefined ? { version: kb.version } : {}) },
          terms: searchedTerms,
          presence: queryTerms,
          limit: candidates,
          ...(request.filters ? { filters: request.filters } : {}),
        }),
      );
      const vectorLeg = timed(() =>
        embedder
          ? vectorHits(dependencies.database, embedder, kb.id, request.query, candidates, request.filters, dependencies.onEmbedderError)
          : Promise.resolve(null),
      );
      const [lookup, vector] = await Promise.all([lexicalLookup, vectorLeg]);
      const lexical = { value: settings.legs.lexical ? lookup.value.matches.map(legHit) : null, ms: settings.legs.lexical ? lookup.ms : 0 };
      const presentTerms = lookup.value.presentTerms;

      const passages = createPassageCache(dependencies.database, kb, remembered);
      const lexicalRanked =
        lexical.value && settings.lexicalRanking
          ? await rankLexicalCandidates(lexical.value, lexicalTerms(request.query), settings.lexicalRanking, passages, tokenizeChunk)
          : lexical.value;
      const legs = [lexicalRanked, vector.value].filter((leg): leg is LegHit[] => leg !== null);
      const fused = fuse(legs, settings.rrfK);
      const crossEncoded = reranker
        ? await crossEncode(reranker, request.query, fused.slice(0, Math.max(settings.crossEncoderCandidates, topK)), passages)
        : null;
      const diverse = diversifyByDocument(crossEncoded ?? fused, topK, settings.maxChunksPerDocument);
      const lexicalScores = new Map((lexical.value ?? []).map((hit) => [hit.chunkId, hit.score]));
      const vectorScores = new Map((vector.value ?? []).map((hit) => [hit.chunkId, hit.score]));

      const stored = await passages.load(diverse.map((hit) => hit.chunkId));
      const picked = diverse
        .map((hit): Passage | null => {
          const passage = stored.get(hit.chunkId);
          if (!passage) return null; // deleted between search and load
          return {
            ...passage,
            score: hit.score,
            ...(lexicalScores.has(hit.chunkId) ? { lexicalScore: lexicalScores.get(hit.chunkId)! } : {}),
            ...(vectorScores.has(hit.chunkId) ? { vectorSimilarity: vectorScores.get(hit.chunkId)! } : {}),
          };
        })
        .filter((passage): passage is Passage => passage !== null);
      const expanded = await expandLeadIns(dependencies.database, picked, settings.expandBelowCharacters);

      const mode: RetrievalMode = embedder ? (searchedTerms.length > 0 ? 'hybrid' : 'vector') : 'lexical';
      const warning = embedder || !settings.legs.vector ? undefined : (dependencies.embedderWarning ?? lexicalOnlyReason(kb.embedder, dependencies.embedder));
      return {
        passages: expanded,
        info: {
          mode,
          embedder: embedder ? embedder.id : null,
          reranker: reranker ? reranker.id : null,
          ...(warning ? { warning } : {}),
          query: request.query,
          queryTerms,
          matchedTerms: queryTerms.filter((term) => presentTerms.has(term)),
          lexicalMs: lexical.ms,
          vectorMs: vector.ms,
        },
      };
    },
  };
}

/**
 * The embedder for the vector leg: none for a lexical-only KB or when the model is not
 * loaded; a KB recorded with another model is refused (`assertEmbedderMatches`; docs/embedders.md).
 */
function usableEmbedder(embedder: Embedder | null, kb: RetrievalKnowledgeBase): Embedder | null {
  if (kb.embedder === 'none') return null;
  if (!embedder) return null;
  assertEmbedderMatches(kb, embedder.id);
  return embedder;
}

function lexicalOnlyReason(kbEmbedder: string, embedder: Embedder | null): string | undefined {
  if (kbEmbedder === 'none') return undefined;
  if (!embedder) return `Embedder '${kbEmbedder}' is not loaded: keyword (lexical) search only.`;
  return undefined;
}

function legHit(match: LegHit): LegHit {
  return { chunkId: match.chunkId, documentId: match.documentId, score: match.score };
}

async function vectorHits(
  database: Database,
  embedder: Embedder,
  kbId: string,
  query: string,
  limit: number,
  filters: SearchFilters | undefined,
  onEmbedderError: ((error: unknown) => void) | undefined,
): Promise<LegHit[]> {
  let vector: number[];
  try {
    vector = await embedder.embedQuery(query);
  } catch (error) {
    onEmbedderError?.(error);
    throw error;
  }
  const neighbours = await nearestChunks(database, { kbId, vector, limit, ...(filters ? { filters } : {}) });
  return neighbours.map((neighbour) => ({
    chunkId: neighbour.chunkId,
    documentId: neighbour.documentId,
    score: 1 - neighbour.distance,
  }));
}

/**
 * The candidates reordered by the cross-encoder's scores, which replace the fused ones
 * (ties keep the fused order). It reads what a reader sees first: the title and heading
 * above the chunk, then its text.
 */
/**
 * Chunk texts whose terms are kept between queries. Tokenizing the 50 candidates for
 * the phrase bonus costs ~10 ms a query; popular chunks come back query after query.
 * About 10 MB at ~1 kB a chunk.
 */
const tokenizedChunksCached = 10_000;

/**
 * lexicalTerms with about the last `capacity` texts remembered (a chunk's text never
 * changes), in two generations: a hit in the older one moves to the newer one, and when
 * the newer one is full the older is dropped. Moving each hit to the end of one Map (a
 * delete and a set) made the Map compact itself over and over: 5 % of a search's CPU.
 */
function memoizedTerms(capacity: number): (text: string) => string[] {
  const generationSize = Math.max(1, Math.ceil(capacity / 2));
  let current = new Map<string, string[]>();
  let previous = new Map<string, string[]>();
  return (text) => {
    let terms = current.get(text);
    if (terms) return terms;
    terms = previous.get(text) ?? lexicalTerms(text);
    if (current.size >= generationSize) {
      previous = current;
      current = new Map();
    }
    current.set(text, terms);
    return terms;
  };
}

/**
 * Stored passages loaded once per retrieval, whichever step asks first, and kept between
 * retrievals at the KB's version when the caller read it (without one, each retrieval reads its own).
 */
function createPassageCache(database: Database, kb: RetrievalKnowledgeBase, remembered: RememberedPassages) {
  const loaded = new Map<string, StoredPassage>();
  const { version } = kb;
  return {
    async load(chunkIds: readonly string[]): Promise<Map<string, StoredPassage>> {
      let missing = chunkIds.filter((chunkId) => !loaded.has(chunkId));
      if (version !== undefined && missing.length > 0) {
        const recalled = remembered.recall(kb.id, version, missing);
        for (const [chunkId, passage] of recalled.found) loaded.set(chunkId, passage);
        missing = recalled.missing;
      }
      if (missing.length === 0) return loaded;
      const read = await loadPassages(database, kb.id, missing);
      for (const [chunkId, passage] of read) loaded.set(chunkId, passage);
      if (version !== undefined) remembered.keep(kb.id, version, read.values());
      return loaded;
    },
  };
}

type PassageCache = ReturnType<typeof createPassageCache>;

/** The lexical candidates reordered by phrase, breadcrumb and document evidence, still in BM25 units. */
async function rankLexicalCandidates(
  hits: LegHit[],
  queryTerms: string[],
  ranking: RerankingSettings,
  passages: PassageCache,
  tokenize: (text: string) => string[],
): Promise<LegHit[]> {
  if (hits.length === 0) return hits;
  const stored = await passages.load(hits.map((hit) => hit.chunkId));
  const candidates = hits
    .filter((hit) => stored.has(hit.chunkId)) // deleted between search and load
    .map((hit) => {
      const passage = stored.get(hit.chunkId)!;
      // Fields named, not spread: a spread here cost 30 times as much (0.18 ms a query, profiled).
      const { chunkId, documentId, score } = hit;
      return { chunkId, documentId, score, text: passage.text, title: passage.title ?? undefined, headingPath: passage.headingPath, ordinal: passage.ordinal };
    });
  return rerankCandidates(candidates, queryTerms, ranking, tokenize).map(({ chunkId, documentId, score }) => ({ chunkId, documentId, score }));
}

/** The head of the fusion reordered by the cross-encoder's scores. */
async function crossEncode(reranker: Reranker, query: string, candidates: LegHit[], passages: PassageCache): Promise<LegHit[]> {
  if (candidates.length === 0) return [];
  const stored = await passages.load(candidates.map((hit) => hit.chunkId));
  const present = candidates.filter((hit) => stored.has(hit.chunkId)); // deleted between search and load
  const scores = await reranker.rerank(query, present.map((hit) => rerankText(stored.get(hit.chunkId)!)));
  return present.map((hit, index) => ({ ...hit, score: scores[index]! })).sort((left, right) => right.score - left.score);
}

function rerankText(passage: StoredPassage): string {
  const context = [passage.title, passage.heading !== passage.title ? passage.heading : null].filter(Boolean).join(' › ');
  return context ? `${context}\n${passage.text}` : passage.text;
}

/** One leg passes through with its own scores; two are fused by rank. */
function fuse(legs: LegHit[][], rrfK: number): LegHit[] {
  if (legs.length === 1) return legs[0]!;
  const documents = new Map(legs.flat().map((hit) => [hit.chunkId, hit.documentId]));
  const fused = reciprocalRankFusion(legs.map((leg) => ({ chunkIds: leg.map((hit) => hit.chunkId) })), rrfK);
  return [...fused]
    .map(([chunkId, score]) => ({ chunkId, documentId: documents.get(chunkId)!, score }))
    .sort((left, right) => right.score - left.score || compareIds(left.chunkId, right.chunkId));
}

function compareIds(left: string, right: string): number {
  return Number(BigInt(left) - BigInt(right));
}

async function expandLeadIns(database: Database, passages: Passage[], belowCharacters: number): Promise<Passage[]> {
  const leadIns = passages.filter((passage) => passage.text.length < belowCharacters || /[:：]\s*$/.test(passage.text));
  if (leadIns.length === 0) return passages;
  const following = await loadFollowingChunks(database, leadIns.map(({ documentId, ordinal }) => ({ documentId, ordinal })));
  const retrieved = new Set(passages.map((passage) => passage.chunkId));
  return passages.map((passage) => {
    const next: StoredPassage | undefined = following.get(`${passage.documentId}:${passage.ordinal}`);
    if (!next || retrieved.has(next.chunkId) || !leadIns.includes(passage)) return passage;
    return { ...passage, text: `${passage.text}\n\n${next.text}` };
  });
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: Math.round((performance.now() - started) * 10) / 10 };
}
