/**
 * Ranking beyond BM25, measured: indexes each eval set with the product chunker (and, for
 * the document-level legs, whole documents and titles alone) in in-memory PGlite, takes
 * the top chunk candidates of `searchLexical` for every question, reorders them with the
 * techniques of src/retrieval/ranking, and prints doc-level hit@5 and MRR@5 per set with
 * the query latency (search + rerank).
 *
 *   npx tsx bench/quality-eval.ts --eval-sets DIR                  baseline and the chosen technique
 *   npx tsx bench/quality-eval.ts --eval-sets DIR --variants       every variant of docs/lexical-retrieval.md "Ranking beyond BM25"
 *   npx tsx bench/quality-eval.ts --eval-sets DIR --only NAME,…    some variants (names as printed)
 *
 * The sets are read at run time from `--eval-sets DIR` (or ORIOLE_EVAL_SETS_DIR) and
 * never copied into the repository (docs/public-eval-sets.md).
 */
import { performance } from 'node:perf_hooks';
import { searchLexical } from '../src/db/index.ts';
import { lexicalTerms, lexicalTokenizerDefaults } from '../src/retrieval/lexical/index.ts';
import {
  boostHeadingMatches,
  boostProximity,
  rerankByDocumentScore,
  rerankCandidates,
  rerankingDefaults,
  type RankingCandidate,
} from '../src/retrieval/ranking/index.ts';
import {
  documentsRanked,
  goldRank,
  indexSet,
  loadSet,
  percentiles,
  sets,
  type IndexedSet,
  type IndexSettings,
} from './eval-sets.ts';
import { fuseDocumentLeg, searchWithFeedback, type CandidateSearch, type DocumentMatch } from './ranking-experiments/index.ts';

/** The product's configuration: structure-aware chunks with the title › headings breadcrumb. */
const productIndex: IndexSettings = { tokenizer: lexicalTokenizerDefaults, breadcrumb: true, chunker: 'structure' };
/** What lexical-eval fetches first; doubled until the chunks hold `documentsRanked` documents. */
const baselineChunkLimit = 50;
/** Chunk candidates a reranker gets. */
const candidateLimit = 100;
/** Documents fetched by a document-level leg. */
const documentLegLimit = 20;

interface CaseContext {
  terms: string[];
  candidates: RankingCandidate[];
  search: CandidateSearch;
  /** Whole-document BM25, documents in the product index's ids. */
  documentLeg: () => Promise<DocumentMatch[]>;
  /** Title-only BM25, documents in the product index's ids. */
  titleLeg: () => Promise<DocumentMatch[]>;
}

interface Variant {
  name: string;
  /** Chunks in their new order; documents are ranked by first appearance. */
  rank: (context: CaseContext) => RankingCandidate[] | Promise<RankingCandidate[]>;
}

const proximity = { weight: 0.3, window: 1 };

const chosen: Variant = {
  name: 'chosen: phrase 0.3 + breadcrumb 0.5 + max + 0.2·next four',
  rank: ({ candidates, terms }) => rerankCandidates(candidates, terms),
};

