/**
 * The real-docs eval sets (evals/datasets/real-docs-*.jsonl) end to end, as a new user
 * would run them: each set's documentation folder is ingested with `oriole ingest` into a
 * fresh embedded KB (PGlite in a temporary ORIOLE_DATA_DIR), the set is run with
 * `oriole eval`, and the figures of the "Real documentation" table in docs/answers.md are
 * printed: nugget recall on answerable cases, wrong answers, false abstentions,
 * abstention precision/recall, hit@5/MRR@5, and doc-site markup left in chunks and answers.
 *
 *   npx tsx bench/real-docs.ts --docs DIR [--cases FILE_OR_DIR] [--oriole DIR] [--out DIR] [--embedder SPEC] [--k N]
 *
 * --docs      a folder holding one sub-folder a set, named as the set's file: `real-docs-plausible.jsonl`
 *             is asked of DIR/plausible (ORIOLE_REAL_DOCS_DIR). With one cases file, DIR may be that
 *             set's folder itself. evals/datasets/README.md says how to fetch the documents.
 * --cases     a set's JSONL file, or a folder of real-docs-*.jsonl (default: this repository's evals/datasets).
 * --oriole    the Oriole checkout to measure (default: the current directory), so another worktree can
 *             run this script by path. Only its CLI (`bin/oriole.js`) and its embedded database are used,
 *             and cases are passed to it without the nugget fields, so a checkout whose `oriole eval`
 *             knows nothing of nuggets is measured the same way: nuggets are checked here.
 * --out       where reports go (default: a temporary folder); `summary.md` and `summary.json` there.
 * --embedder  ORIOLE_EMBEDDER for the ingest (default `none`: the offline default, extractive answers).
 *
 * "Wrong" is an answer on an answerable case that misses its nuggets (no judge: partly right
 * counts as wrong). Markup counts look outside fenced code blocks only, since a code sample
 * may rightly hold `import … from` or `<Button>`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { checkNuggets } from '../evals/metrics.ts';
import type { NuggetResult } from '../evals/types.ts';

/** The case fields every Oriole's `oriole eval` accepts; the rest (nuggets) stay here. */
const evalCaseFields = ['id', 'question', 'history', 'reference_answer', 'gold_sources', 'answerable', 'tags'] as const;

