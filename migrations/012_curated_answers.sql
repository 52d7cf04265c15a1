-- Curated answers (docs/curated-answers.md): answers a support team fixes word for word,
-- served instead of retrieval when a question matches one of their phrasings.

CREATE TABLE curated_answers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- Insertion order: listings, exports and match ties go oldest first, also among answers
  -- imported in one transaction (which share their created_at).
  position bigint GENERATED ALWAYS AS IDENTITY,
  kb_id bigint NOT NULL REFERENCES knowledge_bases (id) ON DELETE CASCADE,
  -- 1 to 20 phrasings of the question, as validated by the API.
  questions jsonb NOT NULL CHECK (jsonb_typeof(questions) = 'array'),
  answer text NOT NULL,
  -- [{ "source": "billing/refund-policy.md" }]: documents of the KB, checked when written.
  citations jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(citations) = 'array'),
  tags jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(tags) = 'array'),
  enabled boolean NOT NULL DEFAULT true,
  -- Answers served from it, incremented atomically as each is served.
  hits bigint NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX curated_answers_kb_idx ON curated_answers (kb_id, position);

-- Bumped by every change to a KB's curated answers and read with the KB on each request,
-- so every replica's in-process snapshot of them is refreshed at once. Apart from
-- `version`, which reloads the lexical index and is bumped by content changes only.
ALTER TABLE knowledge_bases ADD COLUMN curated_version bigint NOT NULL DEFAULT 0;