function variants(): Variant[] {
  return [
    { name: 'max chunk, 100 candidates', rank: ({ candidates }) => candidates },
    { name: 'max + 0.5·second', rank: ({ candidates }) => rerankByDocumentScore(candidates, { method: 'max-plus-next', weight: 0.5, depth: 2 }) },
    { name: 'max + 0.3·second', rank: ({ candidates }) => rerankByDocumentScore(candidates, { method: 'max-plus-next', weight: 0.3, depth: 2 }) },
    { name: 'max + 0.2·next two', rank: ({ candidates }) => rerankByDocumentScore(candidates, { method: 'max-plus-next', weight: 0.2, depth: 3 }) },
    { name: 'max + 0.3·next two', rank: ({ candidates }) => rerankByDocumentScore(candidates, { method: 'max-plus-next', weight: 0.3, depth: 3 }) },
    { name: 'max + 0.5·next two', rank: ({ candidates }) => rerankByDocumentScore(candidates, { method: 'max-plus-next', weight: 0.5, depth: 3 }) },
    { name: 'max + 0.2·next four', rank: ({ candidates }) => rerankByDocumentScore(candidates, rerankingDefaults.aggregation) },
    { name: 'max + 0.3·next four', rank: ({ candidates }) => rerankByDocumentScore(candidates, { method: 'max-plus-next', weight: 0.3, depth: 5 }) },
    { name: 'sum of top 2', rank: ({ candidates }) => rerankByDocumentScore(candidates, { method: 'sum-top', depth: 2 }) },
    { name: 'sum of top 3', rank: ({ candidates }) => rerankByDocumentScore(candidates, { method: 'sum-top', depth: 3 }) },
    { name: 'CombMNZ', rank: ({ candidates }) => rerankByDocumentScore(candidates, { method: 'comb-mnz' }) },
    {
      name: 'whole-document leg, RRF k 60',
      rank: async (context) => fuseDocumentLeg(context.candidates, await context.documentLeg(), { method: 'rrf', k: 60, weight: 1 }),
    },
    {
      name: 'whole-document leg, normalised 0.3',
      rank: async (context) => fuseDocumentLeg(context.candidates, await context.documentLeg(), { method: 'normalised', weight: 0.3 }),
    },
    {
      name: 'title leg, RRF k 60',
      rank: async (context) => fuseDocumentLeg(context.candidates, await context.titleLeg(), { method: 'rrf', k: 60, weight: 1 }),
    },
    {
      name: 'title leg, normalised 0.3',
      rank: async (context) => fuseDocumentLeg(context.candidates, await context.titleLeg(), { method: 'normalised', weight: 0.3 }),
    },
    { name: 'breadcrumb match ×(1 + 0.25·share)', rank: ({ candidates, terms }) => boostHeadingMatches(candidates, terms, 0.25) },
    { name: 'breadcrumb match ×(1 + 0.5·share)', rank: ({ candidates, terms }) => boostHeadingMatches(candidates, terms, 0.5) },
    { name: 'breadcrumb match ×(1 + 1·share)', rank: ({ candidates, terms }) => boostHeadingMatches(candidates, terms, 1) },
    { name: 'phrase: adjacent pairs ×(1 + 0.3·share)', rank: ({ candidates, terms }) => boostProximity(candidates, terms, proximity) },
    {
      name: 'phrase: pairs within 3 ×(1 + 0.3·share)',
      rank: ({ candidates, terms }) => boostProximity(candidates, terms, { ...proximity, window: 3 }),
    },
    {
      name: 'RM3: 10 chunks, 10 terms, 0.3 expanded',
      rank: ({ candidates, terms, search }) =>
        searchWithFeedback(candidates, terms, search, { feedbackChunks: 10, expansionTerms: 10, expandedWeight: 0.3, limit: candidateLimit }),
    },
    chosen,
    {
      name: 'chosen on 50 candidates',
      rank: ({ candidates, terms }) => rerankCandidates(candidates.slice(0, 50), terms),
    },
    {
      name: 'chosen without phrase',
      rank: ({ candidates, terms }) => rerankCandidates(candidates, terms, { ...rerankingDefaults, proximity: null }),
    },
    {
      name: 'chosen without breadcrumb boost',
      rank: ({ candidates, terms }) => rerankCandidates(candidates, terms, { ...rerankingDefaults, headingWeight: 0 }),
    },
    {
      name: 'chosen without aggregation',
      rank: ({ candidates, terms }) => rerankCandidates(candidates, terms, { ...rerankingDefaults, aggregation: { method: 'max' } }),
    },
    {
      name: 'chosen with breadcrumb 1',
      rank: ({ candidates, terms }) => rerankCandidates(candidates, terms, { ...rerankingDefaults, headingWeight: 1 }),
    },
    {
      name: 'chosen with max + 0.3·next two',
      rank: ({ candidates, terms }) =>
        rerankCandidates(candidates, terms, { ...rerankingDefaults, aggregation: { method: 'max-plus-next', weight: 0.3, depth: 3 } }),
    },
  ];
}

interface Scores {
  hitAt5: number;
  mrrAt5: number;
  p50: number;
  p95: number;
}

function documentsOf(indexed: IndexedSet, ranked: readonly RankingCandidate[]): string[] {
  return [...new Set(ranked.map((candidate) => indexed.documentOf.get(candidate.documentId)!))];
}

/** The product's ranking today: chunks by BM25, documents by first appearance (lexical-eval's loop). */
async function baselineDocuments(indexed: IndexedSet, terms: string[]): Promise<string[]> {
  let limit = baselineChunkLimit;
  for (;;) {
    const matches = await searchLexical(indexed.database, { kbId: indexed.kbId, terms, limit });
    const ranked = documentsOf(indexed, matches);
    if (ranked.length >= documentsRanked || matches.length < limit) return ranked;
    limit *= 2;
  }
}

