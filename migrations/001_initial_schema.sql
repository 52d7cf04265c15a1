-- Oriole's first schema. Runs unchanged on PostgreSQL >= 15 with pgvector >= 0.7
-- and on embedded PGlite; see docs/decisions/0002-schema.md for the reasoning.

CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE knowledge_bases (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
  -- The embedder spec (e.g. 'transformers:Xenova/bge-small-en-v1.5', 'none') whose
  -- vectors the KB holds, and their dimension once the first vector is stored.
  embedder text NOT NULL,
  embedding_dim integer CHECK (embedding_dim BETWEEN 1 AND 16000),
  settings jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- Incremented on every content change; answers report the version they saw.
  version bigint NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE documents (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kb_id bigint NOT NULL REFERENCES knowledge_bases (id) ON DELETE CASCADE,
  source text NOT NULL CHECK (length(source) BETWEEN 1 AND 2048),
  title text,
  url text,
  content_type text NOT NULL,
  -- Written last in the transaction that stores a document's chunks: a document
  -- whose hash matches the input is complete and need not be touched again.
  content_hash text,
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  tags jsonb NOT NULL DEFAULT '{}'::jsonb,
  status text NOT NULL DEFAULT 'ready' CHECK (status IN ('pending', 'ready', 'failed')),
  error text,
  chunk_count integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (kb_id, source)
);
CREATE INDEX documents_tags_idx ON documents USING gin (tags jsonb_path_ops);
CREATE INDEX documents_kb_created_idx ON documents (kb_id, created_at, id);

CREATE TABLE chunks (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  document_id uuid NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
  -- Denormalised from documents so per-KB scans and indexes need no join.
  kb_id bigint NOT NULL REFERENCES knowledge_bases (id) ON DELETE CASCADE,
  ordinal integer NOT NULL CHECK (ordinal >= 0),
  heading_path text[] NOT NULL DEFAULT '{}',
  text text NOT NULL,
  token_count integer NOT NULL CHECK (token_count >= 0),
  content_hash text NOT NULL,
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- Number of lexical terms, the document length of BM25's length normalisation.
  term_count integer NOT NULL DEFAULT 0 CHECK (term_count >= 0),
  -- Untyped so KBs may use embedders of different dimensions; embedding_dim says
  -- which, and selects the partial HNSW index below.
  embedding vector,
  embedding_dim integer,
  CHECK ((embedding IS NULL) = (embedding_dim IS NULL)),
  CHECK (embedding IS NULL OR vector_dims(embedding) = embedding_dim),
  UNIQUE (document_id, ordinal)
);
CREATE INDEX chunks_kb_idx ON chunks (kb_id);
CREATE INDEX chunks_kb_hash_idx ON chunks (kb_id, content_hash);
CREATE INDEX chunks_missing_embedding_idx ON chunks (kb_id) WHERE embedding IS NULL;

-- One cosine HNSW index per common embedding dimension (pgvector cannot index an
-- untyped column; expression + partial indexes are its documented answer).
-- 384: bge-small, MiniLM, e5-small; 512: USE lite; 768: bge-base, nomic, e5-base;
-- 1024: bge-large, e5-large; 1536: OpenAI text-embedding-3-small / ada-002.
-- Other dimensions are searched exactly; add an index in a migration if needed.
CREATE INDEX chunks_embedding_384_idx ON chunks
  USING hnsw ((embedding::vector(384)) vector_cosine_ops) WHERE embedding_dim = 384;
CREATE INDEX chunks_embedding_512_idx ON chunks
  USING hnsw ((embedding::vector(512)) vector_cosine_ops) WHERE embedding_dim = 512;
CREATE INDEX chunks_embedding_768_idx ON chunks
  USING hnsw ((embedding::vector(768)) vector_cosine_ops) WHERE embedding_dim = 768;
CREATE INDEX chunks_embedding_1024_idx ON chunks
  USING hnsw ((embedding::vector(1024)) vector_cosine_ops) WHERE embedding_dim = 1024;
CREATE INDEX chunks_embedding_1536_idx ON chunks
  USING hnsw ((embedding::vector(1536)) vector_cosine_ops) WHERE embedding_dim = 1536;

-- The lexical index: one posting per (term, chunk) with its term frequency, so
-- BM25 (IDF and length normalisation) is computed at query time from an
-- index-only scan of the query's terms.
CREATE TABLE chunk_terms (
  kb_id bigint NOT NULL,
  term text NOT NULL,
  chunk_id bigint NOT NULL REFERENCES chunks (id) ON DELETE CASCADE,
  frequency integer NOT NULL CHECK (frequency > 0),
  PRIMARY KEY (kb_id, term, chunk_id)
);
CREATE INDEX chunk_terms_chunk_idx ON chunk_terms (chunk_id);

CREATE TABLE jobs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kb_id bigint NOT NULL REFERENCES knowledge_bases (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('ingest', 'eval')),
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
  payload jsonb NOT NULL DEFAULT '{}'::jsonb,
  result jsonb,
  progress_done integer NOT NULL DEFAULT 0,
  progress_total integer NOT NULL DEFAULT 0,
  error text,
  attempts integer NOT NULL DEFAULT 0,
  -- A running job's lease; a worker that dies lets it lapse and the job is claimed again.
  locked_by text,
  locked_until timestamptz,
  run_after timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX jobs_claimable_idx ON jobs (run_after) WHERE status IN ('queued', 'running');
CREATE INDEX jobs_kb_idx ON jobs (kb_id, created_at);

CREATE TABLE answers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kb_id bigint NOT NULL REFERENCES knowledge_bases (id) ON DELETE CASCADE,
  kb_version bigint NOT NULL,
  question text NOT NULL,
  history jsonb NOT NULL DEFAULT '[]'::jsonb,
  answer text NOT NULL,
  abstained boolean NOT NULL,
  reason text,
  mode text NOT NULL,
  model text,
  citations jsonb NOT NULL DEFAULT '[]'::jsonb,
  retrieval jsonb NOT NULL DEFAULT '{}'::jsonb,
  timings jsonb NOT NULL DEFAULT '{}'::jsonb,
  user_id text,
  channel text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX answers_kb_created_idx ON answers (kb_id, created_at);

CREATE TABLE feedback (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  answer_id uuid NOT NULL REFERENCES answers (id) ON DELETE CASCADE,
  rating text NOT NULL CHECK (rating IN ('up', 'down')),
  comment text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX feedback_answer_idx ON feedback (answer_id);

CREATE TABLE api_keys (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text,
  -- The first characters of the key, shown in listings so a user can tell keys apart.
  prefix text NOT NULL,
  -- SHA-256 of the whole key; the key itself is shown once and never stored.
  key_hash text NOT NULL UNIQUE,
  scope text NOT NULL CHECK (scope IN ('query', 'ingest', 'admin')),
  -- NULL: every KB. Deleting the KB deletes its keys, so a KB re-created under the
  -- same name is not opened to old keys.
  kb_id bigint REFERENCES knowledge_bases (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
