import { authorizeKbResourceOf, kbOfCaller, type KbBinding } from '../api/index.ts';
import { notFound, validateSource, webUrlOrNull } from '../core/index.ts';
import {
  findDocumentBySource,
  getDocument,
  getKnowledgeBase,
  getKnowledgeBaseById,
  listDocumentChunks,
  type Database,
  type StoredDocument,
} from '../db/index.ts';
import { documentMarkdown, type MarkdownChunk } from './document-markdown.ts';

/** The most of a document get_document and a resource read return, in characters (≈ 12,000 tokens). */
export const documentCharacterLimit = 50_000;

/** Chunks read a page at a time until the limit is reached. */
const chunkPage = 200;

/** How a call names a document: its source in a KB, or its id. */
export type DocumentReference = { source: string; kb?: string } | { documentId: string; kb?: string };

export interface DocumentText {
  documentId: string;
  kb: string;
  source: string;
  title: string | null;
  url: string | null;
  status: StoredDocument['status'];
  /** The resource a client can attach: oriole://kb/<kb>/<source>. */
  uri: string;
  markdown: string;
  truncated: boolean;
}

/**
 * The document as Markdown, within the caller's reach: a source is looked up in the KB
 * the call names (or the caller's, or the default: `kbOfCaller`); an id of another KB
 * than the caller's is not found, exactly as GET /documents/:id answers (api/auth.ts).
 */
export async function readDocument(
  database: Database,
  caller: KbBinding,
  defaultKb: string,
  reference: DocumentReference,
): Promise<DocumentText> {
  const { document, kbName } = await findDocument(database, caller, defaultKb, reference);
  const chunks: MarkdownChunk[] = [];
  let characters = 0;
  let from: number | null = 0;
  while (from !== null && characters <= documentCharacterLimit) {
    const page = await listDocumentChunks(database, { documentId: document.id, from, limit: chunkPage });
    chunks.push(...page.chunks);
    characters += page.chunks.reduce((sum, chunk) => sum + chunk.text.length, 0);
    from = page.nextOrdinal;
  }
  const { markdown, truncated } = documentMarkdown(document.title ?? document.source, chunks, documentCharacterLimit);
  return {
    documentId: document.id,
    kb: kbName,
    source: document.source,
    title: document.title,
    url: webUrlOrNull(document.url),
    status: document.status,
    uri: documentUri(kbName, document.source),
    markdown,
    // Chunks left unread are text left out too.
    truncated: truncated || from !== null,
  };
}

async function findDocument(
  database: Database,
  caller: KbBinding,
  defaultKb: string,
  reference: DocumentReference,
): Promise<{ document: StoredDocument; kbName: string }> {
  if ('documentId' in reference) {
    const document = await getDocument(database, reference.documentId);
    authorizeKbResourceOf(caller, document.kbId, 'document', reference.documentId);
    const kb = await getKnowledgeBaseById(database, document.kbId);
    // Named with a KB it is not in: as unknown as an id of another KB.
    if (reference.kb !== undefined && kbOfCaller(caller, reference.kb, defaultKb) !== kb.name) throw notFound('document', reference.documentId);
    return { document, kbName: kb.name };
  }
  const kb = await getKnowledgeBase(database, kbOfCaller(caller, reference.kb, defaultKb));
  const source = validateSource(reference.source);
  const document = await findDocumentBySource(database, kb.id, source);
  if (!document) throw notFound('document', source);
  return { document, kbName: kb.name };
}

/** The resource URI of a document: oriole://kb/<kb>/<source>, each path segment of the source percent-encoded. */
export function documentUri(kb: string, source: string): string {
  return `oriole://kb/${encodeURIComponent(kb)}/${source.split('/').map(encodeURIComponent).join('/')}`;
}

/** The source a resource URI's `source` part names, or null when it is not valid percent-encoding. */
export function sourceOfUriPart(part: string): string | null {
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}
