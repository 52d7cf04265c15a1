import type { KbAccessCheck } from './ingestion.ts';

/** The platforms a source can read (docs/sources.md). */
export const sourceTypes = ['web', 'zendesk', 'intercom', 'confluence', 'github'] as const;
export type SourceType = (typeof sourceTypes)[number];

/** What one sync did. */
export interface SourceRunView {
  status: 'succeeded' | 'partial' | 'failed';
  mode: 'full' | 'incremental';
  added: number;
  updated: number;
  unchanged: number;
  deleted: number;
  failed: number;
  startedAt: string;
  finishedAt: string;
}

/**
 * A source as clients see it: its settings without credentials (only the names of the
 * credential fields stored), its schedule and where its syncing stands.
 */
export interface SourceView {
  id: string;
  kb: string;
  type: SourceType;
  name: string;
  config: Record<string, unknown>;
  /** Names of the credential fields stored (sealed); their values are never returned. */
  credentials: string[];
  schedule: string | null;
  /** `queued`/`running`: a sync is pending now; otherwise the last run's status, or `never` before the first. */
  status: 'queued' | 'running' | 'succeeded' | 'partial' | 'failed' | 'never';
  lastRun: SourceRunView | null;
  nextRunAt: string | null;
  lastError: string | null;
  /** The sync queued or running now. */
  jobId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface NewSource {
  type: SourceType;
  name: string;
  config: Record<string, unknown>;
  schedule?: string | null;
}

/** `config` is merged over the stored one (a key set to null is removed); credentials given replace the stored ones. */
export interface SourceChanges {
  name?: string;
  config?: Record<string, unknown>;
  schedule?: string | null;
}

export interface SourcesService {
  /** Stores the source and queues its first sync. */
  create(kb: string, source: NewSource, access: KbAccessCheck): Promise<{ source: SourceView; jobId: string }>;
  list(kb: string, access: KbAccessCheck): Promise<SourceView[]>;
  get(id: string, access: KbAccessCheck): Promise<SourceView>;
  update(id: string, changes: SourceChanges, access: KbAccessCheck): Promise<SourceView>;
  /** Removes the source and every document it brought in. */
  remove(id: string, access: KbAccessCheck): Promise<{ documentsRemoved: number }>;
  /** Queues a sync now, or returns the one already pending; `full` lists everything (finds deletions). */
  sync(id: string, options: { full?: boolean }, access: KbAccessCheck): Promise<{ jobId: string; queued: boolean }>;
}
