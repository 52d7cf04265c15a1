/**
 * What the retrieval benches share: finding the public eval sets, reading them,
 * chunking their documents the way the product (or the reference) does, indexing the
 * chunks' terms into a database, and doc-level metrics. The sets are read at run time
 * from the directory given with `--eval-sets DIR` (or ORIOLE_EVAL_SETS_DIR) and never
 * copied into the repository: docs/public-eval-sets.md says what they are, where they
 * come from and the layout expected.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createHash } from 'node:crypto';
import { migrate, writeChunkTerms, type Database } from '../src/db/index.ts';
import { readMigrationFiles } from '../src/db/migration-files.ts';
import { openPglite } from '../src/db/pglite.ts';
import { createLexicalTokenizer, termFrequencies, type LexicalTokenizerSettings } from '../src/retrieval/lexical/index.ts';

/** The environment variable naming the eval sets' directory when `--eval-sets` is not given. */
const directoryVariable = 'ORIOLE_EVAL_SETS_DIR';
/** Earlier spellings of it, still read so existing scripts keep working. */
const olderDirectoryVariables = ['ORIOLE_EVALSETS_DIR', 'ORIOLE_EVALSETS'];

/**
 * The eval sets' directory as given: `--eval-sets DIR` (or `--eval-sets=DIR`) among the
 * arguments, else ORIOLE_EVAL_SETS_DIR; undefined when neither is given.
 */
export function givenEvalSetsDirectory(
  argumentsGiven: readonly string[] = process.argv.slice(2),
  environment: Record<string, string | undefined> = process.env,
): string | undefined {
  const at = argumentsGiven.indexOf('--eval-sets');
  const inline = argumentsGiven.find((argument) => argument.startsWith('--eval-sets='));
  const flag = at >= 0 ? argumentsGiven[at + 1] : inline?.slice('--eval-sets='.length);
  if ((at >= 0 || inline !== undefined) && (!flag || flag.startsWith('--'))) throw new Error('--eval-sets takes a directory');
  const directory = flag ?? [directoryVariable, ...olderDirectoryVariables].map((name) => environment[name]).find(Boolean);
  return directory ? path.resolve(directory) : undefined;
}

/**
 * The directory of one eval set (`docs.jsonl` and `cases.jsonl`), or an error that says
 * how to point the bench at the sets.
 */
export function evalSetDirectory(name: string, root: string | undefined = givenEvalSetsDirectory()): string {
  if (!root) {
    throw new Error(
      `this bench reads the public eval sets, which are not part of the repository: pass --eval-sets DIR or set ${directoryVariable} ` +
        '(docs/public-eval-sets.md says where they come from and the layout expected)',
    );
  }
  const directory = path.join(root, name);
  for (const file of ['docs.jsonl', 'cases.jsonl']) {
    if (!existsSync(path.join(directory, file))) {
      throw new Error(`no eval set '${name}' in ${root}: ${path.join(directory, file)} does not exist (docs/public-eval-sets.md)`);
    }
  }
  return directory;
}

export const sets = [
  { name: 'rhdh-docs-ragas', reference: { hitAt5: 0.91, mrrAt5: 0.793 } },
  { name: 'domainrag-ruc', reference: { hitAt5: 0.884, mrrAt5: 0.629 } },
] as const;

/** The reference chunk size: about 800 characters, cut at paragraph, line or sentence ends. */
const chunkCharacters = 800;
/** Documents a doc-level metric looks at. */
export const documentsRanked = 5;

export interface EvalDocument {
  id: string;
  title: string;
  text: string;
}

export interface EvalCase {
  id: string;
  question: string;
  gold_doc_ids: string[];
}

export async function readJsonLines<T>(file: string): Promise<T[]> {
  const text = await readFile(file, 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as T);
}

/** One set's documents and cases. */
export async function loadSet(name: string): Promise<{ documents: EvalDocument[]; cases: EvalCase[] }> {
  const directory = evalSetDirectory(name);
  const documents = await readJsonLines<EvalDocument>(path.join(directory, 'docs.jsonl'));
  const cases = await readJsonLines<EvalCase>(path.join(directory, 'cases.jsonl'));
  return { documents, cases };
}

/** The file a document of a set is written to, so its `source` is `<id>.md`. */
export function documentFileName(id: string): string {
  return `${String(id).replace(/[^\w.-]+/g, '_')}.md`;
}

/** A document as Markdown: its title as a heading when the text does not start with one. */
export function documentMarkdown(document: EvalDocument): string {
  const text = String(document.text ?? '');
  return document.title && !text.trimStart().startsWith('#') ? `# ${document.title}\n\n${text}\n` : `${text}\n`;
}

