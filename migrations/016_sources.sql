-- Sources (docs/sources.md): a help center, repository or site a KB stays in sync with.
-- `config` holds the non-secret settings; the credentials are sealed with ORIOLE_SECRET_KEY
-- (AES-256-GCM) in `credentials` and never leave the server. `cursor` is the connector's
-- state for its next incremental listing, advanced only by a run that completed.
CREATE TABLE sources (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kb_id bigint NOT NULL REFERENCES knowledge_bases (id) ON DELETE CASCADE,
  type text NOT NULL CHECK (type IN ('web', 'zendesk', 'intercom', 'confluence', 'github')),
  name text NOT NULL,
  config jsonb NOT NULL DEFAULT '{}'::jsonb,
  credentials bytea,
  schedule text,
  next_run_at timestamptz,
  cursor jsonb,
  last_full_sync_at timestamptz,
  last_run jsonb,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (kb_id, name)
);
CREATE INDEX sources_due_idx ON sources (next_run_at) WHERE next_run_at IS NOT NULL;

-- The source a document came from; NULL for documents uploaded or ingested by hand,
-- which no sync ever touches. Removing a source removes its documents.
ALTER TABLE documents ADD COLUMN source_id uuid REFERENCES sources (id) ON DELETE CASCADE;
CREATE INDEX documents_source_idx ON documents (source_id) WHERE source_id IS NOT NULL;

-- A sync is a job of its own kind. At most one sync of a source is queued or running at a
-- time, so schedulers in several processes and a manual "sync now" cannot double it.
ALTER TABLE jobs DROP CONSTRAINT jobs_kind_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_kind_check CHECK (kind IN ('ingest', 'eval', 'crawl', 'sync'));
ALTER TABLE jobs ADD COLUMN source_id uuid REFERENCES sources (id) ON DELETE CASCADE;
CREATE UNIQUE INDEX jobs_one_pending_sync_idx ON jobs (source_id) WHERE kind = 'sync' AND status IN ('queued', 'running');
