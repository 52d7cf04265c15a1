/**
 * Answers and abstention on the shared eval sets, end to end through the product:
 * each set's documents are written one `<id>.md` a document (as bench/materialize.ts does)
 * to a temporary folder, ingested by the ingestion pipeline (real loaders, chunker and
 * terms; no embedder, the offline default) into an in-memory PGlite, and every case is
 * asked through the answer service in extractive mode (hybrid retriever, no LLM), topK 5.
 *
 *   npx tsx bench/answer-eval.ts --eval-sets DIR [--sets rhdh-docs-ragas,domainrag-ruc] [--limit N] [--out FILE]
 *                                [--verifier transformers:<model>] [--models-dir DIR]
 *
 * Unanswerable questions, which the sets lack, are made two ways:
 *   cross-set   questions of one set asked of the other set's KB (another language and domain: easy);
 *   removed     every `removalStride`-th gold document of a set (sorted by id) is taken out of the
 *               KB (the folder re-ingested without them with prune, as `oriole ingest --prune`
 *               does, after the other questions were asked), and the cases whose gold documents
 *               are all among them are asked then (same product, same site: hard). Those cases
 *               are not asked of the full KB.
 * Removal goes by document, not by case: on rhdh-docs-ragas (28 guides, 501 cases) the gold
 * guides of every 5th case are all 28 guides.
 *
 * Doc-level retrieval figures come from the `sources` event of each answer: the top 5
 * passages, each document counted once at its first rank (at most 2 passages a document,
 * so 3 to 5 documents). Token F1 is over the answerable cases asked of the full KB, an
 * abstention scoring 0; "reader F1" is the extractive reader alone on the same passages,
 * as if it never abstained. The sets are read at run time from `--eval-sets DIR` (or
 * ORIOLE_EVAL_SETS_DIR) and never copied into the repository (docs/public-eval-sets.md).
 *
 * With `--verifier`, each answered case also records `verifierScore`: the verifier's
 * answerability score for its top cited passage (src/answer/verification.ts), from which
 * `bench/fit-confidence.ts --verifier-blend` fits how it joins confidence. The served answers
 * are the offline default's, so the figures above do not move.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { chunkDocument, defaultChunkingSettings } from '../ingest/chunking/index.ts';
import { createFileLoaders, detectContentType } from '../ingest/loaders/index.ts';
import {
  collectInputs,
  defaultIngestLimits,
  ingestInputs,
  isDocumentFile,
  planInputs,
  type CollectDependencies,
  type IngestContext,
} from '../ingest/pipeline/index.ts';
import {
  abstentionPrecisionRecall,
  answerTokens,
  meanOf,
  percentile,
  reciprocalRankAtK,
  hitAtK,
  tokenF1,
  tokenRecall,
  type AbstentionScores,
} from '../evals/index.ts';
import {
  createAnswerService,
  decideAbstention,
  detectLanguage,
  extractiveAnswer,
  extractiveOutcome,
  stripMarkers,
  verifyOutcome,
  type AnswerService,
  type ConfidenceFeatures,
} from '../src/answer/index.ts';
import type { AnswerResponse, Passage, Verifier } from '../src/core/index.ts';
import { ensureKnowledgeBase, migrate, type Database } from '../src/db/index.ts';
import { readMigrationFiles } from '../src/db/migration-files.ts';
import { openPglite } from '../src/db/pglite.ts';
import { createHybridRetriever } from '../src/retrieval/index.ts';
import { termFrequencies } from '../src/retrieval/lexical/index.ts';
import { loadVerifierModel } from '../src/verifiers/index.ts';
import {
  documentFileName as fileName,
  documentMarkdown,
  evalSetDirectory,
  readJsonLines,
  sets as knownSets,
  type EvalDocument,
} from './eval-sets.ts';

/** Passages an answer gets, and the k of the retrieval figures. */
const topK = 5;
/** Every this-many-th gold document is left out of the second KB. */
const removalStride = 5;
/** Questions of one set asked of another set's KB, at most (evenly spaced). */
const crossSetMaxQuestions = 140;
/**
 * A removed-answer case still counts as answerable ("recoverable") when its reference
 * occurs verbatim in a remaining document, or when one to three consecutive sentences
 * of one reach this token F1 against it: the gold lists name the pages holding the
 * gold passage, but both sets repeat content elsewhere.
 */
