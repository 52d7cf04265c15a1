import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chunkDocument, defaultChunkingSettings } from '../../ingest/chunking/index.ts';
import { createFileLoaders, detectContentType } from '../../ingest/loaders/index.ts';
import {
  collectInputs,
  defaultIngestLimits,
  ingestInputs,
  isDocumentFile,
  planInputs,
  type CollectDependencies,
  type IngestContext,
} from '../../ingest/pipeline/index.ts';
import type { Embedder } from '../../src/core/index.ts';
import { ensureKnowledgeBase, type Database } from '../../src/db/index.ts';
import { termFrequencies } from '../../src/retrieval/lexical/index.ts';

/** The real ingestion parts (loaders, chunker, terms), with the embedder a test chooses. */
export function testIngestContext(
  database: Database,
  embedder: Embedder | null,
  overrides: Partial<IngestContext> = {},
): IngestContext {
  const loaders = createFileLoaders();
  return {
    database,
    parse: (input) => loaders.load(input),
    chunk: (document) => chunkDocument(document, defaultChunkingSettings),
    termFrequencies,
    embedder,
    embedderSpec: embedder?.id ?? 'none',
    chunkingSettings: defaultChunkingSettings,
    limits: defaultIngestLimits,
    ...overrides,
  };
}

export function testCollectDependencies(): CollectDependencies {
  const loaders = createFileLoaders();
  return {
    crawl: () => {
      throw new Error('no crawling in this test');
    },
    isSupported: ({ source, bytes }) => isDocumentFile(source, detectContentType({ source, bytes }), loaders.supports),
  };
}

/** Wraps an embedder to count the texts it embeds: proof that unchanged chunks are not re-embedded. */
export function countingEmbedder(inner: Embedder): Embedder & { embeddedTexts: string[] } {
  const embeddedTexts: string[] = [];
  return {
    id: inner.id,
    dimension: inner.dimension,
    maxBatchSize: inner.maxBatchSize,
    embeddedTexts,
    async embedDocuments(texts) {
      embeddedTexts.push(...texts);
      return inner.embedDocuments(texts);
    },
    embedQuery: (text) => inner.embedQuery(text),
  };
}

/** A private, writable copy of the sample help center, for tests that edit and delete files. */
export async function copyOfHelpDocs(): Promise<string> {
  const directory = await mkdtemp(path.join(tmpdir(), 'oriole-help-docs-'));
  await cp(path.resolve('test/fixtures/help-docs'), directory, { recursive: true });
  return directory;
}

/**
 * `oriole ingest <folder> --kb NAME` without the CLI or an embedder: the folder's
 * supported files land in the KB (created when missing). Returns the context used.
 */
export async function ingestFolder(database: Database, folder: string, kbName = 'default'): Promise<IngestContext> {
  const context = testIngestContext(database, null);
  const kb = await ensureKnowledgeBase(database, { name: kbName, embedder: 'none' });
  const plan = await planInputs([path.resolve(folder)]);
  await ingestInputs(context, kb, collectInputs(plan, testCollectDependencies(), {}), { prune: false });
  return context;
}