/**
 * Writes a set in the form `oriole ingest` and `oriole eval` take: `OUT/docs/<id>.md`, one
 * file a document, and `OUT/cases.jsonl` (the first `limit` cases) with `gold_sources`
 * naming those files.
 */
export async function materializeSet(
  name: string,
  out: string,
  limit = Number.POSITIVE_INFINITY,
  root: string | undefined = givenEvalSetsDirectory(),
): Promise<{ documents: number; cases: number }> {
  const directory = evalSetDirectory(name, root);
  const documents = await readJsonLines<EvalDocument>(path.join(directory, 'docs.jsonl'));
  const cases = (await readJsonLines<EvalCase & { reference_answer?: unknown; answerable?: boolean }>(path.join(directory, 'cases.jsonl'))).slice(0, limit);
  await mkdir(path.join(out, 'docs'), { recursive: true });
  for (const document of documents) await writeFile(path.join(out, 'docs', documentFileName(document.id)), documentMarkdown(document));
  const lines = cases.map((evalCase) =>
    JSON.stringify({
      id: evalCase.id,
      question: evalCase.question,
      reference_answer: evalCase.reference_answer,
      gold_sources: (evalCase.gold_doc_ids ?? []).map(documentFileName),
      answerable: evalCase.answerable !== false,
    }),
  );
  await writeFile(path.join(out, 'cases.jsonl'), `${lines.join('\n')}\n`);
  return { documents: documents.length, cases: cases.length };
}

/** Greedy packing of paragraphs; a paragraph too long is cut at lines, then sentences, then hard. */
export function simpleChunks(text: string): string[] {
  const units: string[] = [];
  const split = (piece: string, level: number): void => {
    const trimmed = piece.trim();
    if (!trimmed) return;
    if (trimmed.length <= chunkCharacters) {
      units.push(trimmed);
      return;
    }
    const separators = [/\n\s*\n/, /\n/, /(?<=[.!?])\s+|(?<=[。！？；])/];
    const separator = separators[level];
    if (separator) {
      for (const part of trimmed.split(separator)) split(part, level + 1);
      return;
    }
    for (let start = 0; start < trimmed.length; start += chunkCharacters) {
      units.push(trimmed.slice(start, start + chunkCharacters));
    }
  };
  split(text, 0);
  const chunks: string[] = [];
  let current = '';
  for (const unit of units) {
    if (current && current.length + 1 + unit.length > chunkCharacters) {
      chunks.push(current);
      current = '';
    }
    current = current ? `${current}\n${unit}` : unit;
  }
  if (current) chunks.push(current);
  return chunks;
}

type ChunkDocument = (input: unknown) => { text: string; headingPath: string[] }[];

export interface ChunkText {
  text: string;
  /** Headings above the chunk (structure-aware chunker only), for the breadcrumb. */
  headingPath: string[];
}
let structureChunker: ChunkDocument | undefined;

export function structureChunkerAvailable(): boolean {
  return existsSync(path.resolve(import.meta.dirname, '../ingest/chunking/index.ts'));
}

/** The product's chunker (ingest/chunking) over the document's markdown paragraphs and headings. */
export async function structureChunks(document: EvalDocument): Promise<ChunkText[]> {
  if (!structureChunker) {
    const module = (await import(path.resolve(import.meta.dirname, '../ingest/chunking/index.ts'))) as {
      chunkDocument?: ChunkDocument;
    };
    if (!module.chunkDocument) throw new Error('ingest/chunking/index.ts exports no chunkDocument');
    structureChunker = module.chunkDocument;
  }
  const blocks = document.text
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.trim())
    .filter(Boolean)
    .map((paragraph) => {
      const heading = /^(#{1,6})\s+(.*)$/.exec(paragraph);
      return heading ? { kind: 'heading', level: heading[1]!.length, text: heading[2]! } : { kind: 'paragraph', text: paragraph };
    });
  const parsed = { title: document.title, contentType: 'text/markdown', blocks, metadata: {} };
  return structureChunker(parsed).map((chunk) => ({ text: chunk.text, headingPath: chunk.headingPath }));
}

/** "Title › Heading › Subheading", without a heading that repeats the title. */
export function breadcrumb(title: string, headingPath: string[]): string {
  return [title, ...headingPath.filter((heading, index) => index > 0 || heading !== title)].filter(Boolean).join(' › ');
}