const recoverableTokenF1 = 0.5;
/** References shorter than this (in characters, spaces removed: "可以", "60") cannot be checked. */
const minCheckableReference = 4;
/** The reference extractive token F1 of the sets' published baseline (docs/public-eval-sets.md). */
const referenceTokenF1: Record<string, number> = { 'rhdh-docs-ragas': 0.263, 'domainrag-ruc': 0.108 };

interface SetCase {
  id: string;
  question: string;
  /** A string; for 26 multi-document cases of domainrag-ruc, a list of the answer's parts. */
  reference_answer?: string | string[];
  gold_doc_ids: string[];
  answerable?: boolean;
}

type Group = 'answerable' | 'removed' | 'cross-set';

interface CaseResult {
  set: string;
  kb: string;
  group: Group;
  id: string;
  question: string;
  shouldAbstain: boolean;
  /** A removed-answer case whose answer is not recoverable from the remaining documents. */
  cleanlyRemoved: boolean;
  abstained: boolean;
  reason: string | null;
  answer: string;
  reference: string | null;
  /** Token F1 of the served answer (0 when abstained); null for unanswerable cases. */
  tokenF1: number | null;
  /** Token F1 of the extractive reader on the same passages, had it not abstained. */
  readerF1: number | null;
  readerConfidence: number;
  /** The served answer's confidence, and the evidence features behind it (bench/fit-confidence.ts refits from them). */
  confidence: number;
  confidenceFeatures: ConfidenceFeatures | null;
  /** With --verifier: its answerability score for the answer's top cited passage; null when it did not run (abstentions). */
  verifierScore: number | null;
  /** Token recall of the reference by the extractive reader's answer (served or withheld); null for cross-set cases. */
  readerRecall: number | null;
  keyTermCoverage: number | null;
  rankedSources: string[];
  goldSources: string[];
  hitAt5: number | null;
  reciprocalRankAt5: number | null;
  latencyMs: number;
}

interface LoadedSet {
  name: string;
  documents: EvalDocument[];
  cases: SetCase[];
  directory: string;
  removedSources: Set<string>;
  /** Cases whose every gold document is removed: asked of the reduced KB only. */
  removedCases: SetCase[];
  answerableCases: SetCase[];
  /** Ids of removed cases whose answer is recoverable from the remaining documents, or unverifiable (too short). */
  notCleanlyRemoved: Set<string>;
}

function everyNth<T>(items: readonly T[], maxCount: number): T[] {
  const stride = Math.max(1, Math.ceil(items.length / maxCount));
  return items.filter((_, index) => index % stride === 0);
}

const compact = (text: string) => text.replace(/\s+/g, '');

/** The reference answer as one text; a list of parts is the answer with all its parts. */
function referenceText(evalCase: SetCase): string {
  const reference = evalCase.reference_answer;
  return Array.isArray(reference) ? reference.join('\n') : String(reference ?? '');
}

type TokenCounts = Map<string, number>;

function tokenCounts(text: string): { counts: TokenCounts; size: number } {
  const tokens = answerTokens(text);
  const counts: TokenCounts = new Map();
  for (const token of tokens) counts.set(token, (counts.get(token) ?? 0) + 1);
  return { counts, size: tokens.length };
}

/** One to three consecutive sentences or lines of each document, as token counts. */
function sentenceWindows(texts: string[]): Array<{ counts: TokenCounts; size: number }> {
  const windows: Array<{ counts: TokenCounts; size: number }> = [];
  for (const text of texts) {
    const units = text.split(/\n+|(?<=[.!?。！？；])\s*/u).filter((unit) => unit.trim().length > 0);
    for (let start = 0; start < units.length; start++) {
      for (let length = 1; length <= 3 && start + length <= units.length; length++) {
        windows.push(tokenCounts(units.slice(start, start + length).join(' ')));
      }
    }
  }
  return windows;
}