async function main(): Promise<void> {
  const argumentsGiven = process.argv.slice(2);
  const onlyAt = argumentsGiven.indexOf('--only');
  const only = onlyAt >= 0 ? new Set(argumentsGiven[onlyAt + 1]?.split(',')) : undefined;
  const selected =
    argumentsGiven.includes('--variants') || only
      ? [...new Map(variants().map((variant) => [variant.name, variant])).values()].filter((variant) => !only || only.has(variant.name))
      : [chosen];
  const needsDocumentLeg = selected.some((variant) => variant.name.includes('document leg'));
  const needsTitleLeg = selected.some((variant) => variant.name.includes('title leg'));

  const results = new Map<string, Map<string, Scores>>();
  const record = (name: string, set: string, ranks: number[], latencies: number[]) => {
    const { p50, p95 } = percentiles(latencies);
    const scores = {
      hitAt5: ranks.filter((rank) => rank > 0).length / ranks.length,
      mrrAt5: ranks.reduce((total, rank) => total + (rank > 0 ? 1 / rank : 0), 0) / ranks.length,
      p50,
      p95,
    };
    results.set(name, (results.get(name) ?? new Map()).set(set, scores));
    console.error(`  ${name}: hit@5 ${scores.hitAt5.toFixed(3)} MRR@5 ${scores.mrrAt5.toFixed(3)} p50 ${p50.toFixed(1)} ms p95 ${p95.toFixed(1)} ms`);
  };

  for (const set of sets) {
    const { documents, cases } = await loadSet(set.name);
    const product = await indexSet(documents, productIndex);
    const wholeDocuments = needsDocumentLeg ? await indexSet(documents, { ...productIndex, chunker: 'document' }) : undefined;
    const titles = needsTitleLeg ? await indexSet(documents, { ...productIndex, breadcrumb: false, chunker: 'title' }) : undefined;
    console.error(`${set.name}: ${product.chunkCount} chunks indexed in ${product.indexSeconds.toFixed(1)} s`);
    try {
      const productDocumentId = new Map([...product.documentOf].map(([documentId, evalId]) => [evalId, documentId]));
      const documentLeg = async (indexed: IndexedSet | undefined, terms: string[]): Promise<DocumentMatch[]> => {
        if (!indexed) throw new Error('document leg not indexed');
        const matches = await searchLexical(indexed.database, { kbId: indexed.kbId, terms, limit: documentLegLimit });
        return matches.map((match) => ({
          documentId: productDocumentId.get(indexed.documentOf.get(match.documentId)!)!,
          score: match.score,
        }));
      };
      const search: CandidateSearch = (terms, limit) => searchLexical(product.database, { kbId: product.kbId, terms, limit });

      const baselineRanks: number[] = [];
      const baselineLatencies: number[] = [];
      const ranks = new Map(selected.map((variant) => [variant.name, [] as number[]]));
      const latencies = new Map(selected.map((variant) => [variant.name, [] as number[]]));
      for (const evalCase of cases) {
        const terms = lexicalTerms(evalCase.question);
        let started = performance.now();
        baselineRanks.push(goldRank(await baselineDocuments(product, terms), evalCase.gold_doc_ids));
        baselineLatencies.push(performance.now() - started);

        started = performance.now();
        const matches = await search(terms, candidateLimit);
        const searchMs = performance.now() - started;
        const candidates = matches.map((match) => {
          const chunk = product.chunks.get(match.chunkId)!;
          return { ...match, text: chunk.text, headingPath: chunk.headingPath, title: chunk.title, ordinal: chunk.ordinal };
        });
        for (const variant of selected) {
          const context: CaseContext = {
            terms,
            candidates,
            search,
            documentLeg: () => documentLeg(wholeDocuments, terms),
            titleLeg: () => documentLeg(titles, terms),
          };
          const begun = performance.now();
          const ranked = await variant.rank(context);
          latencies.get(variant.name)!.push(searchMs + (performance.now() - begun));
          ranks.get(variant.name)!.push(goldRank(documentsOf(product, ranked), evalCase.gold_doc_ids));
        }
      }
      record('baseline: structure-aware chunker, max chunk', set.name, baselineRanks, baselineLatencies);
      for (const variant of selected) record(variant.name, set.name, ranks.get(variant.name)!, latencies.get(variant.name)!);
    } finally {
      for (const indexed of [product, wholeDocuments, titles]) await indexed?.database.close();
    }
  }

  const format = (value: number) => value.toFixed(3);
  console.log(`| variant | ${sets.map((set) => `${set.name} hit@5 / MRR@5`).join(' | ')} | latency p50 / p95 (ms) |`);
  console.log(`|---|${sets.map(() => '---|').join('')}---|`);
  for (const [name, scores] of results) {
    const cells = sets.map((set) => {
      const score = scores.get(set.name)!;
      return `${format(score.hitAt5)} / ${format(score.mrrAt5)}`;
    });
    const latency = sets.map((set) => {
      const score = scores.get(set.name)!;
      return `${score.p50.toFixed(0)} / ${score.p95.toFixed(0)}`;
    });
    console.log(`| ${name} | ${cells.join(' | ')} | ${latency.join(' · ')} |`);
  }
}

await main();
