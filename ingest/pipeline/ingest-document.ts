import type { Chunk, Embedder, LoaderInput, ParsedDocument } from '../../src/core/index.ts';
import { OrioleError, defaultMaxDocumentBytes, validateSource, webUrlOrNull } from '../../src/core/index.ts';
import {
  bumpKnowledgeBaseVersion,
  claimEmbeddingDimension,
  findDocumentBySource,
  findEmbeddingsByHash,
  replaceDocument,
  type ChunkRecord,
  type DocumentRecord,
  type Database,
  type KnowledgeBase,
} from '../../src/db/index.ts';
import { decodePercents } from '../../src/text/index.ts';
import { assignHeadingAnchors, contentTypes, detectContentType, headingAnchorRulesFor } from '../loaders/index.ts';
import type { OcrReport } from '../ocr/index.ts';
import { documentFingerprint, indexText, sha256 } from './fingerprints.ts';

/** Everything ingestion needs from outside, passed in so backends, parsers and embedders plug in. */
export interface IngestContext {
  database: Database;
  parse(input: LoaderInput): Promise<ParsedDocument>;
  chunk(document: ParsedDocument): Chunk[];
  termFrequencies(text: string): Map<string, number>;
  /** null: lexical only (embedder `none`, or a model that could not load). */
  embedder: Embedder | null;
  /** The configured embedder spec, compared with the KB's. */
  embedderSpec: string;
  /** Chunking settings in effect; part of each document's fingerprint. */
  chunkingSettings: unknown;
  /** Parser settings that change what a file turns into, where not the defaults (an OCR mode other than `scanned`); part of each document's fingerprint. */
  parsingSettings?: unknown;
  limits: IngestLimits;
}

export interface IngestLimits {
  /** Largest document accepted, in bytes. */
  maxDocumentBytes: number;
  /** More chunks than this from one document is a sign of a bomb, not a help article. */
  maxChunksPerDocument: number;
}

export const defaultIngestLimits: IngestLimits = {
  maxDocumentBytes: defaultMaxDocumentBytes,
  maxChunksPerDocument: 5_000,
};

export interface IngestItem {
  source: string;
  bytes: Uint8Array;
  contentType?: string;
  title?: string | null;
  url?: string | null;
  metadata?: Record<string, unknown>;
  tags?: Record<string, string>;
  /** The source a sync ingests for; stored with the document in the same transaction as its content. */
  sourceId?: string;
}

export type IngestOutcomeKind = 'added' | 'updated' | 'unchanged';

export interface IngestedDocument {
  source: string;
  documentId: string;
  outcome: IngestOutcomeKind;
  chunks: number;
  /** Chunks embedded by this call (not reused from stored vectors). */
  embedded: number;
  /** What went wrong in part while the rest was stored: pictures OCR could not read. */
  warnings?: string[];
}

/** A file with nothing to index (an empty Markdown file, a page of whitespace): nothing was written. */
export interface SkippedDocument {
  source: string;
  outcome: 'skipped';
  reason: string;
}

export type IngestOutcome = IngestedDocument | SkippedDocument;

/** Why a document without text is skipped rather than failed. */
export const noTextReason = 'no text to index';

/**
 * Brings one document of a KB up to date. An unchanged document (same fingerprint
 * as the stored commit marker) is skipped before parsing; a changed one is parsed,
 * chunked, embedded where no stored vector has the same text, and swapped in one
 * transaction. A document with no text is skipped and nothing is written (a stored
 * version stays as it was), except a PDF, which fails: its pages are images.
 */
export async function ingestDocument(
  context: IngestContext,
  kb: KnowledgeBase,
  item: IngestItem,
): Promise<IngestOutcome> {
  const prepared = await prepareDocument(context, kb, item);
  return 'outcome' in prepared ? prepared : storeDocument(context, kb, prepared);
}

/** A changed document parsed, chunked and tokenized: what `storeDocument` embeds and writes. */
export interface PreparedDocument {
  document: DocumentRecord;
  chunks: IndexedChunk[];
}

interface IndexedChunk {
  chunk: Chunk;
  /** The text indexed and embedded (`indexText`), its hash and its lexical terms. */
  text: string;
  contentHash: string;
  terms: Map<string, number>;
}