/** The best token F1 (as tokenF1 computes it) of any window against the reference. */
function bestWindowF1(reference: string, windows: Array<{ counts: TokenCounts; size: number }>): number {
  const expected = tokenCounts(reference);
  let best = 0;
  for (const window of windows) {
    let shared = 0;
    for (const [token, count] of expected.counts) shared += Math.min(count, window.counts.get(token) ?? 0);
    if (shared === 0) continue;
    const precision = shared / window.size;
    const recall = shared / expected.size;
    best = Math.max(best, (2 * precision * recall) / (precision + recall));
  }
  return best;
}

async function loadSet(name: string, root: string, limit: number): Promise<LoadedSet> {
  const source = evalSetDirectory(name);
  const documents = await readJsonLines<EvalDocument>(path.join(source, 'docs.jsonl'));
  const cases = (await readJsonLines<SetCase>(path.join(source, 'cases.jsonl')))
    .slice(0, limit)
    .filter((evalCase) => evalCase.answerable !== false && evalCase.gold_doc_ids.length > 0);
  const directory = path.join(root, name, 'docs');
  await mkdir(directory, { recursive: true });
  for (const document of documents) await writeFile(path.join(directory, fileName(document.id)), documentMarkdown(document));

  const goldDocuments = [...new Set(cases.flatMap((evalCase) => evalCase.gold_doc_ids))].sort();
  const removed = new Set(goldDocuments.filter((_, index) => index % removalStride === removalStride - 1));
  const removedCases = cases.filter((evalCase) => evalCase.gold_doc_ids.every((id) => removed.has(id)));
  const answerableCases = cases.filter((evalCase) => !removedCases.includes(evalCase));
  const remaining = documents.filter((document) => !removed.has(document.id)).map((document) => String(document.text ?? ''));
  const windows = sentenceWindows(remaining);
  const remainingText = remaining.map(compact);
  const notCleanlyRemoved = new Set(
    removedCases
      .filter((evalCase) => {
        const reference = referenceText(evalCase);
        if (compact(reference).length < minCheckableReference) return true;
        if (remainingText.some((text) => text.includes(compact(reference)))) return true;
        return bestWindowF1(reference, windows) >= recoverableTokenF1;
      })
      .map((evalCase) => evalCase.id),
  );
  return {
    name,
    documents,
    cases,
    directory,
    removedSources: new Set([...removed].map(fileName)),
    removedCases,
    answerableCases,
    notCleanlyRemoved,
  };
}

/** The ingestion parts `oriole ingest` uses, without an embedder (the offline default). */
function ingestion(database: Database): { context: IngestContext; collect: CollectDependencies } {
  const loaders = createFileLoaders();
  return {
    context: {
      database,
      parse: (input) => loaders.load(input),
      chunk: (document) => chunkDocument(document, defaultChunkingSettings),
      termFrequencies,
      embedder: null,
      embedderSpec: 'none',
      chunkingSettings: defaultChunkingSettings,
      limits: defaultIngestLimits,
    },
    collect: {
      crawl: () => {
        throw new Error('no crawling in this bench');
      },
      isSupported: ({ source, bytes }) => isDocumentFile(source, detectContentType({ source, bytes }), loaders.supports),
    },
  };
}

/**
 * `oriole ingest <folder> --kb NAME [--prune]` without the CLI, the files in `leaveOut`
 * absent from the folder. Documents with no text (two empty pages of domainrag-ruc)
 * fail as they do there, and the run goes on.
 */
async function ingestKb(database: Database, kbName: string, directory: string, leaveOut: ReadonlySet<string>, prune: boolean): Promise<void> {
  const { context, collect } = ingestion(database);
  const kb = await ensureKnowledgeBase(database, { name: kbName, embedder: 'none' });
  const plan = await planInputs([directory]);
  plan.files = plan.files.filter((file) => !leaveOut.has(file.source));
  const summary = await ingestInputs(context, kb, collectInputs(plan, collect, {}), { prune });
  const failed = summary.failures.map((failure) => failure.source).join(', ');
  console.error(
    `${kbName}: ${summary.added} added, ${summary.unchanged} unchanged, ${summary.deleted} deleted, ${summary.chunks} chunks ` +
      `in ${summary.seconds.toFixed(1)} s${failed ? `; failed: ${failed}` : ''}`,
  );
}

