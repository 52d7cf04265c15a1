import path from 'node:path';
import Papa from 'papaparse';
import { createCurated, curatedThresholdOf, distinctPhrasings, listCurated, normaliseQuestion, phrasingScore } from '../answer/index.ts';
import { ImportedCuratedAnswerSchema } from '../api/curated-answer-schemas.ts';
import { curatedAnswerResponse } from '../api/routes/curated-answers.ts';
import { OrioleError } from '../core/index.ts';
import { getKnowledgeBase, type CuratedAnswer, type Database } from '../db/index.ts';
import { lexicalTerms } from '../retrieval/index.ts';
import { readNamedFile, writeNamedFile } from './command-files.ts';

/**
 * `oriole curated import|export` (docs/curated-answers.md). JSONL is the API's shape, one
 * curated answer a line (an export imports as it is; id, hits and timestamps are ignored).
 * CSV has the columns `question,answer`, one phrasing a row: rows with the same answer
 * text become one curated answer with several phrasings, and an export writes one row per
 * phrasing (citations, tags and `enabled` are JSONL-only).
 */

export interface CuratedOutput {
  out(text: string): void;
  err(text: string): void;
}

interface ImportEntry {
  /** Where it came from: `line 3`, `rows 2, 5`. */
  origin: string;
  questions: string[];
  answer: string;
  citations: { source: string }[];
  tags: string[];
  enabled: boolean;
}

export interface ImportPlan {
  added: ImportEntry[];
  /** Entries already stored: the same answer text with these phrasings, so importing them again adds nothing. */
  present: ImportEntry[];
  conflicts: string[];
}

export async function runCuratedImport(
  database: Database,
  file: string,
  options: { kb: string; dryRun: boolean },
  output: CuratedOutput,
): Promise<ImportPlan> {
  const format = formatOf(file);
  const kb = await getKnowledgeBase(database, options.kb);
  const entries = parseImportFile(await readNamedFile(file, 'the curated answers file'), format);
  const existing = await listCurated(database, kb);
  const plan = planImport(entries, existing, curatedThresholdOf(kb));
  const verb = options.dryRun ? 'Would add' : 'Adding';
  output.out(`${verb} ${plan.added.length} curated answer(s) to '${kb.name}'; ${plan.present.length} already present.`);
  for (const entry of plan.added) output.out(`  + ${entry.questions[0]} (${entry.questions.length} phrasing(s), ${entry.origin})`);
  if (plan.conflicts.length > 0) {
    output.err(`${plan.conflicts.length} conflict(s): a question would match more than one curated answer.`);
    for (const conflict of plan.conflicts) output.err(`  ! ${conflict}`);
  }
  if (options.dryRun) return plan;
  // All or nothing: a cited source that does not exist refuses the whole file.
  await database.transaction(async (transaction) => {
    for (const entry of plan.added) {
      try {
        await createCurated(transaction, kb, entry);
      } catch (error) {
        if (error instanceof OrioleError) throw new OrioleError(error.code, `${entry.origin}: ${error.message}`, { details: error.details ?? {} });
        throw error;
      }
    }
  });
  output.out(`Added ${plan.added.length} curated answer(s).`);
  return plan;
}

export async function runCuratedExport(database: Database, file: string, options: { kb: string }, output: CuratedOutput): Promise<number> {
  const format = formatOf(file);
  const kb = await getKnowledgeBase(database, options.kb);
  const answers = await listCurated(database, kb);
  const text =
    format === 'csv'
      ? Papa.unparse(
          answers.flatMap((answer) => answer.questions.map((question) => ({ question, answer: answer.answer }))),
          { columns: ['question', 'answer'], newline: '\n' },
        ) + '\n'
      : answers.map((answer) => JSON.stringify(curatedAnswerResponse(answer, kb))).join('\n') + (answers.length > 0 ? '\n' : '');
  await writeNamedFile(file, text, 'the export');
  output.out(`Exported ${answers.length} curated answer(s) of '${kb.name}' to ${file}.`);
  return answers.length;
}

type FileFormat = 'jsonl' | 'csv';

function formatOf(file: string): FileFormat {
  const extension = path.extname(file).toLowerCase();
  if (extension === '.csv') return 'csv';
  if (extension === '.jsonl' || extension === '.ndjson') return 'jsonl';
  throw new OrioleError('invalid_request', `${file}: name a .jsonl or .csv file`);
}

/** The file's entries, each checked as the API checks a new curated answer; the first bad one refuses the file. */
export function parseImportFile(text: string, format: FileFormat): ImportEntry[] {
  return format === 'csv' ? parseCsv(text) : parseJsonl(text);
}