/** Doc-site markup that should never reach a chunk or an answer, each with how to find it in prose. */
export const markupPatterns: ReadonlyArray<{ name: string; pattern: RegExp }> = [
  { name: ':::', pattern: /:::/g },
  { name: '{#', pattern: /\{#/g },
  { name: '<Component', pattern: /<\/?[A-Z][A-Za-z0-9]*(?=[\s/>.])/g },
  { name: 'import … from', pattern: /^\s*import\s[^\n]*?\sfrom\s+['"]/gm },
  { name: '{%', pattern: /\{%/g },
  { name: '{{<', pattern: /\{\{</g },
];

const fencedCode = /^ {0,3}(`{3,}|~{3,})[^\n]*\n[\s\S]*?(?:^ {0,3}\1[^\n]*$|(?![\s\S]))/gm;

interface Options {
  docs: string;
  cases: string;
  oriole: string;
  out: string | null;
  embedder: string;
  k: number;
}

interface RawCase {
  id: string;
  question: string;
  answerable?: boolean;
  nuggets_all?: string[];
  nuggets_any?: string[];
  [key: string]: unknown;
}

interface ReportRow {
  id: string;
  question: string;
  answer: string;
  abstained: boolean;
  answerable: boolean;
  failure: string | null;
  citations: Array<{ source: string }>;
  retrievedSources: string[];
  metrics: { hitAtK: number | null; reciprocalRank: number | null };
}

interface SetFigures {
  set: string;
  documents: string;
  ingestExit: number;
  ingestSummary: string;
  cases: number;
  answerable: number;
  unanswerable: number;
  nuggetCases: number;
  nuggetsPassed: number;
  wrongOnAnswerable: number;
  falseAbstentions: number;
  abstainedOnUnanswerable: number;
  answeredUnanswerable: number;
  hitAt5: number | null;
  mrrAt5: number | null;
  errors: number;
  markupInChunks: Record<string, number>;
  markupInAnswers: Record<string, number>;
  markupExamples: string[];
  failing: Array<{ id: string; question: string; abstained: boolean; missing: string; answer: string }>;
}

async function main(): Promise<void> {
  const options = readOptions();
  const sets = await findSets(options);
  const outRoot = options.out ?? (await mkdtemp(path.join(tmpdir(), 'oriole-real-docs-')));
  await mkdir(outRoot, { recursive: true });
  const figures: SetFigures[] = [];
  for (const set of sets) figures.push(await runSet(set, options, outRoot));
  const markdown = renderSummary(figures, options);
  await writeFile(path.join(outRoot, 'summary.md'), markdown);
  await writeFile(path.join(outRoot, 'summary.json'), `${JSON.stringify(figures, null, 2)}\n`);
  console.log(`\n${markdown}`);
  console.log(`Reports: ${outRoot}`);
}

function readOptions(): Options {
  const { values } = parseArgs({
    options: {
      docs: { type: 'string' },
      cases: { type: 'string' },
      oriole: { type: 'string' },
      out: { type: 'string' },
      embedder: { type: 'string' },
      k: { type: 'string' },
    },
  });
  const docs = values.docs ?? process.env.ORIOLE_REAL_DOCS_DIR;
  if (!docs) throw new Error('Give the documents folder: --docs DIR (or ORIOLE_REAL_DOCS_DIR); evals/datasets/README.md says how to get it.');
  const oriole = path.resolve(values.oriole ?? process.cwd());
  if (!existsSync(path.join(oriole, 'bin/oriole.js'))) throw new Error(`${oriole} is not an Oriole checkout (no bin/oriole.js); run from one or pass --oriole DIR`);
  return {
    docs: path.resolve(docs),
    cases: path.resolve(values.cases ?? path.join(import.meta.dirname, '../evals/datasets')),
    oriole,
    out: values.out ? path.resolve(values.out) : null,
    embedder: values.embedder ?? 'none',
    k: values.k ? Number(values.k) : 5,
  };
}

interface SetToRun {
  name: string;
  casesFile: string;
  docsDir: string;
}

async function findSets(options: Options): Promise<SetToRun[]> {
  const files = statSync(options.cases).isDirectory()
    ? (await readdir(options.cases)).filter((name) => /^real-docs-.+\.jsonl$/.test(name)).sort().map((name) => path.join(options.cases, name))
    : [options.cases];
  if (files.length === 0) throw new Error(`${options.cases} holds no real-docs-*.jsonl set`);
  return files.map((casesFile) => {
    const name = path.basename(casesFile, '.jsonl').replace(/^real-docs-/, '');
    const nested = path.join(options.docs, name);
    const docsDir = existsSync(nested) ? nested : files.length === 1 ? options.docs : null;
    if (!docsDir) throw new Error(`No documents for the set '${name}': expected the folder ${nested}`);
    return { name, casesFile, docsDir };
  });
}

async function runSet(set: SetToRun, options: Options, outRoot: string): Promise<SetFigures> {
  const dataDir = await mkdtemp(path.join(tmpdir(), `oriole-real-docs-${set.name}-`));
  const outDir = path.join(outRoot, set.name);
  const env: NodeJS.ProcessEnv = { ...process.env, ORIOLE_DATA_DIR: dataDir, ORIOLE_EMBEDDER: options.embedder, ORIOLE_LLM: 'extractive' };
  delete env.DATABASE_URL;
  delete env.ORIOLE_JUDGE;
  try {
    console.log(`\n== ${set.name}: ingesting ${set.docsDir}`);
    const ingest = oriole(options.oriole, ['ingest', set.docsDir, '--kb', set.name], env);
    const cases = parseCases(await readFile(set.casesFile, 'utf8'), set.casesFile);
    const evalFile = path.join(dataDir, 'cases.jsonl');
    await writeFile(evalFile, cases.map((evalCase) => JSON.stringify(pick(evalCase, evalCaseFields))).join('\n') + '\n');
    console.log(`== ${set.name}: asking ${cases.length} cases`);
    const evaluated = oriole(options.oriole, ['eval', evalFile, '--kb', set.name, '--out', outDir, '--k', String(options.k)], env);
    if (evaluated.status !== 0) throw new Error(`oriole eval failed (exit ${evaluated.status}):\n${evaluated.stderr}`);
    const report = JSON.parse(await readFile(path.join(outDir, 'report.json'), 'utf8')) as { rows: ReportRow[] };
    const chunks = await readChunks(options.oriole, dataDir);
    return figuresOf(set, cases, report.rows, chunks, ingest);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

function oriole(checkout: string, args: string[], env: NodeJS.ProcessEnv): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [path.join(checkout, 'bin/oriole.js'), ...args], {
    cwd: checkout,
    env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

function parseCases(jsonl: string, origin: string): RawCase[] {
  return jsonl
    .split(/\r?\n/)
    .map((line, index) => ({ line, index }))
    .filter(({ line }) => line.trim() !== '')
    .map(({ line, index }) => {
      const value = JSON.parse(line) as RawCase;
      if (typeof value.id !== 'string' || typeof value.question !== 'string') throw new Error(`${origin}:${index + 1}: a case needs id and question`);
      return value;
    });
}

function pick(value: RawCase, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((key) => value[key] !== undefined).map((key) => [key, value[key]]));
}

interface StoredChunk {
  source: string;
  text: string;
  heading_path: string[];
}

/** Every chunk of the KB, read from the measured checkout's embedded database once its CLI has exited. */
async function readChunks(checkout: string, dataDir: string): Promise<StoredChunk[]> {
  const { openPglite } = (await import(path.join(checkout, 'src/db/pglite.ts'))) as {
    openPglite(options: { dataDir: string }): Promise<{
      query<Row>(text: string, values?: unknown[]): Promise<{ rows: Row[] }>;
      close(): Promise<void>;
    }>;
  };
  const database = await openPglite({ dataDir });
  try {
    const { rows } = await database.query<StoredChunk>(
      'SELECT d.source, c.text, c.heading_path FROM chunks c JOIN documents d ON d.id = c.document_id ORDER BY d.source, c.ordinal',
    );
    return rows;
  } finally {
    await database.close();
  }
}

/** Markup found in prose (fenced code blocks removed), by pattern name. */
export function countMarkup(text: string): Record<string, number> {
  const prose = text.replace(fencedCode, '');
  return Object.fromEntries(markupPatterns.map(({ name, pattern }) => [name, prose.match(pattern)?.length ?? 0]));
}

function addCounts(total: Record<string, number>, counts: Record<string, number>): void {
  for (const [name, count] of Object.entries(counts)) total[name] = (total[name] ?? 0) + count;
}

const citationMarker = /\[\d+\]/g;

function figuresOf(set: SetToRun, cases: RawCase[], rows: ReportRow[], chunks: StoredChunk[], ingest: { status: number; stdout: string }): SetFigures {
  const byId = new Map(cases.map((evalCase) => [evalCase.id, evalCase]));
  const markupInChunks: Record<string, number> = {};
  const markupInAnswers: Record<string, number> = {};
  const markupExamples: string[] = [];
  for (const chunk of chunks) {
    const counts = countMarkup(`${chunk.heading_path.join('\n')}\n${chunk.text}`);
    addCounts(markupInChunks, counts);
    const found = Object.entries(counts).filter(([, count]) => count > 0);
    if (found.length > 0 && markupExamples.length < 12) markupExamples.push(`${chunk.source}: ${found.map(([name]) => name).join(', ')}`);
  }
  let nuggetCases = 0;
  let nuggetsPassed = 0;
  let wrongOnAnswerable = 0;
  let falseAbstentions = 0;
  let abstainedOnUnanswerable = 0;
  let answeredUnanswerable = 0;
  let errors = 0;
  const failing: SetFigures['failing'] = [];
  for (const row of rows) {
    if (row.failure === 'error') errors += 1;
    if (!row.abstained) addCounts(markupInAnswers, countMarkup(row.answer));
    if (!row.answerable) {
      if (row.abstained) abstainedOnUnanswerable += 1;
      else answeredUnanswerable += 1;
      continue;
    }
    if (row.abstained) falseAbstentions += 1;
    const evalCase = byId.get(row.id);
    const check: NuggetResult | null = checkNuggets(row.abstained ? '' : row.answer.replace(citationMarker, ''), {
      all: evalCase?.nuggets_all,
      any: evalCase?.nuggets_any,
    });
    if (check === null) continue;
    nuggetCases += 1;
    if (check.passed) {
      nuggetsPassed += 1;
      continue;
    }
    if (!row.abstained) wrongOnAnswerable += 1;
    const missing = [...check.missingAll, ...(check.missingAny.length > 0 ? [`one of ${check.missingAny.join(' | ')}`] : [])].join('; ');
    failing.push({ id: row.id, question: row.question, abstained: row.abstained, missing, answer: row.answer.replace(/\s+/g, ' ').slice(0, 240) });
  }
  const answerable = rows.filter((row) => row.answerable);
  const mean = (values: Array<number | null>) => {
    const present = values.filter((value): value is number => value !== null);
    return present.length === 0 ? null : present.reduce((sum, value) => sum + value, 0) / present.length;
  };
  return {
    set: set.name,
    documents: set.docsDir,
    ingestExit: ingest.status,
    ingestSummary: ingest.stdout.trim().split('\n').at(-1) ?? '',
    cases: rows.length,
    answerable: answerable.length,
    unanswerable: rows.length - answerable.length,
    nuggetCases,
    nuggetsPassed,
    wrongOnAnswerable,
    falseAbstentions,
    abstainedOnUnanswerable,
    answeredUnanswerable,
    hitAt5: mean(answerable.map((row) => row.metrics.hitAtK)),
    mrrAt5: mean(answerable.map((row) => row.metrics.reciprocalRank)),
    errors,
    markupInChunks,
    markupInAnswers,
    markupExamples,
    failing,
  };
}

function ratio(numerator: number, denominator: number): string {
  return denominator === 0 ? '–' : `${(numerator / denominator).toFixed(2)} (${numerator}/${denominator})`;
}

function total(counts: Record<string, number>): number {
  return Object.values(counts).reduce((sum, count) => sum + count, 0);
}

function markupCell(counts: Record<string, number>): string {
  const found = Object.entries(counts).filter(([, count]) => count > 0);
  return found.length === 0 ? '0' : `${total(counts)} (${found.map(([name, count]) => `\`${name}\` ${count}`).join(', ')})`;
}

function renderSummary(figures: SetFigures[], options: Options): string {
  const all: SetFigures = figures.reduce((sum, set) => ({
    ...sum,
    cases: sum.cases + set.cases,
    answerable: sum.answerable + set.answerable,
    unanswerable: sum.unanswerable + set.unanswerable,
    nuggetCases: sum.nuggetCases + set.nuggetCases,
    nuggetsPassed: sum.nuggetsPassed + set.nuggetsPassed,
    wrongOnAnswerable: sum.wrongOnAnswerable + set.wrongOnAnswerable,
    falseAbstentions: sum.falseAbstentions + set.falseAbstentions,
    abstainedOnUnanswerable: sum.abstainedOnUnanswerable + set.abstainedOnUnanswerable,
    answeredUnanswerable: sum.answeredUnanswerable + set.answeredUnanswerable,
    errors: sum.errors + set.errors,
    markupInChunks: mergeCounts(sum.markupInChunks, set.markupInChunks),
    markupInAnswers: mergeCounts(sum.markupInAnswers, set.markupInAnswers),
  }));
  all.hitAt5 = weightedByAnswerable(figures, (set) => set.hitAt5);
  all.mrrAt5 = weightedByAnswerable(figures, (set) => set.mrrAt5);
  const columns = [...figures, ...(figures.length > 1 ? [{ ...all, set: 'all' }] : [])];
  const row = (label: string, cell: (set: SetFigures) => string) => `| ${label} | ${columns.map(cell).join(' | ')} |`;
  const abstained = (set: SetFigures) => set.abstainedOnUnanswerable + set.falseAbstentions;
  const lines = [
    `Real-docs eval: Oriole at ${options.oriole}, embedder ${options.embedder}, extractive answers, k ${options.k}`,
    '',
    `| measure | ${columns.map((set) => set.set).join(' | ')} |`,
    `|---|${columns.map(() => '---|').join('')}`,
    row('cases (answerable / unanswerable)', (set) => `${set.cases} (${set.answerable} / ${set.unanswerable})`),
    row('nuggets.recall (answerable cases)', (set) => ratio(set.nuggetsPassed, set.nuggetCases)),
    row('wrong answers on answerable', (set) => ratio(set.wrongOnAnswerable, set.answerable)),
    row('false abstentions on answerable', (set) => ratio(set.falseAbstentions, set.answerable)),
    row('abstention precision', (set) => ratio(set.abstainedOnUnanswerable, abstained(set))),
    row('abstention recall', (set) => ratio(set.abstainedOnUnanswerable, set.unanswerable)),
    row(`hit@${options.k} / MRR@${options.k} (answerable)`, (set) => (set.hitAt5 === null ? '–' : `${set.hitAt5.toFixed(3)} / ${set.mrrAt5!.toFixed(3)}`)),
    row('markup tokens in chunks', (set) => markupCell(set.markupInChunks)),
    row('markup tokens in answers', (set) => markupCell(set.markupInAnswers)),
    row('errored cases', (set) => String(set.errors)),
    '',
  ];
  for (const set of figures) {
    lines.push(`Ingest of ${set.set} (exit ${set.ingestExit}): ${set.ingestSummary}`);
    if (set.markupExamples.length > 0) lines.push(`Markup in chunks of: ${set.markupExamples.join('; ')}`);
  }
  lines.push('', '| case | abstained | missing nuggets | answer (start) |', '|---|---|---|---|');
  for (const set of figures) {
    for (const failed of set.failing) {
      lines.push(`| ${failed.id} | ${failed.abstained ? 'yes' : 'no'} | ${escapeCell(failed.missing)} | ${escapeCell(failed.answer)} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function weightedByAnswerable(figures: SetFigures[], value: (set: SetFigures) => number | null): number | null {
  const scored = figures.filter((set) => value(set) !== null);
  const weight = scored.reduce((sum, set) => sum + set.answerable, 0);
  return weight === 0 ? null : scored.reduce((sum, set) => sum + value(set)! * set.answerable, 0) / weight;
}

function mergeCounts(left: Record<string, number>, right: Record<string, number>): Record<string, number> {
  const merged = { ...left };
  addCounts(merged, right);
  return merged;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    console.error((error as Error).message);
    process.exitCode = 1;
  });
}