async function ask(service: AnswerService, kb: string, group: Group, evalCase: SetCase, verifier: Verifier | null): Promise<CaseResult> {
  const started = performance.now();
  let passages: Passage[] = [];
  let response: AnswerResponse | undefined;
  for await (const event of service.stream({ question: evalCase.question, kb, topK })) {
    if (event.type === 'sources') passages = event.passages;
    else if (event.type === 'done') response = event.response;
    else if (event.type === 'error') throw event.error;
  }
  const latencyMs = performance.now() - started;
  if (!response) throw new Error(`no answer for ${evalCase.id}`);

  const shouldAbstain = group !== 'answerable';
  const goldSources = shouldAbstain ? [] : evalCase.gold_doc_ids.map(fileName);
  const rankedSources = passages.map((passage) => passage.source);
  const reference = shouldAbstain ? null : referenceText(evalCase);
  const reader = extractiveAnswer(response.retrieval.query, passages);
  // The service answers extractively here, so this is the outcome it formed, features included.
  const evidence = { question: response.retrieval.query, language: detectLanguage(evalCase.question), passages, info: response.retrieval };
  const outcome = extractiveOutcome(evidence);
  const verified = verifier ? await verifyOutcome(outcome, evidence, { verifier, timeoutMs: 600_000 }) : undefined;
  const caseReference = group === 'cross-set' ? null : referenceText(evalCase);
  const decision = decideAbstention({
    questionTerms: response.retrieval.queryTerms,
    matchedTerms: response.retrieval.matchedTerms,
    passages,
  });
  return {
    set: kb,
    kb: group === 'removed' ? `${kb} without the removed documents` : kb,
    group,
    id: evalCase.id,
    question: evalCase.question,
    shouldAbstain,
    cleanlyRemoved: false,
    abstained: response.abstained,
    reason: response.reason ?? null,
    answer: response.answer,
    reference,
    tokenF1: reference === null ? null : response.abstained ? 0 : tokenF1(stripMarkers(response.answer), reference),
    readerF1: reference === null ? null : tokenF1(stripMarkers(reader.text), reference),
    readerConfidence: reader.confidence,
    confidence: response.confidence,
    confidenceFeatures: outcome.confidenceFeatures ?? null,
    verifierScore: verified?.answerability ?? null,
    readerRecall: caseReference === null ? null : tokenRecall(stripMarkers(reader.text), caseReference),
    keyTermCoverage: decision.keyTermCoverage ?? null,
    rankedSources,
    goldSources,
    hitAt5: shouldAbstain ? null : hitAtK(rankedSources, goldSources, topK),
    reciprocalRankAt5: shouldAbstain ? null : reciprocalRankAtK(rankedSources, goldSources, topK),
    latencyMs,
  };
}

interface SetSummary {
  set: string;
  answerable: number;
  removed: number;
  crossSet: number;
  removedClean: number;
  hitAt5: number | null;
  mrrAt5: number | null;
  tokenF1: number | null;
  tokenF1Answered: number | null;
  readerF1: number | null;
  referenceTokenF1: number | null;
  falseAbstentionRate: number | null;
  crossSetAbstention: AbstentionScores;
  removedAbstention: AbstentionScores;
  removedCleanAbstention: AbstentionScores;
  combinedAbstention: AbstentionScores;
  falseAbstentionReasons: Record<string, number>;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
}