function parseJsonl(text: string): ImportEntry[] {
  const entries: ImportEntry[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new OrioleError('invalid_request', `line ${index + 1}: not JSON`);
    }
    entries.push(checked(value, `line ${index + 1}`));
  });
  return entries;
}

function parseCsv(text: string): ImportEntry[] {
  const parsed = Papa.parse<Record<string, string>>(text.replace(/^\uFEFF/, ''), {
    header: true,
    skipEmptyLines: 'greedy',
    transformHeader: (header) => header.trim().toLowerCase(),
  });
  const fields = parsed.meta.fields ?? [];
  if (!fields.includes('question') || !fields.includes('answer')) {
    throw new OrioleError('invalid_request', `The CSV needs the columns question,answer; it has ${fields.join(',') || 'none'}`);
  }
  const firstError = parsed.errors[0];
  if (firstError) throw new OrioleError('invalid_request', `row ${(firstError.row ?? 0) + 2}: ${firstError.message}`);
  // Rows with the same answer (spacing aside) are phrasings of one question.
  const groups = new Map<string, { rows: number[]; questions: string[]; answer: string }>();
  parsed.data.forEach((row, index) => {
    const answer = (row.answer ?? '').trim();
    const key = answer.replace(/\s+/g, ' ');
    const group = groups.get(key) ?? { rows: [], questions: [], answer };
    group.rows.push(index + 2); // the header is row 1
    group.questions.push(row.question ?? '');
    groups.set(key, group);
  });
  return [...groups.values()].map((group) =>
    checked({ questions: group.questions, answer: group.answer }, `${group.rows.length > 1 ? 'rows' : 'row'} ${group.rows.join(', ')}`),
  );
}

function checked(value: unknown, origin: string): ImportEntry {
  const result = ImportedCuratedAnswerSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new OrioleError('invalid_request', `${origin}: ${issue.path.join('.') || 'entry'}: ${issue.message}`);
  }
  const { questions, answer, citations = [], tags = [], enabled = true } = result.data;
  return { origin, questions: distinctPhrasings(questions), answer, citations, tags, enabled };
}

/**
 * What importing `entries` would do: entries already stored are skipped (so an import is
 * idempotent); conflicts are phrasings equal to another entry's, or close enough to
 * another entry's that a question would match both (lexical score over the KB's threshold).
 */
export function planImport(entries: readonly ImportEntry[], existing: readonly CuratedAnswer[], threshold: number): ImportPlan {
  const plan: ImportPlan = { added: [], present: [], conflicts: [] };
  const stored = existing.map((answer) => ({ label: `existing ${answer.id}`, answer: answer.answer, questions: answer.questions }));
  for (const entry of entries) {
    const same = stored.find((other) => sameText(other.answer, entry.answer) && entry.questions.every((question) => other.questions.some((known) => sameQuestion(known, question))));
    if (same) plan.present.push(entry);
    else plan.added.push(entry);
  }
  const candidates = [...stored, ...plan.added.map((entry) => ({ label: entry.origin, answer: entry.answer, questions: entry.questions }))];
  const prepared = candidates.map((candidate) => ({
    ...candidate,
    phrasings: candidate.questions.map((text) => ({ text, terms: new Set(lexicalTerms(text)), vector: null })),
  }));
  // Each pair once, and only pairs with a new entry in them (stored answers were checked when written).
  for (let right = stored.length; right < prepared.length; right++) {
    for (let left = 0; left < right; left++) {
      const conflict = conflictBetween(prepared[left]!, prepared[right]!, threshold);
      if (conflict) plan.conflicts.push(conflict);
    }
  }
  return plan;
}

type PreparedCandidate = { label: string; phrasings: { text: string; terms: Set<string>; vector: null }[] };

function conflictBetween(left: PreparedCandidate, right: PreparedCandidate, threshold: number): string | undefined {
  for (const a of left.phrasings) {
    for (const b of right.phrasings) {
      if (sameQuestion(a.text, b.text)) return `"${b.text}" (${right.label}) is also a phrasing of ${left.label}`;
      const score = phrasingScore({ terms: a.terms, vector: null }, b);
      if (score >= threshold) {
        return `"${b.text}" (${right.label}) and "${a.text}" (${left.label}) would match the same questions (similarity ${score.toFixed(2)}, threshold ${threshold})`;
      }
    }
  }
  return undefined;
}

function sameQuestion(a: string, b: string): boolean {
  return normaliseQuestion(a) === normaliseQuestion(b);
}

function sameText(a: string, b: string): boolean {
  return a.replace(/\s+/g, ' ').trim() === b.replace(/\s+/g, ' ').trim();
}
