/**
 * What the API asks of the ingest stage: recognise an upload's type, queue documents for
 * the job worker, delete one. The ingest stage implements it; composition roots pass it in.
 */

/** A document to ingest: its bytes, its resolved content type, and what the sender told about it. */
export interface DocumentUpload {
  source: string;
  content: Uint8Array;
  contentType: string;
  title: string | null;
  url: string | null;
  metadata: Record<string, unknown>;
  tags: Record<string, string>;
}

/** The job that will ingest the documents, and the ids they were given at once. */
export interface QueuedDocuments {
  jobId: string;
  documents: Array<{ id: string; source: string }>;
}

/** A site to crawl into a KB (POST /documents `{ url, crawl }`); unset limits take the crawler's defaults. */
export interface CrawlRequest {
  url: string;
  maxPages?: number;
  maxDepth?: number;
}

/** The crawl job; its documents are found while it runs, so none are listed yet. */
export interface QueuedCrawl {
  jobId: string;
  documents: [];
}

/**
 * The caller's access rule for the knowledge base a write touches, given its id; it
 * throws to refuse. Checked after the KB is known and before anything is written.
 */
export type KbAccessCheck = (kbId: string) => void;

export interface IngestionService {
  /** Content type from the bytes (and name, and a declared type as a hint); null when unknown. */
  detectContentType(input: { source: string; bytes: Uint8Array; declared?: string }): string | null;
  /** Whether a loader parses this type (natively or through Unstructured). */
  isSupported(contentType: string): boolean;
  /**
   * Queues documents into the named KB as one ingestion job; each document gets its id now
   * and is `pending` until the job ran. The KB must exist (`not_found`), except the server's
   * default KB, which is created with the server's embedder on first use.
   */
  queueDocuments(kb: string, documents: readonly DocumentUpload[], access: KbAccessCheck): Promise<QueuedDocuments>;
  /**
   * Queues a crawl of a site into the named KB (which must exist, as for `queueDocuments`), with
   * the CLI's rules (robots.txt, same host, limits). A URL that is not http(s), or names
   * a private address while those are not allowed, is refused at once (`invalid_request`).
   */
  queueCrawl(kb: string, request: CrawlRequest, access: KbAccessCheck): Promise<QueuedCrawl>;
  /** Deletes a document and bumps its KB's version, in one transaction: it stops being searched and cited at once. */
  deleteDocument(id: string, access: KbAccessCheck): Promise<void>;
}