function summarize(set: string, results: CaseResult[]): SetSummary {
  const answerable = results.filter((result) => result.group === 'answerable');
  const removed = results.filter((result) => result.group === 'removed');
  const crossSet = results.filter((result) => result.group === 'cross-set');
  const removedClean = removed.filter((result) => result.cleanlyRemoved);
  const abstention = (positives: CaseResult[]) => abstentionPrecisionRecall([...answerable, ...positives]);
  const falseAbstentionReasons: Record<string, number> = {};
  for (const result of answerable.filter((entry) => entry.abstained)) {
    const reason = result.reason ?? 'unknown';
    falseAbstentionReasons[reason] = (falseAbstentionReasons[reason] ?? 0) + 1;
  }
  const latencies = answerable.map((result) => result.latencyMs);
  return {
    set,
    answerable: answerable.length,
    removed: removed.length,
    crossSet: crossSet.length,
    removedClean: removedClean.length,
    hitAt5: meanOf(answerable.map((result) => result.hitAt5)),
    mrrAt5: meanOf(answerable.map((result) => result.reciprocalRankAt5)),
    tokenF1: meanOf(answerable.map((result) => result.tokenF1)),
    tokenF1Answered: meanOf(answerable.filter((result) => !result.abstained).map((result) => result.tokenF1)),
    readerF1: meanOf(answerable.map((result) => result.readerF1)),
    referenceTokenF1: referenceTokenF1[set] ?? null,
    falseAbstentionRate: abstentionPrecisionRecall(answerable).falseAbstentionRate,
    crossSetAbstention: abstention(crossSet),
    removedAbstention: abstention(removed),
    removedCleanAbstention: abstention(removedClean),
    combinedAbstention: abstention([...crossSet, ...removed]),
    falseAbstentionReasons,
    latencyP50Ms: percentile(latencies, 50),
    latencyP95Ms: percentile(latencies, 95),
  };
}

const figure = (value: number | null, digits = 3) => (value === null ? '–' : value.toFixed(digits));
const precisionRecall = (scores: AbstentionScores) => `${figure(scores.precision)} / ${figure(scores.recall)}`;

