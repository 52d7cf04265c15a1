import type { OrioleError } from '../../src/core/index.ts';
import type { FetchFunction } from '../web/index.ts';

/**
 * One article, page or file as a source lists it, ready to ingest. `source` is its
 * stable key on the platform (an id-based URL or path, never a title slug that changes
 * on rename): it becomes the document's `source`, so an edited article replaces its
 * document instead of adding a second one.
 */
export interface SourceDocument {
  source: string;
  title: string | null;
  /** Where a citation links: the article's public URL. */
  url: string | null;
  /** How `bytes` are parsed: `text/html` for help-center bodies, `text/markdown` for repositories. */
  contentType: string;
  bytes: Uint8Array;
  tags?: Record<string, string>;
  metadata?: Record<string, unknown>;
}

/**
 * What a listing yields, one entry per item:
 * - `document`: the item as it is now;
 * - `gone`: the platform says the item was deleted or unpublished (an incremental export's tombstone);
 * - `failed`: the item exists but could not be read this time; its stored document is kept.
 */
export type SourceEntry =
  | { kind: 'document'; document: SourceDocument }
  | { kind: 'gone'; source: string }
  | { kind: 'failed'; source: string; error: OrioleError };

/** Opaque, JSON-serialisable state a connector hands back to list only what changed next time. */
export type SyncCursor = Record<string, unknown>;

/**
 * How a listing ended. `complete` is true only when every item the platform holds (a
 * full listing) or every change since the cursor (an incremental one) was listed; a
 * listing cut short (a page that failed after its retries, a crawl over its page budget)
 * is not complete, and then nothing is deleted and the cursor is not advanced.
 */
export interface ListingEnd {
  complete: boolean;
  /** Pass back as `since` for the next incremental listing; null when the connector cannot list incrementally. */
  cursor: SyncCursor | null;
}

export interface ListingRequest {
  /** null: list everything (a full listing, which finds deletions). Otherwise only what changed since. */
  since: SyncCursor | null;
  signal: AbortSignal;
}

export interface SourceConnector {
  /** Whether `list` honours `since`; a connector that cannot always lists everything. */
  readonly incremental: boolean;
  list(request: ListingRequest): AsyncGenerator<SourceEntry, ListingEnd>;
}

/** What every connector gets from outside: an HTTP client that already enforces the network policy. */
export interface ConnectorDependencies {
  fetch: FetchFunction;
  /** Per request, from sending it to the last byte. */
  timeoutMs?: number;
  /** Largest response body read, in bytes. */
  maxBytes?: number;
  /** Retries of a 429 or 5xx answer before the request fails. */
  maxRetries?: number;
  /** Waits between retries; injectable so tests need not sleep. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  userAgent?: string;
  /** ORIOLE_ALLOW_PRIVATE_NETWORK, for the crawler's own checks of literal addresses (the web source). */
  allowPrivateNetwork?: boolean;
}