export interface IndexSettings {
  tokenizer: LexicalTokenizerSettings;
  /** Index "title › headings\n\ntext" instead of the text alone. */
  breadcrumb: boolean;
  /**
   * simple: ~800-character packing (the reference); structure: the product chunker;
   * document: each document whole as one chunk; title: each document's title alone.
   */
  chunker: 'simple' | 'structure' | 'document' | 'title';
}

/** What the index holds for one chunk, for rerankers that read chunk text. */
export interface IndexedChunk {
  documentId: string;
  ordinal: number;
  text: string;
  headingPath: string[];
  title: string;
}

export interface IndexedSet {
  database: Database;
  kbId: string;
  /** documents.id → eval document id */
  documentOf: Map<string, string>;
  /** chunks.id → the chunk */
  chunks: Map<string, IndexedChunk>;
  chunkCount: number;
  indexSeconds: number;
}

async function pieces(document: EvalDocument, chunker: IndexSettings['chunker']): Promise<ChunkText[]> {
  switch (chunker) {
    case 'structure':
      return structureChunks(document);
    case 'simple':
      return simpleChunks(document.text).map((text) => ({ text, headingPath: [] }));
    case 'document':
      return document.text.trim() ? [{ text: document.text, headingPath: [] }] : [];
    case 'title':
      return document.title.trim() ? [{ text: document.title, headingPath: [] }] : [];
  }
}

export async function indexSet(
  documents: EvalDocument[],
  settings: IndexSettings,
  open: () => Promise<Database> = openPglite,
): Promise<IndexedSet> {
  const started = performance.now();
  const tokenize = createLexicalTokenizer(settings.tokenizer);
  const database = await open();
  await migrate(database, await readMigrationFiles());
  const kb = await database.query<{ id: string }>(
    `INSERT INTO knowledge_bases (name, embedder) VALUES ('eval', 'none') RETURNING id`,
  );
  const kbId = kb.rows[0]!.id;
  const documentOf = new Map<string, string>();
  const chunkTexts = new Map<string, IndexedChunk>();
  let chunkCount = 0;
  for (const document of documents) {
    const parts = await pieces(document, settings.chunker);
    const texts = parts.map((piece) => piece.text);
    if (texts.length === 0) continue;
    await database.transaction(async (transaction) => {
      const inserted = await transaction.query<{ id: string }>(
        `INSERT INTO documents (kb_id, source, title, content_type, chunk_count) VALUES ($1, $2, $3, 'text/markdown', $4) RETURNING id`,
        [kbId, document.id, document.title, texts.length],
      );
      const documentId = inserted.rows[0]!.id;
      documentOf.set(documentId, document.id);
      const chunks = await transaction.query<{ id: string; ordinal: number }>(
        `INSERT INTO chunks (document_id, kb_id, ordinal, text, token_count, content_hash)
         SELECT $1, $2, ordinal - 1, text, 0, hash FROM unnest($3::text[], $4::text[]) WITH ORDINALITY AS input(text, hash, ordinal)
         RETURNING id, ordinal`,
        [documentId, kbId, texts, texts.map((text) => createHash('sha256').update(text).digest('hex'))],
      );
      await writeChunkTerms(
        transaction,
        kbId,
        chunks.rows.map((row) => {
          const piece = parts[row.ordinal]!;
          chunkTexts.set(String(row.id), {
            documentId,
            ordinal: Number(row.ordinal),
            text: piece.text,
            headingPath: piece.headingPath,
            title: document.title,
          });
          const indexed = settings.breadcrumb ? `${breadcrumb(document.title, piece.headingPath)}\n\n${piece.text}` : piece.text;
          return { chunkId: String(row.id), terms: termFrequencies(indexed, tokenize) };
        }),
      );
    });
    chunkCount += texts.length;
  }
  await database.query('ANALYZE');
  return { database, kbId, documentOf, chunks: chunkTexts, chunkCount, indexSeconds: (performance.now() - started) / 1000 };
}

/** 1-based rank of the first gold document among the first `documentsRanked`, or 0 when none is there. */
export function goldRank(rankedDocuments: readonly string[], goldDocumentIds: readonly string[]): number {
  const gold = new Set(goldDocumentIds);
  return rankedDocuments.slice(0, documentsRanked).findIndex((id) => gold.has(id)) + 1;
}

export function percentiles(latencies: number[]): { p50: number; p95: number } {
  const sorted = [...latencies].sort((left, right) => left - right);
  const at = (share: number) => sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))]!;
  return { p50: at(0.5), p95: at(0.95) };
}