/**
 * The part of `ingestDocument` that reads and writes no content: the fingerprint
 * check, the parse, chunks and terms. `ingestInputs` prepares the next documents
 * while one is being stored; embedding waits for `storeDocument`, so a document
 * still reuses the vectors of the documents stored before it.
 */
export async function prepareDocument(
  context: IngestContext,
  kb: KnowledgeBase,
  item: IngestItem,
): Promise<PreparedDocument | IngestOutcome> {
  const source = validateSource(item.source);
  if (item.bytes.byteLength > context.limits.maxDocumentBytes) {
    throw new OrioleError(
      'payload_too_large',
      `${source} is ${item.bytes.byteLength} bytes; the limit is ${context.limits.maxDocumentBytes}`,
      { details: { source, limit: context.limits.maxDocumentBytes } },
    );
  }
  const tags = item.tags ?? {};
  // The fingerprint covers the inputs only, so an unchanged document is skipped before parsing.
  const fingerprint = documentFingerprint({
    bytes: item.bytes,
    contentType: typeThatMatters(source, item),
    title: item.title ?? null,
    url: item.url ?? null,
    tags,
    metadata: item.metadata ?? {},
    chunking: context.chunkingSettings,
    parsing: context.parsingSettings,
  });
  const existing = await findDocumentBySource(context.database, kb.id, source);
  if (existing?.contentHash === fingerprint) {
    return { source, documentId: existing.id, outcome: 'unchanged', chunks: existing.chunkCount, embedded: 0 };
  }

  const parsed = await context.parse({ source, bytes: item.bytes, ...(item.contentType ? { contentType: item.contentType } : {}) });
  const title = item.title ?? parsed.title ?? titleFromSource(source);
  // A url that is not http(s) (front matter `url: javascript:…`) is dropped, not stored: the document keeps its text.
  const url = webUrlOrNull(item.url) ?? webUrlOrNull(parsed.url) ?? webUrlOrNull(source);
  const metadata = { ...parsed.metadata, ...(item.metadata ?? {}) };
  const chunks = context.chunk(withHeadingAnchors(parsed, metadata));
  if (chunks.length === 0) {
    // An empty file is nothing to ingest; a PDF without text is a scan Oriole cannot read yet.
    const unread = ocrReport(parsed.metadata)?.failed[0];
    if (unread) {
      // Nothing but pictures, and OCR could not read them: the document fails with the reason.
      throw new OrioleError(unread.code, `${source}: OCR could not read ${unread.page === undefined ? 'it' : `page ${unread.page}`}: ${unread.reason}`, {
        details: { source, reason: 'ocr_failed', ocr: parsed.metadata.ocr },
      });
    }
    if (parsed.contentType !== contentTypes.pdf) return { source, outcome: 'skipped', reason: noTextReason };
    const why = parsed.metadata.ocr ? 'OCR found no text on its pages' : 'its pages are images: with ORIOLE_OCR=off they are not read';
    throw new OrioleError('invalid_request', `${source} contains no text to index (${why})`, { details: { source, reason: 'no_text' } });
  }
  if (chunks.length > context.limits.maxChunksPerDocument) {
    throw new OrioleError(
      'payload_too_large',
      `${source} yields ${chunks.length} chunks; the limit is ${context.limits.maxChunksPerDocument} per document`,
      { details: { source, limit: context.limits.maxChunksPerDocument } },
    );
  }
  return {
    document: {
      kbId: kb.id,
      source,
      title,
      url,
      contentType: parsed.contentType,
      contentHash: fingerprint,
      metadata,
      tags,
      ...(item.sourceId ? { sourceId: item.sourceId } : {}),
    },
    chunks: chunks.map((chunk) => {
      const text = indexText(title, chunk);
      return { chunk, text, contentHash: sha256(text), terms: context.termFrequencies(text) };
    }),
  };
}

/**
 * Embeds a prepared document's chunks where no stored vector has the same text, then
 * swaps it in: chunks, postings and fingerprint in one transaction, the KB version bumped.
 */
