-- The documents an ingestion job carries, one row each, so an upload's bytes are
-- stored once (bytea, not base64 in jsonb) and each document's outcome is kept.

CREATE TABLE job_items (
  job_id uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  ordinal integer NOT NULL CHECK (ordinal >= 0),
  document_id uuid REFERENCES documents (id) ON DELETE SET NULL,
  source text NOT NULL,
  content bytea,
  content_type text,
  title text,
  url text,
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  tags jsonb NOT NULL DEFAULT '{}'::jsonb,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'succeeded', 'failed')),
  outcome text CHECK (outcome IN ('added', 'updated', 'unchanged')),
  error text,
  PRIMARY KEY (job_id, ordinal)
);
CREATE INDEX job_items_document_idx ON job_items (document_id);