function setTable(summary: SetSummary): string {
  const rows: Array<[string, string, string]> = [
    ['retrieval hit@5 (doc-level)', figure(summary.hitAt5), `${summary.answerable} answerable`],
    ['retrieval MRR@5 (doc-level)', figure(summary.mrrAt5), ''],
    ['answer token F1 (abstention = 0)', figure(summary.tokenF1), `reference ${figure(summary.referenceTokenF1)}`],
    ['answer token F1, answered cases only', figure(summary.tokenF1Answered), ''],
    ['reader token F1, never abstaining', figure(summary.readerF1), 'extractiveAnswer on the same passages'],
    [
      'false-abstention rate (answerable)',
      figure(summary.falseAbstentionRate),
      Object.entries(summary.falseAbstentionReasons).map(([reason, count]) => `${reason} ${count}`).join(', '),
    ],
    ['abstention precision / recall, cross-set', precisionRecall(summary.crossSetAbstention), `${summary.crossSet} questions of the other set`],
    [
      'abstention precision / recall, removed answers',
      precisionRecall(summary.removedAbstention),
      `${summary.removed} questions whose gold documents were removed`,
    ],
    [
      'abstention precision / recall, removed answers not recoverable',
      precisionRecall(summary.removedCleanAbstention),
      `${summary.removedClean} of them: reference neither verbatim nor at token F1 ≥ ${recoverableTokenF1} in 1–3 remaining sentences`,
    ],
    ['abstention precision / recall, combined', precisionRecall(summary.combinedAbstention), ''],
    ['answer latency p50 / p95 (ms)', `${figure(summary.latencyP50Ms, 0)} / ${figure(summary.latencyP95Ms, 0)}`, 'answerable cases'],
  ];
  return [`### ${summary.set}`, '', '| metric | value | notes |', '|---|---|---|', ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

function summaryTable(summaries: SetSummary[], all: SetSummary): string {
  const header =
    '| set | hit@5 | MRR@5 | token F1 (ref.) | false abstention | abst. P / R cross-set | abst. P / R removed | abst. P / R removed, not recoverable | abst. P / R combined | p50 / p95 ms |';
  const line = (summary: SetSummary) =>
    `| ${summary.set} | ${figure(summary.hitAt5)} | ${figure(summary.mrrAt5)} | ${figure(summary.tokenF1)} (${figure(summary.referenceTokenF1)}) | ` +
    `${figure(summary.falseAbstentionRate)} | ${precisionRecall(summary.crossSetAbstention)} | ${precisionRecall(summary.removedAbstention)} | ${precisionRecall(summary.removedCleanAbstention)} | ` +
    `${precisionRecall(summary.combinedAbstention)} | ${figure(summary.latencyP50Ms, 0)} / ${figure(summary.latencyP95Ms, 0)} |`;
  return [header, '|---|---|---|---|---|---|---|---|---|---|', ...summaries.map(line), ...(summaries.length > 1 ? [line(all)] : [])].join('\n');
}

function option(argumentsGiven: string[], name: string): string | undefined {
  const at = argumentsGiven.indexOf(name);
  return at >= 0 ? argumentsGiven[at + 1] : undefined;
}

async function main(): Promise<void> {
  const argumentsGiven = process.argv.slice(2);
  const setNames = option(argumentsGiven, '--sets')?.split(',').filter(Boolean) ?? knownSets.map((set) => set.name);
  const limit = Number(option(argumentsGiven, '--limit') ?? Number.POSITIVE_INFINITY);
  const out = option(argumentsGiven, '--out');
  if (!(limit > 0)) throw new Error('--limit takes a positive number');
  const verifierSpec = option(argumentsGiven, '--verifier');
  const modelsDir = option(argumentsGiven, '--models-dir');
  const verifier = verifierSpec ? await loadVerifierModel(verifierSpec, modelsDir ? { modelsDir } : {}) : null;
  if (verifierSpec && !verifier) throw new Error('--verifier takes transformers:<model> (the bench answers extractively: no LLM to ask)');

  const root = await mkdtemp(path.join(tmpdir(), 'oriole-answer-eval-'));
  const database = await openPglite();
  try {
    await migrate(database, await readMigrationFiles());
    const loaded: LoadedSet[] = [];
    for (const name of setNames) {
      const set = await loadSet(name, root, limit);
      await ingestKb(database, set.name, set.directory, new Set(), false);
      console.error(
        `${set.name}: ${set.removedSources.size} gold documents to remove → ${set.removedCases.length} removed-answer cases, ${set.answerableCases.length} answerable`,
      );
      loaded.push(set);
    }

    const service = createAnswerService({
      database,
      retriever: createHybridRetriever({ database, embedder: null }),
      chatModel: null,
      modelName: 'extractive',
      defaultKb: loaded[0]!.name,
    });
    const results: CaseResult[] = [];
    const run = async (set: string, group: Group, cases: SetCase[]) => {
      const started = performance.now();
      for (const evalCase of cases) results.push(await ask(service, set, group, evalCase, verifier));
      console.error(`  ${set} ${group}: ${cases.length} answers in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    };
    for (const set of loaded) {
      await run(set.name, 'answerable', set.answerableCases);
      for (const other of loaded.filter((candidate) => candidate !== set)) {
        await run(set.name, 'cross-set', everyNth(other.cases, crossSetMaxQuestions));
      }
    }
    // The removed-answer KB is the full one re-ingested without the removed files, pruned,
    // as `oriole ingest --prune` would: the other documents are unchanged and stay as they are.
    for (const set of loaded) {
      await ingestKb(database, set.name, set.directory, set.removedSources, true);
      const before = results.length;
      await run(set.name, 'removed', set.removedCases);
      for (const result of results.slice(before)) result.cleanlyRemoved = !set.notCleanlyRemoved.has(result.id);
      console.error(`  ${set.name}: ${set.removedCases.length - set.notCleanlyRemoved.size} removed-answer cases not recoverable from the rest`);
    }

    const summaries = loaded.map((set) =>
      summarize(set.name, results.filter((result) => result.set === set.name)),
    );
    const all = summarize('all (pooled)', results);
    console.log(summaries.map(setTable).join('\n\n'));
    console.log('\n### Summary\n');
    console.log(summaryTable(summaries, all));
    if (out) {
      await writeFile(out, `${JSON.stringify({ topK, removalStride, crossSetMaxQuestions, summaries, all, cases: results }, null, 2)}\n`);
      console.error(`per-case results in ${out}`);
    }
  } finally {
    await database.close();
    await rm(root, { recursive: true, force: true });
  }
}

await main();