export async function storeDocument(context: IngestContext, kb: KnowledgeBase, prepared: PreparedDocument): Promise<IngestedDocument> {
  const { vectors, embedded } = await vectorsFor(context, kb, prepared.chunks);
  const records: ChunkRecord[] = prepared.chunks.map(({ chunk, contentHash, terms }) => ({
    ordinal: chunk.ordinal,
    headingPath: chunk.headingPath,
    text: chunk.text,
    tokenCount: chunk.tokenCount,
    contentHash,
    metadata: chunkMetadata(chunk),
    embedding: vectors.get(contentHash) ?? null,
    terms,
  }));
  const stored = await context.database.transaction(async (transaction) => {
    const written = await replaceDocument(transaction, prepared.document, records);
    await bumpKnowledgeBaseVersion(transaction, kb.id);
    return written;
  });
  return {
    source: prepared.document.source,
    documentId: stored.documentId,
    outcome: stored.created ? 'added' : 'updated',
    chunks: records.length,
    embedded,
    ...withWarnings(ocrWarnings(prepared.document.metadata)),
  };
}

/**
 * Markdown headings get the anchors their site gives them (the rules named by the
 * document's `headingAnchors` metadata, GitHub's by default), so citations can link to
 * the section. Other formats keep the ids they carry (an HTML heading's `id`) or none.
 */
function withHeadingAnchors(parsed: ParsedDocument, metadata: Record<string, unknown>): ParsedDocument {
  if (parsed.contentType !== contentTypes.markdown) return parsed;
  return { ...parsed, blocks: assignHeadingAnchors(parsed.blocks, headingAnchorRulesFor(metadata)) };
}

/** What a stored chunk keeps beside its text: the pages it spans and its section's anchor, for citation links. */
function chunkMetadata(chunk: Chunk): Record<string, unknown> {
  return {
    ...(chunk.pages && chunk.pages.length > 0 ? { pages: chunk.pages } : {}),
    ...(chunk.anchor ? { anchor: chunk.anchor } : {}),
  };
}

async function vectorsFor(
  context: IngestContext,
  kb: KnowledgeBase,
  prepared: readonly { contentHash: string; text: string }[],
): Promise<{ vectors: Map<string, number[]>; embedded: number }> {
  const { embedder } = context;
  if (!embedder) return { vectors: new Map(), embedded: 0 };
  const hashes = [...new Set(prepared.map((item) => item.contentHash))];
  const vectors = await findEmbeddingsByHash(context.database, { kbId: kb.id, hashes });
  const missing = [...new Map(prepared.filter((item) => !vectors.has(item.contentHash)).map((item) => [item.contentHash, item.text]))];
  for (let start = 0; start < missing.length; start += embedder.maxBatchSize) {
    const batch = missing.slice(start, start + embedder.maxBatchSize);
    const embeddings = await embedder.embedDocuments(batch.map(([, text]) => text));
    batch.forEach(([hash], index) => vectors.set(hash, embeddings[index]!));
  }
  if (missing.length > 0) await claimEmbeddingDimension(context.database, kb.id, embedder.dimension);
  return { vectors, embedded: missing.length };
}

/**
 * The declared content type when it changes what the bytes are parsed as, else null.
 * The API declares the type it detected and `oriole ingest` declares none; both parse
 * the same, so both must fingerprint the same, or running both re-ingests every time.
 */
/** "page 3: Reading page 3 of a.pdf took longer than …" for each picture OCR could not read. */
function ocrWarnings(metadata: Record<string, unknown>): string[] {
  return (ocrReport(metadata)?.failed ?? []).map(({ page, reason }) => `OCR could not read ${page === undefined ? 'a picture' : `page ${page}`}: ${reason}`);
}

/** What the OCR stage left in a document's metadata, if it ran. */
function ocrReport(metadata: Record<string, unknown>): OcrReport | undefined {
  return metadata.ocr as OcrReport | undefined;
}

function withWarnings(warnings: string[]): { warnings?: string[] } {
  return warnings.length > 0 ? { warnings } : {};
}

function typeThatMatters(source: string, item: IngestItem): string | null {
  if (item.contentType === undefined) return null;
  const declared = detectContentType({ source, bytes: item.bytes, declared: item.contentType });
  return declared === detectContentType({ source, bytes: item.bytes }) ? null : declared;
}

function titleFromSource(source: string): string {
  const last = source.replace(/[?#].*$/, '').replace(/\/+$/, '').split('/').pop() ?? source;
  return decodePercents(last).replace(/\.[a-z0-9]+$/i, '').replace(/[-_]+/g, ' ').trim() || source;
}
